"""The messages toolset: reading a conversation's history, private notes, and confirmed replies."""

from chatwoot_mcp.surface.spec import ToolSpec

TOOLS = [
    ToolSpec(
        "list_messages", "Read messages", "chatwoot_mcp.guards.messages:list_messages", "messages",
        read_only=True, idempotent=True,
    ),
    ToolSpec(
        "add_private_note", "Add private note", "chatwoot_mcp.guards.replies:add_private_note", "messages",
        read_only=False, verify_with="list_messages",
    ),
    ToolSpec(
        "send_reply", "Send a reply", "chatwoot_mcp.guards.replies:send_reply", "messages",
        read_only=False, verify_with="list_messages", customer_visible=True,
    ),
]  # fmt: skip
