"""save_draft, get_draft and clear_draft through an in-memory MCP client: a write, not a send (no question, no
message), a colleague's different draft kept unless replace=true, every write read back."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_sandbox import SandboxState

from .conftest import Asker, connect, make_server, structured, text_of

pytestmark = pytest.mark.anyio

C = 3


def messages_of(state: SandboxState) -> int:
    return len(state.conversation(1, C).messages)


async def test_save_then_get_asks_nobody_and_sends_nothing(state: SandboxState, mode: str) -> None:
    asker = Asker("decline")
    before = messages_of(state)
    async with connect(make_server(state), mode, asker) as client:
        saved = await client.call_tool(
            "save_draft", {"conversation_id": C, "content": "Hi! Your refund is on its way."}
        )
        read = await client.call_tool("get_draft", {"conversation_id": C})
    assert structured(saved) == {"conversation_id": C, "draft": "Hi! Your refund is on its way."}
    assert "Not sent: a person reviews and sends it" in text_of(saved)
    assert structured(read)["draft"] == "Hi! Your refund is on its way."
    assert state.conversation(1, C).draft_message == "Hi! Your refund is on its way."
    assert asker.questions == [], "a draft is not a send: no confirmation"
    assert messages_of(state) == before
    methods = [(r.method, r.path.rsplit("/", 1)[-1]) for r in state.requests if "draft_messages" in r.path]
    assert methods[:3] == [("GET", "draft_messages"), ("PUT", "draft_messages"), ("GET", "draft_messages")]


async def test_a_different_draft_is_kept_unless_replace(client: Client, state: SandboxState) -> None:
    state.conversation(1, C).draft_message = "Hello Ana, I checked your invoice and the second charge was a hold"
    refused = await client.call_tool("save_draft", {"conversation_id": C, "content": "Something else"})
    text = text_of(refused)
    assert refused.is_error and "already has a different draft (Chatwoot does not record who wrote it)" in text
    assert '"Hello Ana, I checked your invoice' in text and "replace=true" in text and "Nothing was written" in text
    assert (state.conversation(1, C).draft_message or "").startswith("Hello Ana")
    replaced = structured(
        await client.call_tool("save_draft", {"conversation_id": C, "content": "Something else", "replace": True})
    )
    assert replaced["replaced"].startswith("Hello Ana, I checked") and replaced["draft"] == "Something else"
    # Now it is this user's own draft: refining it needs no replace, and neither does clearing it.
    again = await client.call_tool("save_draft", {"conversation_id": C, "content": "Something better"})
    assert not again.is_error, text_of(again)
    cleared = structured(await client.call_tool("clear_draft", {"conversation_id": C}))
    assert cleared["replaced"] == "Something better" and "draft" not in cleared
    assert state.conversation(1, C).draft_message is None
    none = await client.call_tool("clear_draft", {"conversation_id": C})
    assert "had no draft" in text_of(none)


async def test_clearing_someone_elses_draft_needs_replace(client: Client, state: SandboxState) -> None:
    state.conversation(1, C).draft_message = "A colleague's careful answer"
    refused = await client.call_tool("clear_draft", {"conversation_id": C})
    assert refused.is_error and "clear it only if they agree, with replace=true" in text_of(refused)
    assert state.conversation(1, C).draft_message == "A colleague's careful answer"
    assert not (await client.call_tool("clear_draft", {"conversation_id": C, "replace": True})).is_error
    assert state.conversation(1, C).draft_message is None


async def test_empty_text_is_not_a_way_to_clear(client: Client, state: SandboxState) -> None:
    state.conversation(1, C).draft_message = "keep me"
    result = await client.call_tool("save_draft", {"conversation_id": C, "content": " \u200b "})
    assert result.is_error and "use clear_draft" in text_of(result)
    assert state.conversation(1, C).draft_message == "keep me"


async def test_a_save_that_does_not_read_back_is_not_called_done(client: Client, state: SandboxState) -> None:
    # Chatwoot answers the PUT 200 without storing it (another writer, or something in front of Chatwoot).
    state.inject_fault(200, method="PUT", path_contains="draft_messages")
    result = await client.call_tool("save_draft", {"conversation_id": C, "content": "Lost draft"})
    assert result.is_error and "may have been applied" in text_of(result) and "get_draft" in text_of(result)


def test_draft_tools_are_writes_that_need_no_send_scope() -> None:
    from chatwoot_mcp.surface.scopes import WRITE, scope_needed
    from chatwoot_mcp.tools import ALL_TOOLS

    specs = {spec.name: spec for spec in ALL_TOOLS}
    for name in ("save_draft", "clear_draft"):
        assert not specs[name].customer_visible and scope_needed(specs[name]) == WRITE
    assert specs["clear_draft"].destructive and not specs["save_draft"].destructive
    assert specs["get_draft"].read_only
