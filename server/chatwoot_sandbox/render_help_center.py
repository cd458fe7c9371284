"""JSON shapes of the help center (portals and articles), copied from Chatwoot's jbuilder views like `render.py`."""

from __future__ import annotations

from chatwoot_sandbox.records import Article, Portal
from chatwoot_sandbox.render import JSON, agent_partial
from chatwoot_sandbox.state import SandboxState


def _portal_articles(state: SandboxState, portal: Portal) -> list[Article]:
    return [a for a in state.articles.values() if a.portal_id == portal.id]


def portal(state: SandboxState, portal: Portal, *, with_counts: bool) -> JSON:
    """`portals/_portal`. The index renders it with `articles: []`, so its counts are 0 and null there."""
    articles = _portal_articles(state, portal) if with_counts else []
    categories = [c for c in state.categories.values() if c.portal_id == portal.id]

    def count(status: str) -> int | None:
        return sum(a.status == status for a in articles) if articles else None

    return {
        "id": portal.id,
        "color": portal.color,
        "custom_domain": portal.custom_domain,
        "header_text": portal.header_text,
        "homepage_link": portal.homepage_link,
        "name": portal.name,
        "page_title": portal.page_title,
        "slug": portal.slug,
        "archived": portal.archived,
        "account_id": portal.account_id,
        "config": {
            "allowed_locales": [
                {
                    "code": locale,
                    "articles_count": sum(a.locale == locale for a in _portal_articles(state, portal)),
                    "categories_count": sum(c.locale == locale for c in categories),
                    "draft": False,
                }
                for locale in portal.locales
            ],
            "default_locale": portal.default_locale,
            "layout": "classic",
            "social_profiles": {},
            "locale_translations": {},
        },
        "meta": {
            "all_articles_count": len(articles),
            "archived_articles_count": count("archived"),
            "published_count": count("published"),
            "draft_articles_count": count("draft"),
            "categories_count": len(categories),
            "default_locale": portal.default_locale,
        },
    }


def article(state: SandboxState, article: Article) -> JSON:
    """`articles/_article`: `category` always an object, `author` omitted when missing, no `associated_articles`."""
    category = state.categories.get(article.category_id) if article.category_id is not None else None
    body: JSON = {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "content": article.content,
        "description": article.description,
        "status": article.status,
        "position": article.position,
        "account_id": article.account_id,
        "updated_at": int(article.updated_at),
        "meta": {"title": article.title, "description": article.description, "tags": []},
        "category": {
            "id": category.id if category else None,
            "name": category.name if category else None,
            "slug": category.slug if category else None,
            "locale": category.locale if category else None,
            "icon": category.icon if category else None,
            "icon_color": None,
        },
        "views": article.views,
    }
    author = state.users.get(article.author_id)
    if author is not None:
        body["author"] = agent_partial(author, article.account_id)
    return body


def search_article(state: SandboxState, article: Article) -> JSON:
    """`search/_article`: the /search/articles item, with the full markdown content."""
    category = state.categories.get(article.category_id) if article.category_id is not None else None
    return {
        "id": article.id,
        "title": article.title,
        "locale": article.locale,
        "content": article.content,
        "slug": article.slug,
        "portal_slug": state.portals[article.portal_id].slug,
        "account_id": article.account_id,
        "category_name": category.name if category else None,
        "status": article.status,
        "updated_at": int(article.updated_at),
    }
