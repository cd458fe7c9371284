"""Authentication, account scoping, agent visibility and bot restrictions, with the server's exact bodies."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_sandbox import (
    AGENT_TOKEN,
    BOT_TOKEN,
    DEMO_ACCOUNT_ID,
    EMAIL_CONVERSATION_ID,
    LONG_CONVERSATION_ID,
    SECOND_ACCOUNT_ID,
    TEAM_VISIBLE_CONVERSATION_ID,
    SandboxState,
)

pytestmark = pytest.mark.anyio

AGENT = {"api_access_token": AGENT_TOKEN}
BOT = {"api_access_token": BOT_TOKEN}
CONVERSATIONS = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations"


@pytest.mark.parametrize("headers", [{"api_access_token": ""}, {"api_access_token": "   "}])
async def test_blank_token_gets_the_devise_body(client: httpx2.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.get(CONVERSATIONS, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"errors": ["You need to sign in or sign up before continuing."]}


async def test_missing_token_gets_the_devise_body(state: SandboxState) -> None:
    from chatwoot_sandbox import create_app

    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)), base_url="http://s") as raw:
        response = await raw.get(CONVERSATIONS)
    assert response.status_code == 401
    assert response.json() == {"errors": ["You need to sign in or sign up before continuing."]}


async def test_unknown_token(client: httpx2.AsyncClient) -> None:
    response = await client.get(CONVERSATIONS, headers={"api_access_token": "nope"})
    assert (response.status_code, response.json()) == (401, {"error": "Invalid Access Token"})


async def test_unknown_account_is_404(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/v1/accounts/999/conversations")
    assert (response.status_code, response.json()) == (404, {"error": "Resource could not be found"})


async def test_agent_is_not_a_member_of_the_second_account(client: httpx2.AsyncClient) -> None:
    response = await client.get(f"/api/v1/accounts/{SECOND_ACCOUNT_ID}/conversations", headers=AGENT)
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to access this account"}


async def test_admin_sees_the_second_account(client: httpx2.AsyncClient) -> None:
    response = await client.get(f"/api/v1/accounts/{SECOND_ACCOUNT_ID}/conversations", params={"status": "all"})
    assert response.status_code == 200
    assert response.json()["data"]["meta"]["all_count"] == 5


async def test_agent_cannot_open_a_conversation_outside_her_inboxes(client: httpx2.AsyncClient) -> None:
    response = await client.get(f"{CONVERSATIONS}/{EMAIL_CONVERSATION_ID}", headers=AGENT)
    assert (response.status_code, response.json()) == (401, {"error": "You are not authorized to do this action"})
    messages = await client.get(f"{CONVERSATIONS}/{EMAIL_CONVERSATION_ID}/messages", headers=AGENT)
    assert messages.status_code == 401


async def test_agent_sees_team_conversations_and_her_inboxes(client: httpx2.AsyncClient) -> None:
    assert (await client.get(f"{CONVERSATIONS}/{TEAM_VISIBLE_CONVERSATION_ID}", headers=AGENT)).status_code == 200
    assert (await client.get(f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}", headers=AGENT)).status_code == 200


async def test_agent_lists_narrow_silently(client: httpx2.AsyncClient, state: SandboxState) -> None:
    admin = (await client.get(CONVERSATIONS, params={"status": "all"})).json()["data"]["meta"]
    agent = (await client.get(CONVERSATIONS, params={"status": "all"}, headers=AGENT)).json()["data"]["meta"]
    assert agent["all_count"] < admin["all_count"]
    expected = sum(
        1
        for c in state.account_conversations(DEMO_ACCOUNT_ID)
        if c.inbox_id in (1, 3) or c.team_id == 1  # her inboxes, her team
    )
    assert agent["all_count"] == expected
    inboxes = (await client.get(f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/inboxes", headers=AGENT)).json()["payload"]
    assert [i["name"] for i in inboxes] == ["Website chat", "API"]


async def test_unknown_conversation_is_404(client: httpx2.AsyncClient) -> None:
    response = await client.get(f"{CONVERSATIONS}/9999")
    assert (response.status_code, response.json()) == (404, {"error": "Resource could not be found"})


async def test_unrouted_paths_are_404_without_auth(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/v1/accounts/1/messages/5", headers={"api_access_token": ""})
    assert (response.status_code, response.json()) == (404, {"error": "Resource could not be found"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", CONVERSATIONS),
        ("GET", f"{CONVERSATIONS}/meta"),
        ("GET", f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}"),
        ("GET", f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/messages"),
        ("GET", f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/labels"),
        ("POST", f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/labels"),
        ("GET", "/api/v1/profile"),
        ("GET", f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/agents"),
    ],
)
async def test_bots_are_refused_outside_their_endpoints(client: httpx2.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, headers=BOT, json={} if method == "POST" else None)
    assert response.status_code == 401
    assert response.json() == {"error": "Access to this endpoint is not authorized for bots"}


async def test_bots_may_use_their_endpoints(client: httpx2.AsyncClient, state: SandboxState) -> None:
    base = f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}"
    assert (await client.post(f"{base}/messages", headers=BOT, json={"content": "Hi!"})).status_code == 200
    assert (await client.post(f"{base}/toggle_priority", headers=BOT, json={"priority": "low"})).status_code == 200
    assert (await client.patch(base, headers=BOT, json={"priority": "high"})).status_code == 200
    assert (await client.post(f"{base}/assignments", headers=BOT, json={"assignee_id": 2})).status_code == 200
    greeting = next(m for m in state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).messages if m.content == "Hi!")
    assert (greeting.sender_type, greeting.message_type) == ("AgentBot", 1)


async def test_bot_handoff_from_pending_reports_null_success(client: httpx2.AsyncClient, state: SandboxState) -> None:
    pending = next(c for c in state.account_conversations(DEMO_ACCOUNT_ID) if c.status == "pending")
    assignee_before = pending.assignee_id
    response = await client.post(
        f"{CONVERSATIONS}/{pending.display_id}/toggle_status", headers=BOT, json={"status": "open"}
    )
    assert response.json()["payload"] == {
        "success": None,
        "conversation_id": pending.display_id,
        "current_status": "open",
        "snoozed_until": None,
    }
    assert pending.assignee_id == assignee_before  # only agent-role users take what they reopen


async def test_bot_of_another_account(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        f"/api/v1/accounts/{SECOND_ACCOUNT_ID}/conversations/1/toggle_status", headers=BOT, json={}
    )
    assert (response.status_code, response.json()) == (401, {"error": "Bot is not authorized to access this account"})
