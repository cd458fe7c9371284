"""The conversations toolset: reading, creating, assigning and changing conversations."""

from chatwoot_mcp.surface.spec import ToolSpec
from chatwoot_mcp.tools.apps import CONVERSATION_VIEW, QUEUE_VIEW

GUARDS = "chatwoot_mcp.guards.conversations"
VIEWS = "chatwoot_mcp.views.client"

TOOLS = [
    ToolSpec(
        "list_conversations", "List conversations", "conversations.list", "conversations",
        read_only=True, idempotent=True, view=f"{VIEWS}:page_view", app=QUEUE_VIEW,
    ),
    ToolSpec(
        "get_conversation", "Get conversation", "chatwoot_mcp.guards.composer:get_conversation", "conversations",
        read_only=True, idempotent=True, app=CONVERSATION_VIEW,
    ),
    ToolSpec(
        "get_counts", "Count conversations", "chatwoot_mcp.guards.counts:get_counts", "conversations",
        read_only=True, idempotent=True,
    ),
    ToolSpec(
        "create_conversation", "Create conversation", f"{GUARDS}:create_conversation", "conversations",
        read_only=False, verify_with="list_conversations", customer_visible=True,
    ),
    ToolSpec(
        "update_conversation", "Update conversation", f"{GUARDS}:update_conversation", "conversations",
        read_only=False, idempotent=True,
    ),
    ToolSpec(
        "assign_conversation", "Assign conversation", f"{GUARDS}:assign_conversation", "conversations",
        read_only=False, idempotent=True,
    ),
    ToolSpec(
        "toggle_status", "Set status", f"{GUARDS}:toggle_status", "conversations", read_only=False, idempotent=True,
    ),
]  # fmt: skip
