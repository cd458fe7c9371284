"""The messages toolset's attachment tool: reading a file a message carries (chatwoot_mcp.guards.attachments)."""

from chatwoot_mcp.surface.spec import ToolSpec

TOOLS = [
    ToolSpec(
        "get_attachment", "Read an attachment", "chatwoot_mcp.guards.attachments:get_attachment", "messages",
        read_only=True, idempotent=True,
    ),
]  # fmt: skip
