"""--dynamic-toolsets: a small first tools/list, toolsets enabled on demand, the client told the list changed."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from chatwoot_sandbox import SandboxState

from .conftest import make_server, make_settings, structured, text_of

FIRST = ["list_conversations", "get_conversation", "get_counts", "list_toolsets", "enable_toolset"]


def dynamic_server(state: SandboxState, **env: str) -> Any:
    # wrap_app: a server of its own, since enabling a toolset changes the server
    return make_server(state, make_settings(CHATWOOT_MCP_DYNAMIC_TOOLSETS="1", **env), wrap_app=lambda app: app)


async def names(client: Client) -> list[str]:
    return [tool.name for tool in (await client.list_tools()).tools]


@pytest.mark.anyio
async def test_first_list_is_the_conversation_read_tools_and_the_two_toolset_tools() -> None:
    async with Client(dynamic_server(SandboxState.demo()), cache=None) as client:
        listing = await client.list_tools()
        assert [tool.name for tool in listing.tools] == FIRST
        assert len(listing.model_dump_json(by_alias=True, exclude_none=True)) < 5000  # the "5 KB"
        refused = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
    assert refused.is_error  # not listed, not callable


@pytest.mark.anyio
async def test_enabling_a_toolset_notifies_a_legacy_client_and_makes_its_tools_callable() -> None:
    state = SandboxState.demo()
    notified = anyio.Event()

    async def on_message(message: Any) -> None:
        if getattr(message, "method", None) == "notifications/tools/list_changed":
            notified.set()

    async with Client(dynamic_server(state), mode="legacy", message_handler=on_message, cache=None) as client:
        change = structured(await client.call_tool("enable_toolset", {"toolset": "labels"}))
        with anyio.fail_after(5):
            await notified.wait()
        assert change["added"] == ["list_labels", "add_labels", "remove_labels", "set_labels"]
        assert await names(client) == [*FIRST, "list_labels", "add_labels", "remove_labels", "set_labels"]
        added = structured(await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]}))
        again = structured(await client.call_tool("enable_toolset", {"toolset": "labels"}))
    assert added["added"] == ["billing"]
    assert again["added"] == []


@pytest.mark.anyio
async def test_a_modern_client_hears_the_change_through_listen() -> None:
    async with Client(dynamic_server(SandboxState.demo()), cache=None) as client:
        async with client.listen(tools_list_changed=True) as subscription:
            await client.call_tool("enable_toolset", {"toolset": "messages"})
            with anyio.fail_after(5):
                event = await subscription.__anext__()
        assert type(event).__name__ == "ToolsListChanged"
        assert "send_reply" in await names(client)


@pytest.mark.anyio
async def test_read_only_and_exclude_still_win() -> None:
    server = dynamic_server(SandboxState.demo(), CHATWOOT_MCP_READ_ONLY="1", CHATWOOT_MCP_EXCLUDE_TOOLS="list_labels")
    async with Client(server, cache=None) as client:
        toolsets = structured(await client.call_tool("list_toolsets", {}))["toolsets"]
        added = structured(await client.call_tool("enable_toolset", {"toolset": "labels"}))["added"]
        messages = structured(await client.call_tool("enable_toolset", {"toolset": "messages"}))["added"]
    labels = next(t for t in toolsets if t["name"] == "labels")
    assert labels["tools"] == [] or set(labels["tools"]) <= {"list_labels"}
    assert added == []
    assert messages == ["list_messages", "get_attachment"]


@pytest.mark.anyio
async def test_an_unknown_toolset_is_refused_with_the_names() -> None:
    async with Client(dynamic_server(SandboxState.demo()), cache=None) as client:
        result = await client.call_tool("enable_toolset", {"toolset": "everything"})
    assert result.is_error
    assert "conversations, " in text_of(result) and "directory" in text_of(result)
