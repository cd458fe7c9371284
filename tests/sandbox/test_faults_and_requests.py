"""The test hooks: the request log and injected faults (rack-attack's 429, Rails' 5xx page, delays, lost responses)."""

from __future__ import annotations

import anyio
import httpx2
import pytest

from chatwoot_sandbox import DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID, SandboxState

pytestmark = pytest.mark.anyio

CONVERSATIONS = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations"
LABELS = f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/labels"


async def test_requests_are_recorded(client: httpx2.AsyncClient, state: SandboxState) -> None:
    assert state.requests == []
    await client.get(CONVERSATIONS, params=[("status", "all"), ("labels[]", "a"), ("labels[]", "b")])
    await client.post(LABELS, json={"labels": ["vip"]})
    await client.get("/not/a/route")
    first, second, third = state.requests
    assert (first.method, first.path, first.json, first.status) == ("GET", CONVERSATIONS, None, 200)
    assert first.query["status"] == "all" and first.query.getlist("labels[]") == ["a", "b"]
    assert (second.method, second.json, second.status) == ("POST", {"labels": ["vip"]}, 200)
    assert second.headers["api_access_token"] == "sandbox-admin-token"
    assert third.status == 404


async def test_429_is_rack_attacks_text_without_retry_after(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.inject_fault(429, times=2)
    for _ in range(2):
        response = await client.get(CONVERSATIONS)
        assert response.status_code == 429
        assert response.text == "Retry later\n"
        assert response.headers["content-type"].startswith("text/plain")
        assert "retry-after" not in response.headers
    assert (await client.get(CONVERSATIONS)).status_code == 200
    assert [r.status for r in state.requests] == [429, 429, 200]


async def test_retry_after_can_be_sent(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.inject_fault(429, retry_after="7")
    assert (await client.get(CONVERSATIONS)).headers["retry-after"] == "7"


async def test_5xx_is_an_html_page(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.inject_fault(503)
    response = await client.get(CONVERSATIONS)
    assert response.status_code == 503 and response.headers["content-type"].startswith("text/html")
    assert "something went wrong" in response.text


async def test_faults_match_method_and_path(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.inject_fault(500, method="POST", path_contains="/labels")
    assert (await client.get(LABELS)).status_code == 200
    assert (await client.get(CONVERSATIONS)).status_code == 200
    assert (await client.post(LABELS, json={"labels": ["x"]})).status_code == 500
    assert (await client.post(LABELS, json={"labels": ["x"]})).status_code == 200


async def test_a_fault_before_handling_does_not_apply_the_write(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    state.inject_fault(502, method="POST")
    assert (await client.post(LABELS, json={"labels": ["lost"]})).status_code == 502
    assert state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).labels == ["shipping", "urgent", "vip"]


async def test_a_fault_after_handling_applies_the_write(client: httpx2.AsyncClient, state: SandboxState) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    count = len(conversation.messages)
    state.inject_fault(504, method="POST", path_contains="/messages", after_handling=True)
    response = await client.post(f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/messages", json={"content": "sent once"})
    assert response.status_code == 504
    assert len(conversation.messages) == count + 1 and conversation.messages[-1].content == "sent once"


async def test_delay_holds_the_answer_back(client: httpx2.AsyncClient, state: SandboxState) -> None:
    # ASGITransport enforces no timeouts; over a real socket (uvicorn) the same delay makes a client time out.
    state.inject_fault(500, delay=0.2)
    started = anyio.current_time()
    response = await client.get(CONVERSATIONS)
    assert response.status_code == 500 and anyio.current_time() - started >= 0.2
