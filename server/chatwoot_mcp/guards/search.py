"""Full-text search over the account's messages."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from chatwoot_client.types import SearchResult
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.edges.progress import WalkProgress
from chatwoot_mcp.views.triage import SearchHit, SearchResults

__all__ = ["MAX_PAGES", "SEARCH_PAGE_SIZE", "search_conversations"]

SEARCH_PAGE_SIZE = 25
MAX_PAGES = 10
"""The most pages one search call reads (250 conversations)."""


async def search_conversations(
    tools: ToolContext,
    account_id: int,
    q: str,
    page: int = 1,
    pages: Annotated[int, Field(ge=1, le=MAX_PAGES)] = 1,
    ctx: Context | None = None,
) -> SearchResults:
    """Find conversations (any status) with a message containing `q`.

    Parameters
    ----------
    q
        e.g. an order number
    page
        From 1.
    pages
        Pages to read from `page` on.
    """
    if not q.strip():
        raise Refusal("q is empty: give the text to search for.")
    if page < 1:
        raise Refusal("page starts at 1.")
    found: dict[int, SearchResult] = {}
    current = page
    last = page + pages - 1
    with WalkProgress(ctx, "search_conversations") as progress:
        while True:
            results = await tools.client.conversations.search(account_id, q.strip(), current)
            for result in results:
                found.setdefault(result.id, result)
            more = len(results) >= SEARCH_PAGE_SIZE
            if not more or current >= last or progress.out_of_time():
                # Chatwoot gives no count: until a short page, the total is the pages asked for, an estimate.
                await progress.page(progress.pages + 1)
                break
            await progress.page(last - page + 1, estimated=True)
            current += 1
    return SearchResults(
        q=q.strip(),
        page=current,
        first_page=page if page < current else None,
        results=[SearchHit.of(result) for result in found.values()],
        next_page=current + 1 if more else None,
    )
