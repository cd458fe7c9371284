"""Help center: portals and their articles (markdown), as the Application API sends them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field

from chatwoot_client.types._base import ChatwootModel, Timestamp
from chatwoot_client.types.directory import Agent

__all__ = ["Article", "ArticleCategory", "ArticleList", "Portal"]


class Portal(ChatwootModel):
    """A help center. API paths name it by `slug`. In a list its `meta` article counts are 0/null."""

    id: int
    name: str
    slug: str
    archived: bool = False
    account_id: int | None = None
    header_text: str | None = None
    homepage_link: str | None = None
    page_title: str | None = None
    custom_domain: str | None = None
    color: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)


class ArticleCategory(ChatwootModel):
    """An article's category; every field is None for an uncategorised article."""

    id: int | None = None
    name: str | None = None
    slug: str | None = None
    locale: str | None = None


class Article(ChatwootModel):
    """A help-center article; `content` is markdown. `status` is draft, published or archived.

    From a portal's list it has `category`, `author` and `description`; from /search/articles it has `portal_slug`,
    `category_name` and `locale` instead.
    """

    id: int
    title: str
    slug: str | None = None
    content: str | None = None
    description: str | None = None
    status: str | None = None
    locale: str | None = None
    position: int | None = None
    views: int | None = None
    account_id: int | None = None
    updated_at: Timestamp = None
    category: ArticleCategory | None = None
    author: Agent | None = None
    portal_slug: str | None = None
    category_name: str | None = None

    @property
    def is_published(self) -> bool:
        """Visible to customers in the public help center."""
        return self.status == "published"


class ArticleList(list[Article]):
    """One page (at most 25) of a portal's articles, with the portal's counts (which ignore status/author filters)."""

    def __init__(self, articles: Iterable[Article], *, page: int, meta: dict[str, Any]) -> None:
        super().__init__(articles)
        self.page = page
        self.meta = meta

    @property
    def total(self) -> int | None:
        """Articles in the portal (of the locale and category asked for), before status and search filters."""
        count = self.meta.get("articles_count")
        return count if isinstance(count, int) else None
