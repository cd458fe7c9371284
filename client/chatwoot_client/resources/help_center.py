"""Help center: portals and articles. Not in the Chatwoot SDK.

Agents may list and search articles but get 401 on a single article (administrators only); /search/articles
works for every member and holds the full markdown, drafts and archived articles included.
"""

from __future__ import annotations

import re
from typing import Literal

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.types import Article, ArticleList, Portal

__all__ = ["ArticlesResource", "AsyncArticlesResource", "AsyncPortalsResource", "PortalsResource"]

ArticleStatus = Literal["draft", "published", "archived"]
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _account(account_id: int) -> str:
    return f"/api/v1/accounts/{path_id('account_id', account_id)}"


def _slug(portal_slug: str) -> str:
    """A portal slug that is safe in a URL path: no slashes, dots-only or other characters that add segments."""
    if not isinstance(portal_slug, str) or not _SLUG.fullmatch(portal_slug) or set(portal_slug) <= {"."}:
        raise ValueError(f"portal_slug must be a portal's slug (letters, digits, - and _), got {portal_slug!r}")
    return portal_slug


def portals_list_op(account_id: int) -> Operation[list[Portal]]:
    body = yield APIRequest("GET", f"{_account(account_id)}/portals")
    return [Portal.model_validate(item) for item in body["payload"]]


def articles_list_op(
    account_id: int,
    portal_slug: str,
    page: int,
    locale: str | None,
    query: str | None,
    category_slug: str | None,
    status: str | None,
) -> Operation[ArticleList]:
    params = {"page": page, "locale": locale, "query": query, "category_slug": category_slug, "status": status}
    body = yield APIRequest("GET", f"{_account(account_id)}/portals/{_slug(portal_slug)}/articles", params)
    return ArticleList((Article.model_validate(a) for a in body["payload"]), page=max(page, 1), meta=body["meta"])


def articles_search_op(account_id: int, q: str, page: int) -> Operation[list[Article]]:
    if not q.strip():
        raise ValueError("q must not be empty")
    body = yield APIRequest("GET", f"{_account(account_id)}/search/articles", {"q": q, "page": page})
    return [Article.model_validate(a) for a in body["payload"]["articles"]]


def articles_get_op(account_id: int, portal_slug: str, article_id: int) -> Operation[Article]:
    path = f"{_account(account_id)}/portals/{_slug(portal_slug)}/articles/{path_id('article_id', article_id)}"
    body = yield APIRequest("GET", path)
    return Article.model_validate(body["payload"])


class AsyncPortalsResource(AsyncResource):
    """Help-center portals of an account (async)."""

    async def list(self, account_id: int) -> list[Portal]:
        """List the account's help-center portals, archived ones included.

        Parameters
        ----------
        account_id
            The account ID.
        """
        return await self._client.run(portals_list_op(account_id))


class PortalsResource(SyncResource):
    """Help-center portals of an account."""

    @docs_from(AsyncPortalsResource.list)
    def list(self, account_id: int) -> list[Portal]:
        return self._client.run(portals_list_op(account_id))


class AsyncArticlesResource(AsyncResource):
    """Help-center articles (async)."""

    async def list(
        self,
        account_id: int,
        portal_slug: str,
        page: int = 1,
        *,
        locale: str | None = None,
        query: str | None = None,
        category_slug: str | None = None,
        status: ArticleStatus | None = None,
    ) -> ArticleList:
        """List a portal's articles, 25 per page, most recently updated first (by position within a category).

        Parameters
        ----------
        account_id
            The account ID.
        portal_slug
            The portal's slug.
        page
            Page number, from 1.
        locale
            Only articles in this locale, e.g. "en".
        query
            Full-text filter (results keep the date order, not relevance).
        category_slug
            Only articles of this category.
        status
            draft, published or archived.
        """
        return await self._client.run(
            articles_list_op(account_id, portal_slug, page, locale, query, category_slug, status)
        )

    async def search(self, account_id: int, q: str, page: int = 1) -> list[Article]:
        """Full-text search over every portal's articles, best match first, 15 per page; drafts included.

        Parameters
        ----------
        account_id
            The account ID.
        q
            Words to find (prefix match) in titles, descriptions and content.
        page
            Page number, from 1.
        """
        return await self._client.run(articles_search_op(account_id, q, page))

    async def get(self, account_id: int, portal_slug: str, article_id: int) -> Article:
        """Get one article. Administrators only: Chatwoot answers agents 401 (use search for its content).

        Parameters
        ----------
        account_id
            The account ID.
        portal_slug
            The portal's slug.
        article_id
            The article's numeric id.
        """
        return await self._client.run(articles_get_op(account_id, portal_slug, article_id))


class ArticlesResource(SyncResource):
    """Help-center articles."""

    @docs_from(AsyncArticlesResource.list)
    def list(
        self,
        account_id: int,
        portal_slug: str,
        page: int = 1,
        *,
        locale: str | None = None,
        query: str | None = None,
        category_slug: str | None = None,
        status: ArticleStatus | None = None,
    ) -> ArticleList:
        return self._client.run(articles_list_op(account_id, portal_slug, page, locale, query, category_slug, status))

    @docs_from(AsyncArticlesResource.search)
    def search(self, account_id: int, q: str, page: int = 1) -> list[Article]:
        return self._client.run(articles_search_op(account_id, q, page))

    @docs_from(AsyncArticlesResource.get)
    def get(self, account_id: int, portal_slug: str, article_id: int) -> Article:
        return self._client.run(articles_get_op(account_id, portal_slug, article_id))
