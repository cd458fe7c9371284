"""Full-text search over the account's messages."""

from __future__ import annotations

from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.errors import Refusal
from chatwoot_mcp.triage_views import SearchHit, SearchResults

__all__ = ["SEARCH_PAGE_SIZE", "search_conversations"]

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
