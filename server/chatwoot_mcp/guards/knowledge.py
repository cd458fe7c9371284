"""The knowledge tools: what the team has already written down (canned responses, help-center articles).

All of it is the team's own text, not the customer's, so it is bounded but not marked untrusted.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.views.base import Compact, View

__all__ = ["get_article", "list_canned_responses", "search_articles"]

ARTICLE_LIMIT = 8000
"""Characters of an article's markdown shown by default; a longer one says how much was cut."""

CONTENT_LIMIT = 1500
"""Characters of a canned response shown; the team's own text, so not marked untrusted, only bounded."""


class CannedItem(Compact):
    id: int
    short_code: str
    content: str


class CannedList(View):
    """Canned responses (saved replies) of the account."""

    responses: list[CannedItem] = Field(default_factory=list)

    def text(self) -> str:
        if not self.responses:
            return "No canned responses match."
        return "\n".join(f"/{item.short_code} ({item.id}): {item.content}" for item in self.responses)


async def list_canned_responses(tools: ToolContext, account_id: int, q: str | None = None) -> CannedList:
    """List canned responses, or those whose short code or text contains `q`.

    Chatwoot fills in placeholders like {{contact.name}} on sending.

    Parameters
    ----------
    q
        e.g. refund
    """
    responses = await tools.client.canned_responses.list(account_id, q.strip() if q and q.strip() else None)
    return CannedList(
        responses=[
            CannedItem(
                id=item.id,
                short_code=item.short_code,
                content=item.content if len(item.content) <= CONTENT_LIMIT else item.content[:CONTENT_LIMIT] + "…",
            )
            for item in responses
        ]
    )


class ArticleItem(Compact):
    id: int
    title: str
    portal: str | None = None
    status: str | None = None
    description: str | None = None


class ArticleList(View):
    """Help-center articles matching a search."""

    articles: list[ArticleItem] = Field(default_factory=list)

    def text(self) -> str:
        if not self.articles:
            return "No articles match."
        return "\n".join(
            f"{a.id} [{a.portal}] {a.title}" + (f" ({a.status})" if a.status != "published" else "")
            for a in self.articles
        )


class ArticleText(View):
    """One article's content as markdown, cut to a budget."""

    id: int
    title: str
    content: str
    cut: bool = False

    def text(self) -> str:
        return f"# {self.title}\n\n{self.content}" + ("\n\n[cut: ask with a larger max_chars]" if self.cut else "")


async def search_articles(
    tools: ToolContext, account_id: int, q: str, include_drafts: bool = False, page: int = 1
) -> ArticleList:
    """Search published help-center articles.

    Parameters
    ----------
    q
        Words to find.
    include_drafts
        Drafts and archived too.
    page
        From 1.
    """
    if not q.strip():
        raise Refusal("q is empty: give words to search for. Nothing was done.")
    found = await tools.client.articles.search(account_id, q.strip(), page)
    return ArticleList(
        articles=[
            ArticleItem(
                id=article.id,
                title=article.title,
                portal=article.portal_slug,
                status=article.status,
                description=(article.description or None),
            )
            for article in found
            if include_drafts or article.is_published
        ]
    )


async def get_article(
    tools: ToolContext,
    account_id: int,
    portal: str,
    article_id: int,
    max_chars: Annotated[int, Field(ge=200, le=100_000)] = ARTICLE_LIMIT,
) -> ArticleText:
    """Read one help-center article as markdown (portal and id from search_articles).

    Parameters
    ----------
    portal
        Portal slug.
    article_id
        Article id.
    max_chars
        Budget.
    """
    article = await tools.client.articles.get(account_id, portal, article_id)
    content = article.content or ""
    cut = len(content) > max_chars
    return ArticleText(id=article.id, title=article.title, content=content[:max_chars], cut=cut)
