"""The search toolset (full-text search, the advanced filter), and the triage toolkit's conversation writes.

`CONVERSATION_TOOLS` (set_priority, update_custom_attributes) belong to the "conversations" toolset; they are
declared here so that tools/conversations.py stays as it is.
"""

from chatwoot_mcp.surface.spec import ToolSpec
from chatwoot_mcp.tools.apps import QUEUE_VIEW

__all__ = ["CONVERSATION_TOOLS", "TOOLS"]

TOOLS = [
    ToolSpec(
        "search_conversations", "Search messages", "chatwoot_mcp.guards.search:search_conversations", "search",
        read_only=True, idempotent=True, app=QUEUE_VIEW,
    ),
    ToolSpec(
        "filter_conversations", "Filter conversations", "chatwoot_mcp.guards.filters:filter_conversations", "search",
        read_only=True, idempotent=True, app=QUEUE_VIEW,
    ),
]  # fmt: skip

CONVERSATION_TOOLS = [
    ToolSpec(
        "set_priority", "Set priority", "conversations.set_priority", "conversations",
        read_only=False, idempotent=True, view="chatwoot_mcp.views.client:change_view",
    ),
    ToolSpec(
        "update_custom_attributes", "Update attributes", "chatwoot_mcp.guards.attributes:update_custom_attributes",
        "conversations", read_only=False, destructive=True, idempotent=True,
    ),
]  # fmt: skip
