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


# -- answers Chatwoot never sends -------------------------------------------------------------------------------


async def test_a_2xx_can_carry_a_page_instead_of_json(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.inject_fault(200, body="<html>oops</html>", content_type="text/html")
    response = await client.get(CONVERSATIONS)
    assert (response.status_code, response.text) == (200, "<html>oops</html>")
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("body", [{}, [], 3, False, {"data": None}], ids=["{}", "[]", "3", "false", "data-null"])
async def test_a_2xx_can_carry_json_of_the_wrong_shape(
    client: httpx2.AsyncClient, state: SandboxState, body: object
) -> None:
    state.inject_fault(200, body=body)
    response = await client.get(CONVERSATIONS)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.json() == body


async def test_text_bodies_default_to_plain_text_and_bytes_pass_through(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    state.inject_fault(200, body="not json")
    state.inject_fault(200, body=b"\xff\xfe")
    first, second = await client.get(CONVERSATIONS), await client.get(CONVERSATIONS)
    assert first.text == "not json" and first.headers["content-type"].startswith("text/plain")
    assert second.content == b"\xff\xfe"


async def test_a_2xx_fault_without_a_body_is_empty(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.inject_fault(204)
    response = await client.get(CONVERSATIONS)
    assert (response.status_code, response.content) == (204, b"")


async def test_a_malformed_answer_after_handling_hides_a_stored_message(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    count = len(conversation.messages)
    state.inject_fault(200, body="<html>Sign in</html>", content_type="text/html", after_handling=True, method="POST")
    response = await client.post(f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/messages", json={"content": "stored"})
    assert (response.status_code, response.text) == (200, "<html>Sign in</html>")
    assert len(conversation.messages) == count + 1 and conversation.messages[-1].content == "stored"


async def test_a_malformed_answer_before_handling_applies_nothing(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    state.inject_fault(200, body={}, method="POST")
    assert (await client.post(LABELS, json={"labels": ["lost"]})).json() == {}
    assert state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).labels == ["shipping", "urgent", "vip"]


@pytest.mark.parametrize("status", [200, 404, 422, 429, 503])
@pytest.mark.parametrize("after_handling", [False, True])
async def test_any_status_can_come_before_or_after_handling(
    client: httpx2.AsyncClient, state: SandboxState, status: int, after_handling: bool
) -> None:
    state.inject_fault(status, method="POST", path_contains="/labels", after_handling=after_handling)
    response = await client.post(LABELS, json={"labels": ["maybe"]})
    assert response.status_code == status
    labels = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).labels
    assert labels == (["maybe"] if after_handling else ["shipping", "urgent", "vip"])
    assert state.requests[-1].status == status


async def test_a_body_comes_with_retry_after_and_delay_too(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.inject_fault(429, body="slow down", retry_after="2", delay=0.01)
    response = await client.get(CONVERSATIONS)
    assert (response.status_code, response.text, response.headers["retry-after"]) == (429, "slow down", "2")
