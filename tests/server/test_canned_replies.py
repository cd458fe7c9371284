"""send_reply with a canned response: found by short code, rendered by Chatwoot, previewed for the user."""

from __future__ import annotations

import time

import pytest

from chatwoot_sandbox import DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID, SandboxState
from chatwoot_sandbox.records import CannedResponse
from tests.server.triage_fixtures import Asker, connect, posts, text

CONVERSATION = LONG_CONVERSATION_ID


def _customer_name(state: SandboxState) -> str:
    conversation = state.conversation(DEMO_ACCOUNT_ID, CONVERSATION)
    return state.contacts[conversation.contact_id].name


@pytest.mark.anyio
async def test_canned_reply_is_sent_as_chatwoot_renders_it_and_the_result_shows_the_final_text() -> None:
    state = SandboxState.demo()
    name = _customer_name(state)
    async with connect(state) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "canned_response": "refund", "confirm": True}
        )
    assert not result.is_error, text(result)
    final = f"Hi {name}, your refund has been issued"
    assert final in text(result)
    assert "canned response 'refund'" in text(result)
    assert "{{" not in text(result)
    [sent] = posts(state, "/messages")
    assert sent.json["content"].startswith("Hi {{contact.name}}")  # Chatwoot fills the placeholders in, not us
    stored = state.conversation(DEMO_ACCOUNT_ID, CONVERSATION).messages[-1]
    assert stored.content is not None and stored.content.startswith(final)


@pytest.mark.anyio
async def test_the_user_is_shown_the_filled_in_text_before_a_canned_reply_goes_out() -> None:
    state = SandboxState.demo()
    name = _customer_name(state)
    asker = Asker("accept")
    async with connect(state, asker) as client:
        result = await client.call_tool("send_reply", {"conversation_id": CONVERSATION, "canned_response": "refund"})
    assert not result.is_error, text(result)
    [question] = asker.questions
    assert f"Hi {name}, your refund has been issued" in question
    assert "canned response 'refund'" in question


@pytest.mark.anyio
async def test_declining_a_canned_reply_sends_nothing() -> None:
    state = SandboxState.demo()
    async with connect(state, Asker("decline")) as client:
        result = await client.call_tool("send_reply", {"conversation_id": CONVERSATION, "canned_response": "refund"})
    assert result.is_error
    assert posts(state, "/messages") == []


@pytest.mark.anyio
async def test_unknown_short_code_is_refused_with_similar_codes_and_nothing_is_sent() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "canned_response": "pass", "confirm": True}
        )
    assert result.is_error
    assert "No canned response has the short code 'pass'" in text(result)
    assert "password-reset" in text(result)
    assert "Nothing was sent." in text(result)
    assert posts(state, "/messages") == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "arguments",
    [
        {"confirm": True},
        {"content": "Hello there", "canned_response": "refund", "confirm": True},
    ],
)
async def test_content_and_canned_response_are_one_or_the_other(arguments: dict[str, object]) -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool("send_reply", {"conversation_id": CONVERSATION, **arguments})
    assert result.is_error
    assert "either content" in text(result) and "Nothing was sent." in text(result)
    assert posts(state, "/messages") == []


@pytest.mark.anyio
async def test_the_same_canned_reply_twice_is_refused_as_a_duplicate() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        arguments = {"conversation_id": CONVERSATION, "canned_response": "refund", "confirm": True}
        first = await client.call_tool("send_reply", arguments)
        again = await client.call_tool("send_reply", arguments)
    assert not first.is_error
    assert again.is_error and "already sent" in text(again)
    assert len(posts(state, "/messages")) == 1


def test_a_stored_rendered_reply_is_recognised_as_the_canned_text_sent() -> None:
    from chatwoot_mcp.guards.canned import same_reply

    assert same_reply("hi {{contact.name}}, done.", "hi jane doe, done.")
    assert not same_reply("hi {{contact.name}}, done.", "hello jane doe, done.")
    assert same_reply("plain text", "plain text")


@pytest.mark.anyio
async def test_a_repeated_canned_reply_is_refused_without_asking_the_user_again() -> None:
    state = SandboxState.demo()
    asker = Asker("accept")
    async with connect(state, asker) as client:
        arguments = {"conversation_id": CONVERSATION, "canned_response": "refund"}
        first = await client.call_tool("send_reply", arguments)
        again = await client.call_tool("send_reply", arguments)
    assert not first.is_error and again.is_error and "already sent" in text(again)
    assert len(asker.questions) == 1
    assert len(posts(state, "/messages")) == 1


@pytest.mark.anyio
async def test_a_canned_reply_whose_lookup_fails_says_nothing_was_sent() -> None:
    state = SandboxState.demo()
    state.inject_fault(503, times=10, method="GET", path_contains="canned_responses")
    async with connect(state) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "canned_response": "refund", "confirm": True}
        )
    assert result.is_error
    assert "Nothing was sent" in text(result) or "Nothing was written" in text(result), text(result)
    assert posts(state, "/messages") == []


@pytest.mark.anyio
async def test_a_canned_reply_whose_answer_is_lost_is_found_in_the_conversation() -> None:
    state = SandboxState.demo()
    state.inject_fault(502, times=1, method="POST", path_contains="/messages", after_handling=True)
    async with connect(state) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "canned_response": "refund", "confirm": True}
        )
    # Chatwoot stored the rendered text; the check after the lost answer matches it to the template
    assert not result.is_error, text(result)
    assert "answer was lost" in text(result) and "SENT to the customer" in text(result)
    assert len(posts(state, "/messages")) == 1


@pytest.mark.anyio
async def test_a_confirmed_canned_reply_reads_the_response_and_the_conversation_once_each() -> None:
    # The SDK asks the resolver for the question again when the user's answer comes back, and the reply then
    # looks the short code up: both are answered from what the first question read.
    state = SandboxState.demo()
    async with connect(state, Asker("accept")) as client:
        before = len(state.requests)
        result = await client.call_tool("send_reply", {"conversation_id": CONVERSATION, "canned_response": "refund"})
    assert not result.is_error, text(result)
    sent = [(r.method, r.path.rsplit("/", 1)[-1]) for r in state.requests[before:]]
    assert sent == [("GET", "canned_responses"), ("GET", str(CONVERSATION)), ("POST", "messages")], sent


@pytest.mark.anyio
async def test_a_canned_response_created_after_a_failed_lookup_is_found_at_once() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        arguments = {"conversation_id": CONVERSATION, "canned_response": "brand-new", "confirm": True}
        missing = await client.call_tool("send_reply", arguments)
        assert missing.is_error and "No canned response has the short code 'brand-new'" in text(missing)
        now = time.time()
        next_id = max(state.canned_responses) + 1
        state.canned_responses[next_id] = CannedResponse(
            id=next_id,
            account_id=DEMO_ACCOUNT_ID,
            short_code="brand-new",
            content="Fresh text.",
            created_at=now,
            updated_at=now,
        )
        found = await client.call_tool("send_reply", arguments)
    assert not found.is_error, text(found)
    assert [p.json["content"] for p in posts(state, "/messages")] == ["Fresh text."]
