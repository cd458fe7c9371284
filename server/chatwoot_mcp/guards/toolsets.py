"""list_toolsets and enable_toolset, the two tools of dynamic toolsets (see chatwoot_mcp.surface.toolsets)."""

from __future__ import annotations

from contextlib import suppress

from mcp.server.mcpserver import Context
from mcp.shared.exceptions import MCPError

from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.surface.toolsets import DynamicToolsets
from chatwoot_mcp.views.conversations import ToolsetChange, ToolsetItem, ToolsetList

__all__ = ["enable_toolset", "list_toolsets"]


def _toolsets(tools: ToolContext) -> DynamicToolsets:
    if tools.toolsets is None:
        raise Refusal("This server lists every toolset already (dynamic toolsets are off).")
    return tools.toolsets


async def list_toolsets(tools: ToolContext, account_id: int) -> ToolsetList:
    """List toolsets and their tools."""
    toolsets = _toolsets(tools)
    return ToolsetList(
        toolsets=[
            ToolsetItem(
                name=name,
                description=toolsets.descriptions.get(name, ""),
                enabled=name in toolsets.enabled,
                tools=[spec.name for spec in specs],
            )
            for name, specs in toolsets.available.items()
        ]
    )


async def enable_toolset(tools: ToolContext, account_id: int, toolset: str, ctx: Context) -> ToolsetChange:
    """Add a toolset's tools to the list.

    Parameters
    ----------
    toolset
        From list_toolsets.
    """
    toolsets = _toolsets(tools)
    if toolset not in toolsets.available:
        raise Refusal(f"No toolset {toolset!r} here; the toolsets are: {', '.join(toolsets.available)}.")
    added = toolsets.enable(toolset)
    if added:
        # Both eras: 2026-07-28 clients listen through subscriptions/listen, earlier ones get the notification on
        # their session. A client that can hear neither still sees the tools on its next tools/list.
        with suppress(MCPError, ValueError):
            await ctx.notify_tools_changed()
        with suppress(MCPError, AttributeError):
            await ctx.session.send_tool_list_changed()
    return ToolsetChange(toolset=toolset, added=added)
