"""The knowledge toolset: canned responses the model can quote from."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_sandbox import SandboxState

from .conftest import structured, text_of


@pytest.mark.anyio
async def test_canned_responses_are_listed_and_searched(client: Client, state: SandboxState) -> None:
    every = structured(await client.call_tool("list_canned_responses", {}))["responses"]
    refund = await client.call_tool("list_canned_responses", {"q": "refund"})
    found = structured(refund)["responses"]
    assert len(every) > len(found) >= 1
    assert found[0]["short_code"] == "refund"
    assert "{{contact.name}}" in found[0]["content"]  # placeholders stay for Chatwoot to fill
    assert "/refund" in text_of(refund)
    assert all(request.method == "GET" for request in state.requests)


@pytest.mark.anyio
async def test_article_search_shows_published_articles_unless_drafts_are_asked_for(client: Client) -> None:
    published = structured(await client.call_tool("search_articles", {"q": "refund"}))["articles"]
    everything = structured(await client.call_tool("search_articles", {"q": "refund", "include_drafts": True}))
    assert published and all(article["status"] == "published" for article in published)
    assert len(everything["articles"]) >= len(published)


@pytest.mark.anyio
async def test_an_article_is_read_as_markdown_within_a_budget(client: Client) -> None:
    hit = structured(await client.call_tool("search_articles", {"q": "password"}))["articles"][0]
    whole = structured(await client.call_tool("get_article", {"portal": hit["portal"], "article_id": hit["id"]}))
    short = structured(
        await client.call_tool("get_article", {"portal": hit["portal"], "article_id": hit["id"], "max_chars": 200})
    )
    assert whole["title"] == hit["title"] and whole["content"]
    assert len(short["content"]) <= 200
    assert short.get("cut") is (len(whole["content"]) > 200)
