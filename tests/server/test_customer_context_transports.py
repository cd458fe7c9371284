"""The customer-context tools over real transports: a `chatwoot-mcp --sandbox` subprocess on stdio and on HTTP."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import ImageContent, TextResourceContents

from chatwoot_sandbox import SCREENSHOT_CONVERSATION_ID

from .conftest import REPO, http_server, structured, subprocess_env, text_of

pytestmark = pytest.mark.anyio


async def exercise(client: Client) -> None:
    """Who the customer is, what the team wrote down, what they attached: each tool once, checked."""
    contacts = structured(await client.call_tool("search_contacts", {"q": "ethan"}))["contacts"]
    assert {contact["id"] for contact in contacts} >= {1, 31, 61}
    who = await client.call_tool("get_contact", {"conversation_id": 12})
    assert not who.is_error and "<untrusted>" in text_of(who)
    labelled = await client.call_tool("add_contact_labels", {"contact_id": 1, "labels": ["vip"]})
    assert not labelled.is_error and "vip" in structured(labelled)["after"]
    canned = structured(await client.call_tool("list_canned_responses", {"q": "refund"}))["responses"]
    assert canned[0]["short_code"] == "refund"
    [hit, *_] = structured(await client.call_tool("search_articles", {"q": "password"}))["articles"]
    article = await client.call_tool("get_article", {"portal": hit["portal"], "article_id": hit["id"]})
    assert structured(article)["content"]
    watchers = await client.call_tool("list_participants", {"conversation_id": 7})
    assert not watchers.is_error
    history = structured(await client.call_tool("list_messages", {"conversation_id": SCREENSHOT_CONVERSATION_ID}))
    [ref] = [file for message in history["messages"] for file in message.get("files", [])]
    image = await client.call_tool(
        "get_attachment", {"conversation_id": SCREENSHOT_CONVERSATION_ID, "attachment_id": ref["id"]}
    )
    [block] = [b for b in image.content if isinstance(b, ImageContent)]
    assert base64.b64decode(block.data).startswith(b"\x89PNG\r\n\x1a\n")
    [contents] = (await client.read_resource("chatwoot://contacts/103")).contents
    assert isinstance(contents, TextResourceContents) and "CRM-Park-77" in contents.text


async def test_over_stdio() -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "chatwoot_mcp", "--sandbox"], env=subprocess_env(), cwd=str(REPO)
    )
    with anyio.fail_after(60):
        async with Client(params) as client:
            await exercise(client)


async def test_over_streamable_http(tmp_path: Path) -> None:
    async with http_server(tmp_path, "streamable-http") as server:
        with anyio.fail_after(60):
            async with Client(f"{server.base}/mcp") as client:
                await exercise(client)
