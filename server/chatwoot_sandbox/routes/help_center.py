"""Help center: portals, their articles, and the account-wide article search."""

from __future__ import annotations

from starlette.responses import Response

import chatwoot_sandbox.render_help_center as render_help_center
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import NOT_AUTHORIZED, ServerError, not_found, unauthorized
from chatwoot_sandbox.finders import (
    ARTICLES_PER_PAGE,
    SEARCH_ARTICLES_PER_PAGE,
    kaminari_page,
    paginate,
    ruby_to_i,
    text_search,
)
from chatwoot_sandbox.records import Article, Portal
from chatwoot_sandbox.routes.common import current_page, ok


def _is_admin(ctx: Context) -> bool:
    user = ctx.actor.user
    return user is not None and user.role_in(ctx.account_id) == "administrator"


def _portal(ctx: Context) -> Portal | None:
    slug = ctx.path_params["portal_slug"]
    return next((p for p in ctx.state.portals.values() if p.account_id == ctx.account_id and p.slug == slug), None)


def list_portals(ctx: Context) -> Response:
    """portals#index: every portal (archived too), unpaginated; the per-portal article counts are 0/null here."""
    portals = sorted((p for p in ctx.state.portals.values() if p.account_id == ctx.account_id), key=lambda p: p.id)
    return ok(
        {
            "payload": [render_help_center.portal(ctx.state, p, with_counts=False) for p in portals],
            "meta": {"current_page": 1, "portals_count": len(portals)},
        }
    )


def show_portal(ctx: Context) -> Response:
    """portals#show: real counts. An unknown slug is `nil.articles` (find_by, not find_by!): a 500, not a 404."""
    portal = _portal(ctx)
    if portal is None:
        raise ServerError("undefined method `articles' for nil")
    return ok(render_help_center.portal(ctx.state, portal, with_counts=True))


def _portal_or_404(ctx: Context) -> Portal:
    portal = _portal(ctx)
    if portal is None:
        raise not_found()
    return portal


def list_articles(ctx: Context) -> Response:
    """articles#index: any member; filters, 25 per page by updated_at DESC (position ASC with a category), even
    when searching; the meta counts ignore the status and author filters."""
    portal = _portal_or_404(ctx)
    everything = [a for a in ctx.state.articles.values() if a.portal_id == portal.id]
    articles = list(everything)
    locale = ctx.param("locale")
    if locale:
        articles = [a for a in articles if a.locale == locale]
    category_slug = ctx.param("category_slug")
    if category_slug:
        wanted = {c.id for c in ctx.state.categories.values() if c.portal_id == portal.id and c.slug == category_slug}
        articles = [a for a in articles if a.category_id in wanted]
    counted = list(articles)
    query = ctx.param("query")
    if query:
        articles = text_search(articles, str(query))
    status = ctx.param("status")
    if status:
        articles = [a for a in articles if a.status == status]
    author_id = ctx.param("author_id")
    if author_id:
        articles = [a for a in articles if a.author_id == ruby_to_i(author_id)]
    if category_slug:
        articles.sort(key=lambda a: a.position)
    else:
        articles.sort(key=lambda a: a.updated_at, reverse=True)
    page = paginate(articles, kaminari_page(ctx.param("page")), ARTICLES_PER_PAGE)
    # `mine_articles_count` is left out: the view adds it only when devise's `current_user` is set, which token
    # auth probably leaves nil (chatwoot-api-contacts.md §6 calls it unverified; we follow the code's reading).
    meta = {
        "all_articles_count": len(everything),
        "archived_articles_count": sum(a.status == "archived" for a in counted),
        "articles_count": len(counted),
        "current_page": current_page(ctx),
        "draft_articles_count": sum(a.status == "draft" for a in counted),
        "published_count": sum(a.status == "published" for a in counted),
    }
    return ok({"payload": [render_help_center.article(ctx.state, a) for a in page], "meta": meta})


def show_article(ctx: Context) -> Response:
    """articles#show: administrators only (ArticlePolicy#show?), so agents get 401; `{id}` is the numeric id."""
    portal = _portal_or_404(ctx)
    if not _is_admin(ctx):
        raise unauthorized(NOT_AUTHORIZED)
    found: Article | None = ctx.state.articles.get(ruby_to_i(ctx.path_params["article_id"]))
    if found is None or found.portal_id != portal.id:
        raise not_found()
    return ok({"payload": render_help_center.article(ctx.state, found)})


def search_articles(ctx: Context) -> Response:
    """search#articles: every portal of the account and every status (drafts too), by rank, 15 per page."""
    articles = [a for a in ctx.state.articles.values() if a.account_id == ctx.account_id]
    found = text_search(articles, str(ctx.param("q") or ""))
    page = paginate(found, kaminari_page(ctx.param("page")), SEARCH_ARTICLES_PER_PAGE)
    return ok({"payload": {"articles": [render_help_center.search_article(ctx.state, a) for a in page]}})
