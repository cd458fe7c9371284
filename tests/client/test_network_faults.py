"""Writes under network failures, end to end against the sandbox: what is retried, what exists afterwards, and
whether the error says the request may have been applied (`sent`).

The faults come from tests.support.faults.FaultyTransport (between the client and the sandbox) and from the
sandbox's own `inject_fault` (a malformed answer).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from chatwoot_client import (
    AsyncChatwootClient,
    ChatwootConnectionError,
    ChatwootResponseError,
    ChatwootTimeoutError,
)
from chatwoot_sandbox import ADMIN_TOKEN, SandboxState
from tests.client.conftest import FAST_RETRY_INITIAL, FAST_RETRY_MAX, SANDBOX_URL, pick
from tests.support.faults import FaultyTransport

pytestmark = pytest.mark.anyio

CONVERSATIONS = "/api/v1/accounts/1/conversations"


@pytest.fixture
def faults(state: SandboxState) -> FaultyTransport:
    return FaultyTransport.over_sandbox(state)


@pytest.fixture
async def client(faults: FaultyTransport) -> AsyncIterator[AsyncChatwootClient]:
    http = httpx2.AsyncClient(transport=faults)
    async with http:
        yield AsyncChatwootClient(
            SANDBOX_URL,
            ADMIN_TOKEN,
            max_retries=3,
            retry_initial_delay=FAST_RETRY_INITIAL,
            retry_max_delay=FAST_RETRY_MAX,
            http_client=http,
        )


def _texts(state: SandboxState, display_id: int) -> list[str | None]:
    return [m.content for m in state.conversation(1, display_id).messages if m.message_type != 2]


async def test_a_refused_message_is_retried_and_exists_once(
    client: AsyncChatwootClient, faults: FaultyTransport, state: SandboxState
) -> None:
    record = pick(state, lambda c: c.status == "open")
    before = _texts(state, record.display_id)
    faults.refuse_connection("POST", "/messages")

    message = await client.messages.create(1, record.display_id, "Exactly once")

    assert _texts(state, record.display_id) == [*before, "Exactly once"]
    assert state.conversation(1, record.display_id).messages[-1].id == message.id
    assert faults.seen.count(f"POST {CONVERSATIONS}/{record.display_id}/messages") == 2
    assert faults.forwarded_count("POST", "/messages") == 1


async def test_a_message_refused_every_time_is_reported_as_never_sent(
    client: AsyncChatwootClient, faults: FaultyTransport, state: SandboxState
) -> None:
    record = pick(state, lambda c: c.status == "open")
    before = _texts(state, record.display_id)
    faults.refuse_connection("POST", "/messages", times=10)

    with pytest.raises(ChatwootConnectionError) as caught:
        await client.messages.create(1, record.display_id, "Never arrives")

    assert caught.value.sent is False
    assert "nothing was sent" in str(caught.value)
    assert _texts(state, record.display_id) == before
    assert len(faults.seen) == 4  # the first try and max_retries=3 retries
    assert faults.forwarded == []


async def test_a_message_whose_answer_timed_out_is_not_resent_and_may_have_been_applied(
    client: AsyncChatwootClient, faults: FaultyTransport, state: SandboxState
) -> None:
    record = pick(state, lambda c: c.status == "open")
    before = _texts(state, record.display_id)
    faults.timeout_after("POST", "/messages")

    with pytest.raises(ChatwootTimeoutError) as caught:
        await client.messages.create(1, record.display_id, "Applied, answer lost")

    assert (caught.value.sent, caught.value.method) == (True, "POST")
    assert caught.value.path == f"{CONVERSATIONS}/{record.display_id}/messages"
    assert "may have been applied" in str(caught.value)
    assert _texts(state, record.display_id) == [*before, "Applied, answer lost"]
    assert faults.forwarded_count("POST", "/messages") == 1 and len(faults.seen) == 1


async def test_a_timeout_before_forwarding_looks_the_same_to_the_client(
    client: AsyncChatwootClient, faults: FaultyTransport, state: SandboxState
) -> None:
    # Not applied this time; but the client cannot tell, so it still says "sent" and does not retry.
    record = pick(state, lambda c: c.status == "open")
    before = _texts(state, record.display_id)
    faults.timeout_before("POST", "/messages")

    with pytest.raises(ChatwootTimeoutError) as caught:
        await client.messages.create(1, record.display_id, "Lost on the way")

    assert caught.value.sent is True
    assert _texts(state, record.display_id) == before
    assert faults.forwarded == [] and len(faults.seen) == 1


async def test_a_refused_conversation_create_is_retried_and_creates_one(
    client: AsyncChatwootClient, faults: FaultyTransport, state: SandboxState
) -> None:
    existing = pick(state, lambda c: True)
    count = len(state.conversations)
    faults.refuse_connection("POST", CONVERSATIONS, times=2)

    created = await client.conversations.create(1, None, existing.inbox_id, existing.contact_id)

    assert len(state.conversations) == count + 1
    assert state.find_conversation(1, created.id) is not None
    assert faults.forwarded_count("POST", CONVERSATIONS) == 1 and len(faults.seen) == 3


async def test_an_idempotent_write_whose_answer_timed_out_is_retried(
    client: AsyncChatwootClient, faults: FaultyTransport, state: SandboxState
) -> None:
    record = pick(state, lambda c: c.status == "open")
    faults.timeout_after("POST", "/labels")

    assert await client.conversations.labels.add(1, record.display_id, ["vip"]) == ["vip"]

    assert state.conversation(1, record.display_id).labels == ["vip"]
    assert faults.forwarded_count("POST", "/labels") == 2


async def test_a_stored_message_answered_with_a_login_page_is_a_response_error_and_not_resent(
    client: AsyncChatwootClient, faults: FaultyTransport, state: SandboxState
) -> None:
    record = pick(state, lambda c: c.status == "open")
    before = _texts(state, record.display_id)
    page = "<html><body>Sign in</body></html>"
    state.inject_fault(200, body=page, content_type="text/html", after_handling=True, method="POST")

    with pytest.raises(ChatwootResponseError) as caught:
        await client.messages.create(1, record.display_id, "Stored, then a page")

    assert (caught.value.status_code, caught.value.sent, caught.value.reason) == (200, True, "not JSON")
    assert "Sign in" not in str(caught.value)
    assert _texts(state, record.display_id) == [*before, "Stored, then a page"]
    assert faults.forwarded_count("POST", "/messages") == 1


@pytest.mark.parametrize("body", [{}, [], {"data": {}}], ids=["{}", "[]", "data-{}"])
async def test_a_list_answered_with_json_of_the_wrong_shape_is_a_response_error(
    client: AsyncChatwootClient, state: SandboxState, body: object
) -> None:
    state.inject_fault(200, body=body, method="GET")

    with pytest.raises(ChatwootResponseError) as caught:
        await client.conversations.list(1)

    assert (caught.value.method, caught.value.path) == ("GET", CONVERSATIONS)


async def test_faults_match_method_and_path_and_are_used_up(faults: FaultyTransport, state: SandboxState) -> None:
    faults.refuse_connection("POST", "/labels", times=2)
    async with httpx2.AsyncClient(transport=faults, base_url=SANDBOX_URL) as http:
        headers = {"api_access_token": ADMIN_TOKEN}
        assert (await http.get(f"{CONVERSATIONS}/1/labels", headers=headers)).status_code == 200
        for _ in range(2):
            with pytest.raises(httpx2.ConnectError):
                await http.post(f"{CONVERSATIONS}/1/labels", json={"labels": []}, headers=headers)
        assert (await http.post(f"{CONVERSATIONS}/1/labels", json={"labels": []}, headers=headers)).status_code == 200

    assert faults.planned == []
    assert faults.forwarded == [f"GET {CONVERSATIONS}/1/labels", f"POST {CONVERSATIONS}/1/labels"]
    assert faults.forwarded_count("POST") == 1 and faults.forwarded_count(path_contains="/labels") == 2
    assert len(faults.seen) == 4
    assert [r.status for r in state.requests] == [200, 200]
