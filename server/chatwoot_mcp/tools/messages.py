"""The messages toolset: reading a conversation's history, private notes, confirmed replies, and the shared draft
a person sends from Chatwoot's reply box."""

from chatwoot_mcp.surface.spec import ToolSpec
from chatwoot_mcp.tools.apps import CONVERSATION_VIEW

TOOLS = [
    ToolSpec(
        "list_messages", "Read messages", "chatwoot_mcp.guards.messages:list_messages", "messages",
        read_only=True, idempotent=True, app=CONVERSATION_VIEW,
    ),
    ToolSpec(
        "add_private_note", "Add private note", "chatwoot_mcp.guards.replies:add_private_note", "messages",
        read_only=False, verify_with="list_messages",
    ),
    ToolSpec(
        "send_reply", "Send a reply", "chatwoot_mcp.guards.replies:send_reply", "messages",
        read_only=False, verify_with="list_messages", customer_visible=True,
    ),
    ToolSpec(
        "get_draft", "Read draft", "chatwoot_mcp.guards.drafts:get_draft", "messages", read_only=True, idempotent=True,
    ),
    ToolSpec(
        "save_draft", "Save draft", "chatwoot_mcp.guards.drafts:save_draft", "messages",
        read_only=False, idempotent=True, verify_with="get_draft",
    ),
    ToolSpec(
        "clear_draft", "Clear draft", "chatwoot_mcp.guards.drafts:clear_draft", "messages",
        read_only=False, destructive=True, idempotent=True, verify_with="get_draft",
    ),
]  # fmt: skip
