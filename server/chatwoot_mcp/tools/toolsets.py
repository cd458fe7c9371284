"""The two tools of dynamic toolsets (listed only with --dynamic-toolsets): see chatwoot_mcp.surface.toolsets."""

from chatwoot_mcp.surface.spec import ToolSpec

TOOLS = [
    ToolSpec(
        "list_toolsets", "List toolsets", "chatwoot_mcp.guards.toolsets:list_toolsets", "dynamic",
        read_only=True, idempotent=True, open_world=False, output_schema=False,
    ),
    ToolSpec(
        "enable_toolset", "Enable a toolset", "chatwoot_mcp.guards.toolsets:enable_toolset", "dynamic",
        read_only=True, idempotent=True, open_world=False, output_schema=False,
    ),
]  # fmt: skip
