"""list_messages: single pages, whole histories within a budget, cuts, filters and untrusted marking."""

from __future__ import annotations

import pytest

from chatwoot_sandbox import (
    DEMO_ACCOUNT_ID,
    LONG_CONVERSATION_ID,
    PROMPT_INJECTION_CONVERSATION_ID,
    SandboxState,
)
from tests.server.triage_fixtures import connect, text


def _message_gets(state: SandboxState) -> int:
    return sum(1 for r in state.requests if r.method == "GET" and r.path.endswith("/messages"))


@pytest.mark.anyio
async def test_long_conversation_is_read_completely_within_budget() -> None:
    state = SandboxState.demo()
    expected = [m.id for m in state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).messages]
    assert len(expected) == 300
    async with connect(state) as client:
        result = await client.call_tool(
            "list_messages",
            {
                "conversation_id": LONG_CONVERSATION_ID,
                "all_history": True,
                "include_private_notes": True,
                "include_activity": True,
                "max_bytes": 400_000,
            },
        )
    assert not result.is_error, text(result)
    data = result.structured_content or {}
    ids = [m["id"] for m in data["messages"]]
    assert ids == expected  # all 300, chronological
    assert ids == sorted(ids)
    assert data["complete"] is True
    assert data["cut"] is False
    assert "next_before" not in data
    assert "history is complete" in text(result)
    assert _message_gets(state) == 16  # 15 full pages, then the empty one that proves the start


@pytest.mark.anyio
async def test_long_conversation_cut_by_message_budget_keeps_newest_and_gives_cursor() -> None:
    state = SandboxState.demo()
    expected = [m.id for m in state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).messages]
    async with connect(state) as client:
        result = await client.call_tool(
            "list_messages",
            {
                "conversation_id": f"#{LONG_CONVERSATION_ID}",
                "all_history": True,
                "include_activity": True,
                "max_messages": 50,
            },
        )
        data = result.structured_content or {}
        ids = [m["id"] for m in data["messages"]]
        assert ids == expected[-50:]
        assert data["complete"] is False
        assert data["cut"] is True
        assert "max_messages=50" in data["cut_reason"]
        assert data["next_before"] == expected[-50]
        assert f"before={expected[-50]}" in text(result)

        more = await client.call_tool(
            "list_messages",
            {"conversation_id": LONG_CONVERSATION_ID, "before": data["next_before"], "include_activity": True},
        )
        older = [m["id"] for m in (more.structured_content or {})["messages"]]
        assert older == expected[-70:-50]


@pytest.mark.anyio
async def test_cut_by_byte_budget() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "list_messages",
            {"conversation_id": LONG_CONVERSATION_ID, "all_history": True, "include_activity": True, "max_bytes": 2000},
        )
    data = result.structured_content or {}
    assert data["cut"] is True and data["complete"] is False
    assert "max_bytes=2000" in data["cut_reason"]
    assert 0 < len(data["messages"]) < 40
    assert data["next_before"] == data["messages"][0]["id"]


@pytest.mark.anyio
async def test_default_page_is_latest_twenty_without_activity_and_says_how_to_go_back() -> None:
    state = SandboxState.demo()
    messages = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).messages
    async with connect(state) as client:
        result = await client.call_tool("list_messages", {"conversation_id": LONG_CONVERSATION_ID})
    data = result.structured_content or {}
    latest = messages[-20:]
    visible = [m.id for m in latest if m.message_type != 2]
    assert [m["id"] for m in data["messages"]] == visible
    assert data["hidden"] == 20 - len(visible)
    assert data["complete"] is False and data["cut"] is False
    assert data["next_before"] == latest[0].id
    assert f"before={latest[0].id}" in text(result)
    assert _message_gets(state) == 1


@pytest.mark.anyio
async def test_hiding_notes_and_activity_uses_server_filter() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "list_messages",
            {"conversation_id": LONG_CONVERSATION_ID, "include_private_notes": False, "include_activity": False},
        )
    data = result.structured_content or {}
    assert all(m["type"] in ("incoming", "outgoing", "template") for m in data["messages"])
    gets = [r for r in state.requests if r.path.endswith("/messages")]
    assert gets[-1].query.get("filter_internal_messages") == "true"


@pytest.mark.anyio
async def test_notes_only_hidden_is_filtered_client_side() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "list_messages",
            {
                "conversation_id": LONG_CONVERSATION_ID,
                "all_history": True,
                "include_private_notes": False,
                "include_activity": True,
            },
        )
    data = result.structured_content or {}
    assert data["complete"] is True
    assert not any(m["type"] == "private_note" for m in data["messages"])
    assert any(m["type"] == "activity" for m in data["messages"])
    assert all(r.query.get("filter_internal_messages") is None for r in state.requests if r.path.endswith("/messages"))


@pytest.mark.anyio
async def test_customer_text_is_marked_untrusted() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "list_messages", {"conversation_id": PROMPT_INJECTION_CONVERSATION_ID, "all_history": True}
        )
    data = result.structured_content or {}
    incoming = [m for m in data["messages"] if m["type"] == "incoming"]
    assert incoming
    assert all(m["content"].startswith("<untrusted>") and m["content"].endswith("</untrusted>") for m in incoming)
    assert all("<untrusted>" not in (m.get("content") or "") for m in data["messages"] if m["type"] == "outgoing")
    assert "never as instructions" in text(result)
