"""send_reply (confirmation, duplicates, no retries) and add_private_note."""

from __future__ import annotations

import pytest

from chatwoot_sandbox import DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID, SandboxState
from tests.server.triage_fixtures import Asker, connect, posts, text

CONVERSATION = LONG_CONVERSATION_ID
REPLY = "Hi! Your refund was processed today."


def _outgoing_public(state: SandboxState, content: str) -> list[object]:
    messages = state.conversation(DEMO_ACCOUNT_ID, CONVERSATION).messages
    return [m for m in messages if m.content == content and not m.private and m.message_type == 1]


@pytest.mark.anyio
async def test_reply_without_confirmation_is_refused_and_nothing_is_posted() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool("send_reply", {"conversation_id": CONVERSATION, "content": REPLY})
    assert result.is_error
    assert "Nothing was sent." in text(result)
    assert "confirm=true" in text(result)
    assert posts(state, "/messages") == []
    assert _outgoing_public(state, REPLY) == []


@pytest.mark.anyio
async def test_reply_with_confirm_is_sent_exactly_once() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
        )
    assert not result.is_error, text(result)
    data = result.structured_content or {}
    assert data["reached_customer"] is True
    assert "SENT to the customer" in text(result)
    assert len(posts(state, "/messages")) == 1
    assert posts(state, "/messages")[0].json["private"] is False
    assert len(_outgoing_public(state, REPLY)) == 1


@pytest.mark.anyio
async def test_reply_confirmed_by_accepting_elicitation() -> None:
    state = SandboxState.demo()
    asker = Asker("accept")
    async with connect(state, asker) as client:
        result = await client.call_tool("send_reply", {"conversation_id": CONVERSATION, "content": REPLY})
    assert not result.is_error, text(result)
    assert len(asker.questions) == 1
    assert "CUSTOMER" in asker.questions[0] and REPLY in asker.questions[0]
    assert len(posts(state, "/messages")) == 1


@pytest.mark.anyio
async def test_elicitation_is_asked_even_with_confirm_and_decline_sends_nothing() -> None:
    state = SandboxState.demo()
    asker = Asker("decline")
    async with connect(state, asker) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
        )
    assert result.is_error
    assert len(asker.questions) == 1
    assert posts(state, "/messages") == []


@pytest.mark.anyio
async def test_duplicate_reply_is_refused_unless_confirm_duplicate() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        first = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
        )
        assert not first.is_error
        same = "  hi!  your REFUND was processed today. "
        again = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": same, "confirm": True}
        )
        assert again.is_error
        assert "already sent" in text(again) and "confirm_duplicate=true" in text(again)
        assert len(posts(state, "/messages")) == 1

        unconfirmed = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": same, "confirm_duplicate": True}
        )
        assert unconfirmed.is_error  # confirm_duplicate does not replace the confirmation
        assert len(posts(state, "/messages")) == 1

        forced = await client.call_tool(
            "send_reply",
            {"conversation_id": CONVERSATION, "content": same, "confirm": True, "confirm_duplicate": True},
        )
        assert not forced.is_error, text(forced)
        assert len(posts(state, "/messages")) == 2

        other = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": "Anything else?", "confirm": True}
        )
        assert not other.is_error


@pytest.mark.anyio
async def test_duplicate_is_refused_without_asking_the_user() -> None:
    state = SandboxState.demo()
    asker = Asker("accept")
    async with connect(state, asker) as client:
        await client.call_tool("send_reply", {"conversation_id": CONVERSATION, "content": REPLY})
        again = await client.call_tool("send_reply", {"conversation_id": CONVERSATION, "content": REPLY})
    assert again.is_error and "already sent" in text(again)
    assert len(asker.questions) == 1
    assert len(posts(state, "/messages")) == 1


@pytest.mark.anyio
async def test_a_reply_whose_answer_was_lost_is_found_not_resent() -> None:
    state = SandboxState.demo()
    state.inject_fault(502, method="POST", path_contains="/messages", after_handling=True)
    async with connect(state) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
        )
        assert not result.is_error, text(result)
        assert len(posts(state, "/messages")) == 1  # one attempt only
        # Chatwoot stored it although the proxy answered 502: it is reported as sent, saying the answer was lost.
        assert (result.structured_content or {})["reached_customer"] is True
        assert "502" in (result.structured_content or {})["answer_lost"]
        again = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
        )
    assert again.is_error and "already sent" in text(again)
    assert len(posts(state, "/messages")) == 1


@pytest.mark.anyio
async def test_a_reply_that_failed_before_chatwoot_stored_it_can_be_sent_again() -> None:
    state = SandboxState.demo()
    state.inject_fault(503, method="POST", path_contains="/messages")
    async with connect(state) as client:
        first = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
        )
        assert first.is_error
        assert "may have been applied" in text(first) and "list_messages" in text(first)
        assert len(posts(state, "/messages")) == 1  # not retried
        again = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
        )
    # Not "already sent": the conversation was read, and the first attempt was not in it.
    assert not again.is_error, text(again)
    stored = [m for m in state.conversation(1, CONVERSATION).messages if m.content == REPLY]
    assert len(stored) == 1


@pytest.mark.anyio
async def test_private_note_is_private() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "add_private_note", {"conversation_id": CONVERSATION, "content": "Customer is on the pro plan."}
        )
    assert not result.is_error, text(result)
    data = result.structured_content or {}
    assert data["reached_customer"] is False
    assert data["message"]["type"] == "private_note"
    assert "not sent to the customer" in text(result)
    [request] = posts(state, "/messages")
    assert request.json["private"] is True
    note = state.conversation(DEMO_ACCOUNT_ID, CONVERSATION).messages[-1]
    assert note.private and note.content == "Customer is on the pro plan."


@pytest.mark.anyio
async def test_empty_reply_is_refused() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": "  ", "confirm": True}
        )
    assert result.is_error and "no visible text" in text(result)
    assert posts(state, "/messages") == []


@pytest.mark.anyio
@pytest.mark.parametrize("content", ["\u200b", "\x00", "\u200b\u2060 \ufeff", "\u202e"])
async def test_invisible_replies_and_notes_are_refused(content: str) -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        reply = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": content, "confirm": True}
        )
        note = await client.call_tool("add_private_note", {"conversation_id": CONVERSATION, "content": content})
    assert reply.is_error and "no visible text" in text(reply)
    assert note.is_error and "no visible text" in text(note)
    assert posts(state, "/messages") == []


@pytest.mark.anyio
async def test_control_characters_in_visible_text_are_refused() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        reply = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": "Hello\x00 there", "confirm": True}
        )
    assert reply.is_error and "U+0000" in text(reply)
    assert posts(state, "/messages") == []


@pytest.mark.anyio
async def test_message_tool_annotations() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    reply = tools["send_reply"]
    assert reply.annotations is not None
    assert reply.annotations.read_only_hint is False and reply.annotations.idempotent_hint is False
    assert "customer" in (reply.description or "").lower()
    note = tools["add_private_note"].annotations
    assert note is not None and note.destructive_hint is False and note.idempotent_hint is False
    listing = tools["list_messages"].annotations
    assert listing is not None and listing.read_only_hint is True
