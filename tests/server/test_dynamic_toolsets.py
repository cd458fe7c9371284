"""--dynamic-toolsets: a small first tools/list, toolsets enabled on demand, the client told the list changed.

The enabled toolsets belong to one session (2025-era handshake, stdio included) and the list keeps the configured
order, so these tests connect with `mode="legacy"`. A 2026-07-28 request has no session and its list may not depend
on earlier requests: it is shown the whole surface, without the two toolset tools (the last tests here).
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from chatwoot_sandbox import SandboxState

from .conftest import make_server, make_settings, structured, text_of

FIRST = ["list_conversations", "get_conversation", "get_counts", "list_toolsets", "enable_toolset"]
LABELS = ["list_labels", "add_labels", "remove_labels", "set_labels"]


def dynamic_server(state: SandboxState, **env: str) -> Any:
    # wrap_app: a server of its own, so that no other test's session shares it
    return make_server(state, make_settings(CHATWOOT_MCP_DYNAMIC_TOOLSETS="1", **env), wrap_app=lambda app: app)


def session(server: Any, **options: Any) -> Client:
    """A 2025-era session on `server` (where dynamic toolsets apply)."""
    return Client(server, mode="legacy", cache=None, **options)


async def names(client: Client) -> list[str]:
    return [tool.name for tool in (await client.list_tools()).tools]


@pytest.mark.anyio
async def test_first_list_is_the_conversation_read_tools_and_the_two_toolset_tools() -> None:
    async with session(dynamic_server(SandboxState.demo())) as client:
        listing = await client.list_tools()
        assert [tool.name for tool in listing.tools] == FIRST
        assert len(listing.model_dump_json(by_alias=True, exclude_none=True)) < 5000  # the "5 KB"
        refused = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
    assert refused.is_error  # not listed, not callable
    assert "call enable_toolset with toolset 'labels' first" in text_of(refused)


@pytest.mark.anyio
async def test_enabling_a_toolset_notifies_a_legacy_client_and_makes_its_tools_callable() -> None:
    state = SandboxState.demo()
    notified = anyio.Event()

    async def on_message(message: Any) -> None:
        if getattr(message, "method", None) == "notifications/tools/list_changed":
            notified.set()

    async with session(dynamic_server(state), message_handler=on_message) as client:
        change = structured(await client.call_tool("enable_toolset", {"toolset": "labels"}))
        with anyio.fail_after(5):
            await notified.wait()
        assert change["added"] == LABELS
        # The configured order, whatever the order of enabling: the toolset tools stay last.
        assert await names(client) == [*FIRST[:3], *LABELS, *FIRST[3:]]
        added = structured(await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]}))
        again = structured(await client.call_tool("enable_toolset", {"toolset": "labels"}))
    assert added["added"] == ["billing"]
    assert again["added"] == []


@pytest.mark.anyio
async def test_enabling_in_one_session_changes_nothing_for_another() -> None:
    """The defect this fixes: enabled toolsets were the process's, so one client's choice was everyone's."""
    server = dynamic_server(SandboxState.demo())
    heard: list[str] = []

    async def other_hears(message: Any) -> None:
        heard.append(str(getattr(message, "method", message)))

    async with session(server) as one, session(server, message_handler=other_hears) as other:
        await one.call_tool("enable_toolset", {"toolset": "labels"})
        assert "add_labels" in await names(one)
        assert await names(other) == FIRST
        refused = await other.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
        toolsets = structured(await other.call_tool("list_toolsets", {}))["toolsets"]
        await anyio.sleep(0.05)
    assert refused.is_error and "enable_toolset" in text_of(refused)
    assert not any(t["enabled"] for t in toolsets)
    assert "notifications/tools/list_changed" not in heard
    async with session(server) as later:  # a new session starts from the first list again
        assert await names(later) == FIRST


@pytest.mark.anyio
async def test_read_only_and_exclude_still_win() -> None:
    server = dynamic_server(SandboxState.demo(), CHATWOOT_MCP_READ_ONLY="1", CHATWOOT_MCP_EXCLUDE_TOOLS="list_labels")
    async with session(server) as client:
        toolsets = structured(await client.call_tool("list_toolsets", {}))["toolsets"]
        added = structured(await client.call_tool("enable_toolset", {"toolset": "labels"}))["added"]
        messages = structured(await client.call_tool("enable_toolset", {"toolset": "messages"}))["added"]
        refused = await client.call_tool("send_reply", {"conversation_id": 7, "message": "hi"})
    labels = next(t for t in toolsets if t["name"] == "labels")
    assert labels["tools"] == []
    assert added == []
    assert messages == ["list_messages", "get_draft", "get_attachment"]
    assert refused.is_error and "read-only" in text_of(refused)


@pytest.mark.anyio
async def test_an_unknown_toolset_is_refused_with_the_names() -> None:
    async with session(dynamic_server(SandboxState.demo())) as client:
        result = await client.call_tool("enable_toolset", {"toolset": "everything"})
    assert result.is_error
    assert "conversations, " in text_of(result) and "directory" in text_of(result)


@pytest.mark.anyio
async def test_a_2026_request_sees_the_whole_surface_whatever_came_before() -> None:
    """2026-07-28: no session, and a list may not change as a side effect of other requests. So the list is the
    configured surface, in the configured order, without list_toolsets and enable_toolset (which say why)."""
    state = SandboxState.demo()
    async with Client(make_server(state), cache=None) as plain:
        everything = await names(plain)
    async with Client(dynamic_server(state), cache=None) as client:
        first = await names(client)
        refused = await client.call_tool("enable_toolset", {"toolset": "labels"})
        listed = await client.call_tool("list_toolsets", {})
        added = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
        assert await names(client) == first
    assert first == everything
    for result in (refused, listed):
        assert result.is_error and "without a session" in text_of(result), text_of(result)
    assert structured(added)["added"] == ["billing"]
