"""Who did what: the sandbox attributes each accepted write to the user (or bot) whose token made it, and refused
writes leave no trace, so a team server's per-user calls can be checked from the sandbox's side."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_sandbox import (
    ADMIN_USER_ID,
    AGENT_BOT_ID,
    AGENT_TOKEN,
    AGENT_USER_ID,
    BOT_TOKEN,
    DEMO_ACCOUNT_ID,
    EMAIL_CONVERSATION_ID,
    LONG_CONVERSATION_ID,
    SandboxState,
)

pytestmark = pytest.mark.anyio

AGENT = {"api_access_token": AGENT_TOKEN}
CONVERSATIONS = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations"


def note(text: str) -> dict[str, object]:
    return {"content": text, "message_type": "outgoing", "private": True}


async def test_each_write_is_recorded_with_the_user_whose_token_made_it(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    path = f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}"
    agent = await client.post(f"{path}/messages", json=note("from the agent"), headers=AGENT)
    admin = await client.post(f"{path}/labels", json={"labels": ["billing"]})
    bot = await client.post(
        f"{path}/toggle_priority", json={"priority": "high"}, headers={"api_access_token": BOT_TOKEN}
    )
    assert [agent.status_code, admin.status_code, bot.status_code] == [200, 200, 200]

    assert [(w.actor_type, w.actor_id, w.account_id, w.method, w.path) for w in state.writes] == [
        ("User", AGENT_USER_ID, DEMO_ACCOUNT_ID, "POST", f"{path}/messages"),
        ("User", ADMIN_USER_ID, DEMO_ACCOUNT_ID, "POST", f"{path}/labels"),
        ("AgentBot", AGENT_BOT_ID, DEMO_ACCOUNT_ID, "POST", f"{path}/toggle_priority"),
    ]
    assert agent.json()["sender"]["id"] == AGENT_USER_ID


async def test_refused_writes_and_reads_are_not_recorded(client: httpx2.AsyncClient, state: SandboxState) -> None:
    # The agent is not a member of the email inbox (nor its team): Chatwoot's policy answers 401, nothing written.
    outside = await client.post(
        f"{CONVERSATIONS}/{EMAIL_CONVERSATION_ID}/messages", json=note("not allowed"), headers=AGENT
    )
    assert outside.status_code == 401
    assert (await client.get(f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/messages", headers=AGENT)).status_code == 200
    assert state.writes == []
    conversation = state.conversation(DEMO_ACCOUNT_ID, EMAIL_CONVERSATION_ID)
    assert all(m.content != "not allowed" for m in conversation.messages)
