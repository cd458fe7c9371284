"""The search toolset (full-text search, the advanced filter), and the triage toolkit's conversation writes.

`CONVERSATION_TOOLS` (set_priority, update_custom_attributes) belong to the "conversations" toolset; they are
declared here so that tools/conversations.py stays as it is.
"""

from __future__ import annotations

from typing import Any

from chatwoot_client.types import Conversation
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.errors import Refusal
from chatwoot_mcp.guards.attributes import update_custom_attributes
from chatwoot_mcp.guards.filters import filter_conversations
from chatwoot_mcp.registry import ToolSpec
from chatwoot_mcp.triage_views import SearchHit, SearchResults
from chatwoot_mcp.views import ConversationChange

__all__ = ["CONVERSATION_TOOLS", "SEARCH_PAGE_SIZE", "TOOLS", "search_conversations"]

SEARCH_PAGE_SIZE = 25


async def search_conversations(tools: ToolContext, account_id: int, q: str, page: int = 1) -> SearchResults:
    """Find conversations (any status) with a message containing `q`.

    Parameters
    ----------
    q
        e.g. an order number
    page
        From 1.
    """
    if not q.strip():
        raise Refusal("q is empty: give the text to search for.")
    if page < 1:
        raise Refusal("page starts at 1.")
    results = await tools.client.conversations.search(account_id, q.strip(), page)
    return SearchResults(
        q=q.strip(),
        page=page,
        results=[SearchHit.of(result) for result in results],
        next_page=page + 1 if len(results) >= SEARCH_PAGE_SIZE else None,
    )


TOOLS = [
    ToolSpec(
        "search_conversations", "Search messages", search_conversations, "search", read_only=True, idempotent=True,
    ),
    ToolSpec(
        "filter_conversations", "Filter conversations", filter_conversations, "search",
        read_only=True, idempotent=True,
    ),
]  # fmt: skip


def change_view(result: Conversation, arguments: dict[str, Any]) -> ConversationChange:
    return ConversationChange.of(result)


CONVERSATION_TOOLS = [
    ToolSpec(
        "set_priority", "Set priority", "conversations.set_priority", "conversations",
        read_only=False, idempotent=True, view=change_view,
    ),
    ToolSpec(
        "update_custom_attributes", "Update attributes", update_custom_attributes, "conversations",
        read_only=False, destructive=True, idempotent=True,
    ),
]  # fmt: skip
