"""Help center against the sandbox, async and sync: portals, a portal's articles, /search/articles, one article."""

from __future__ import annotations

import pytest

from chatwoot_client import ChatwootAuthError, ChatwootNotFoundError
from chatwoot_client.types import Article, ArticleList, Portal
from chatwoot_sandbox import AGENT_TOKEN, DEMO_ACCOUNT_ID, SandboxState
from chatwoot_sandbox.seed_help_center import (
    DEVELOPER_PORTAL_SLUG,
    DRAFT_ARTICLE_ID,
    HELP_PORTAL_SLUG,
    PASSWORD_ARTICLE_ID,
)
from tests.client.conftest import AnyClient, Connect, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID


async def test_portals_lists_both_with_index_counts(client: AnyClient) -> None:
    portals = await resolve(client.portals.list(ACCOUNT))

    assert all(isinstance(p, Portal) for p in portals)
    assert [p.slug for p in portals] == [HELP_PORTAL_SLUG, DEVELOPER_PORTAL_SLUG]
    assert portals[0].meta["all_articles_count"] == 0 and portals[0].meta["published_count"] is None


async def test_articles_lists_a_portal_newest_first_with_counts(client: AnyClient, state: SandboxState) -> None:
    articles = await resolve(client.articles.list(ACCOUNT, HELP_PORTAL_SLUG))

    assert isinstance(articles, ArticleList) and all(isinstance(a, Article) for a in articles)
    mine = [a for a in state.articles.values() if a.portal_id == 1]
    assert [a.id for a in articles] == [a.id for a in sorted(mine, key=lambda a: -a.updated_at)]
    assert articles.total == len(mine) and articles.meta["draft_articles_count"] == 1
    password = next(a for a in articles if a.id == PASSWORD_ARTICLE_ID)
    assert password.is_published and password.category and password.category.name == "Account"
    assert password.author is not None and password.content and password.content.startswith("## Reset")


async def test_articles_filter_by_status_keeps_the_portal_counts(client: AnyClient) -> None:
    published = await resolve(client.articles.list(ACCOUNT, HELP_PORTAL_SLUG, status="published"))
    assert {a.status for a in published} == {"published"} and published.total == 5
    by_category = await resolve(client.articles.list(ACCOUNT, HELP_PORTAL_SLUG, category_slug="billing"))
    assert [a.position for a in by_category] == sorted(a.position or 0 for a in by_category)


async def test_search_covers_every_portal_and_includes_drafts(client: AnyClient, state: SandboxState) -> None:
    found = await resolve(client.articles.search(ACCOUNT, "password"))

    assert found[0].id == PASSWORD_ARTICLE_ID and found[0].portal_slug == HELP_PORTAL_SLUG
    assert DRAFT_ARTICLE_ID in {a.id for a in found}, "drafts are searched too"
    assert found[0].category_name == "Account" and found[0].content
    assert dict(state.requests[-1].query) == {"q": "password", "page": "1"}
    assert "/search/articles" in state.requests[-1].path
    api = await resolve(client.articles.search(ACCOUNT, "token"))
    assert {a.portal_slug for a in api} == {DEVELOPER_PORTAL_SLUG}


async def test_agents_search_and_list_but_get_401_on_one_article(connect: Connect) -> None:
    agent = connect(AGENT_TOKEN)
    assert await resolve(agent.articles.search(ACCOUNT, "refund"))
    assert await resolve(agent.articles.list(ACCOUNT, HELP_PORTAL_SLUG))
    with pytest.raises(ChatwootAuthError):
        await resolve(agent.articles.get(ACCOUNT, HELP_PORTAL_SLUG, PASSWORD_ARTICLE_ID))
    admin_view = await resolve(connect().articles.get(ACCOUNT, HELP_PORTAL_SLUG, PASSWORD_ARTICLE_ID))
    assert admin_view.title == "Reset your password"


async def test_unknown_portals_and_articles_404_and_bad_slugs_are_refused(
    client: AnyClient, state: SandboxState
) -> None:
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.articles.list(ACCOUNT, "nope"))
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.articles.get(ACCOUNT, DEVELOPER_PORTAL_SLUG, PASSWORD_ARTICLE_ID))
    count = len(state.requests)
    for slug in ("../conversations", "a/b", "..", ""):
        with pytest.raises(ValueError):
            await resolve(client.articles.list(ACCOUNT, slug))
    with pytest.raises(ValueError):
        await resolve(client.articles.search(ACCOUNT, " "))
    assert len(state.requests) == count
