"""list_toolsets and enable_toolset, the two tools of dynamic toolsets (see chatwoot_mcp.surface.toolsets).

Both act on the calling session alone: what they list and add is what this session's connection may see (its URL,
headers and granted scopes narrow it like every list), and enabling changes only this session's list.
"""

from __future__ import annotations

from contextlib import suppress

from mcp.server.mcpserver import Context
from mcp.shared.exceptions import MCPError

from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.surface.request_view import request_view
from chatwoot_mcp.surface.toolsets import session_toolsets
from chatwoot_mcp.surface.visibility import toolset_tools, visible_tools
from chatwoot_mcp.tools import TOOLSETS
from chatwoot_mcp.views.conversations import ToolsetChange, ToolsetItem, ToolsetList

__all__ = ["enable_toolset", "list_toolsets"]

_NO_SESSION = (
    "Every tool this connection may use is listed already: without a session (protocol 2026-07-28, stateless HTTP) "
    "there are no toolsets to enable."
)


async def list_toolsets(tools: ToolContext, account_id: int, ctx: Context) -> ToolsetList:
    """List toolsets and their tools."""
    request = ctx.request_context
    enabled = session_toolsets(request)
    if enabled is None:
        raise Refusal(_NO_SESSION)
    grouped = toolset_tools(tools.settings, request_view(request))
    return ToolsetList(
        toolsets=[
            ToolsetItem(name=name, description=TOOLSETS[name], enabled=name in enabled, tools=names)
            for name, names in grouped.items()
        ]
    )


async def enable_toolset(tools: ToolContext, account_id: int, toolset: str, ctx: Context) -> ToolsetChange:
    """Add a toolset's tools to the list.

    Parameters
    ----------
    toolset
        From list_toolsets.
    """
    if toolset not in TOOLSETS:
        raise Refusal(f"No toolset {toolset!r} here; the toolsets are: {', '.join(TOOLSETS)}.")
    request = ctx.request_context
    enabled = session_toolsets(request)
    if enabled is None:
        raise Refusal(_NO_SESSION)
    before = visible_tools(tools.settings, request_view(request))
    enabled.add(toolset)
    added = [name for name in visible_tools(tools.settings, request_view(request)) if name not in before]
    if added:
        # This session only: the notification goes to its own client. (2026-07-28 requests have no session and
        # never get here; their lists do not change.)
        with suppress(MCPError, AttributeError):
            await ctx.session.send_tool_list_changed()
    return ToolsetChange(toolset=toolset, added=added)
