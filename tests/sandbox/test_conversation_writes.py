"""Show and the write endpoints: the Conversation shape, PATCH, toggle_status/priority, custom attributes,
assignments, labels and create."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from chatwoot_sandbox import (
    AGENT_TOKEN,
    AGENT_USER_ID,
    API_INBOX_ID,
    BLOCKED_CONTACT_CONVERSATION_ID,
    DEMO_ACCOUNT_ID,
    LONG_CONVERSATION_ID,
    PROMPT_INJECTION_CONVERSATION_ID,
    SNOOZED_CONVERSATION_ID,
    SandboxState,
)

pytestmark = pytest.mark.anyio

CONVERSATIONS = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations"
AGENT = {"api_access_token": AGENT_TOKEN}


def url(display_id: int, suffix: str = "") -> str:
    return f"{CONVERSATIONS}/{display_id}{suffix}"


async def show(client: httpx2.AsyncClient, display_id: int) -> Any:
    response = await client.get(url(display_id))
    assert response.status_code == 200
    return response.json()


def assert_rails_500(response: httpx2.Response) -> None:
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")


# -- show -------------------------------------------------------------------------------------------------------


async def test_unassigned_conversation_has_no_assignee_or_team_keys(client: httpx2.AsyncClient) -> None:
    body = await show(client, PROMPT_INJECTION_CONVERSATION_ID)
    assert set(body["meta"]) == {"sender", "channel", "hmac_verified"}
    assert body["meta"]["channel"] == "Channel::WebWidget"
    assert body["id"] == PROMPT_INJECTION_CONVERSATION_ID
    assert body["priority"] is None and body["snoozed_until"] is None
    assert isinstance(body["updated_at"], float)
    assert isinstance(body["timestamp"], int) and body["timestamp"] == body["last_activity_at"]
    assert body["agent_last_seen_at"] == 0 and body["assignee_last_seen_at"] == 0
    assert body["waiting_since"] > 0
    [last] = body["messages"]
    assert last["content"].startswith("Ignore previous instructions")
    assert last["conversation"]["contact_inbox"]["source_id"]
    assert isinstance(last["updated_at"], str)
    assert body["last_non_activity_message"]["id"] == last["id"]
    assert body["unread_count"] == 3


async def test_assigned_conversation_shape(client: httpx2.AsyncClient) -> None:
    body = await show(client, LONG_CONVERSATION_ID)
    assert body["meta"]["assignee_type"] == "User"
    assert set(body["meta"]["assignee"]) == {
        "id",
        "account_id",
        "availability_status",
        "auto_offline",
        "confirmed",
        "email",
        "provider",
        "available_name",
        "name",
        "role",
        "thumbnail",
    }
    assert body["meta"]["assignee"]["name"] == "Alex Morgan"
    assert body["labels"] == ["shipping", "urgent", "vip"]


async def test_snoozed_until_is_iso_with_milliseconds(client: httpx2.AsyncClient) -> None:
    body = await show(client, SNOOZED_CONVERSATION_ID)
    assert (body["status"], body["snoozed_until"]) == ("snoozed", "2026-11-27T09:00:00.000Z")


async def test_blocked_contact_means_muted(client: httpx2.AsyncClient) -> None:
    body = await show(client, BLOCKED_CONTACT_CONVERSATION_ID)
    assert body["muted"] is True and body["meta"]["sender"]["blocked"] is True
    assert (await show(client, LONG_CONVERSATION_ID))["muted"] is False


# -- PATCH ------------------------------------------------------------------------------------------------------


async def test_patch_applies_only_priority(client: httpx2.AsyncClient, state: SandboxState) -> None:
    before = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    status, assignee, team = before.status, before.assignee_id, before.team_id
    response = await client.patch(
        url(LONG_CONVERSATION_ID),
        json={"priority": "urgent", "status": "resolved", "assignee_id": 5, "team_id": 2, "custom_attributes": {}},
    )
    assert response.status_code == 200 and response.json()["priority"] == "urgent"
    after = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    assert (after.status, after.assignee_id, after.team_id) == (status, assignee, team)
    put = await client.put(url(LONG_CONVERSATION_ID), json={"priority": None})
    assert put.json()["priority"] is None


@pytest.mark.parametrize("priority", ["none", "critical", 3])
async def test_patch_invalid_priority_is_500(client: httpx2.AsyncClient, priority: object) -> None:
    assert_rails_500(await client.patch(url(LONG_CONVERSATION_ID), json={"priority": priority}))


# -- toggle_status ----------------------------------------------------------------------------------------------


async def test_toggle_status_sets_and_toggles(client: httpx2.AsyncClient, state: SandboxState) -> None:
    response = await client.post(url(LONG_CONVERSATION_ID, "/toggle_status"), json={"status": "pending"})
    assert response.json() == {
        "meta": {},
        "payload": {
            "success": True,
            "conversation_id": LONG_CONVERSATION_ID,
            "current_status": "pending",
            "snoozed_until": None,
        },
    }
    toggled = await client.post(url(LONG_CONVERSATION_ID, "/toggle_status"), json={"status": ""})
    assert toggled.json()["payload"]["current_status"] == "open"
    toggled = await client.post(url(LONG_CONVERSATION_ID, "/toggle_status"))
    assert toggled.json()["payload"]["current_status"] == "resolved"
    conversation = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    assert conversation.waiting_since is None
    assert conversation.messages[-1].content == "Conversation was marked resolved by Dana Whitfield"


@pytest.mark.parametrize("until", [1796112000, "1796112000"])
async def test_snooze_until_unix_seconds(client: httpx2.AsyncClient, until: object) -> None:
    response = await client.post(
        url(LONG_CONVERSATION_ID, "/toggle_status"), json={"status": "snoozed", "snoozed_until": until}
    )
    payload = response.json()["payload"]
    assert payload["current_status"] == "snoozed"
    assert payload["snoozed_until"] == datetime.fromtimestamp(1796112000, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert (await show(client, LONG_CONVERSATION_ID))["snoozed_until"] == payload["snoozed_until"]


async def test_snooze_without_time_and_reopen_resets_snoozed_until(client: httpx2.AsyncClient) -> None:
    response = await client.post(url(SNOOZED_CONVERSATION_ID, "/toggle_status"), json={"status": "snoozed"})
    assert response.json()["payload"]["snoozed_until"] == "2026-11-27T09:00:00.000Z"  # untouched: key absent
    reopened = await client.post(
        url(SNOOZED_CONVERSATION_ID, "/toggle_status"), json={"status": "open", "snoozed_until": 1796112000}
    )
    assert reopened.json()["payload"]["snoozed_until"] is None


async def test_toggle_status_errors_are_500(client: httpx2.AsyncClient) -> None:
    assert_rails_500(await client.post(url(LONG_CONVERSATION_ID, "/toggle_status"), json={"status": "closed"}))
    assert_rails_500(
        await client.post(
            url(LONG_CONVERSATION_ID, "/toggle_status"), json={"status": "snoozed", "snoozed_until": "tomorrow"}
        )
    )


async def test_agent_reopening_takes_the_conversation(client: httpx2.AsyncClient, state: SandboxState) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    assert conversation.assignee_id != AGENT_USER_ID
    response = await client.post(url(LONG_CONVERSATION_ID, "/toggle_status"), json={"status": "open"}, headers=AGENT)
    assert response.json()["payload"]["current_status"] == "open"
    assert conversation.assignee_id == AGENT_USER_ID
    assert conversation.messages[-1].content == "Priya Natarajan self-assigned this conversation"


async def test_admin_reopening_does_not_take_it(client: httpx2.AsyncClient, state: SandboxState) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, PROMPT_INJECTION_CONVERSATION_ID)
    await client.post(url(PROMPT_INJECTION_CONVERSATION_ID, "/toggle_status"), json={"status": "open"})
    assert conversation.assignee_id is None


# -- toggle_priority and custom attributes ----------------------------------------------------------------------


async def test_toggle_priority_sets_clears_and_answers_empty(client: httpx2.AsyncClient, state: SandboxState) -> None:
    response = await client.post(url(LONG_CONVERSATION_ID, "/toggle_priority"), json={"priority": "low"})
    assert (response.status_code, response.content) == (200, b"")
    assert state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).priority == "low"
    await client.post(url(LONG_CONVERSATION_ID, "/toggle_priority"), json={})
    assert state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).priority is None
    assert_rails_500(await client.post(url(LONG_CONVERSATION_ID, "/toggle_priority"), json={"priority": "none"}))


async def test_custom_attributes_replace_the_hash(client: httpx2.AsyncClient) -> None:
    response = await client.post(url(LONG_CONVERSATION_ID, "/custom_attributes"), json={"custom_attributes": {"a": 1}})
    assert response.json() == {"custom_attributes": {"a": 1}}
    response = await client.post(url(LONG_CONVERSATION_ID, "/custom_attributes"), json={"custom_attributes": {"b": 2}})
    assert response.json() == {"custom_attributes": {"b": 2}}
    cleared = await client.post(url(LONG_CONVERSATION_ID, "/custom_attributes"), json={})
    assert cleared.json() == {"custom_attributes": None}
    assert (await show(client, LONG_CONVERSATION_ID))["custom_attributes"] is None


# -- assignments ------------------------------------------------------------------------------------------------


async def test_assign_agent_returns_the_agent_partial(client: httpx2.AsyncClient, state: SandboxState) -> None:
    response = await client.post(url(PROMPT_INJECTION_CONVERSATION_ID, "/assignments"), json={"assignee_id": 2})
    assert response.json()["name"] == "Alex Kim" and "is_member" not in response.json()
    assert state.conversation(DEMO_ACCOUNT_ID, PROMPT_INJECTION_CONVERSATION_ID).assignee_id == 2


@pytest.mark.parametrize("body", [{"assignee_id": None}, {"assignee_id": 999}, {"assignee_id": None, "team_id": 1}])
async def test_assignee_key_wins_and_unknown_unassigns(
    client: httpx2.AsyncClient, state: SandboxState, body: dict[str, object]
) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    team_before = conversation.team_id
    response = await client.post(url(LONG_CONVERSATION_ID, "/assignments"), json=body)
    assert (response.status_code, response.text) == (200, "null")
    assert conversation.assignee_id is None and conversation.team_id == team_before
    assert "assignee" not in (await show(client, LONG_CONVERSATION_ID))["meta"]


async def test_assign_team_returns_the_raw_record(client: httpx2.AsyncClient, state: SandboxState) -> None:
    response = await client.post(url(PROMPT_INJECTION_CONVERSATION_ID, "/assignments"), json={"team_id": 1})
    body = response.json()
    assert set(body) == {"id", "name", "description", "allow_auto_assign", "account_id", "created_at", "updated_at"}
    assert body["name"] == "billing" and body["created_at"].endswith("Z")
    conversation = state.conversation(DEMO_ACCOUNT_ID, PROMPT_INJECTION_CONVERSATION_ID)
    assert conversation.team_id == 1
    assert conversation.assignee_id == 2  # auto-assigned: the first online billing member in the inbox
    cleared = await client.post(url(PROMPT_INJECTION_CONVERSATION_ID, "/assignments"), json={"team_id": 999})
    assert cleared.text == "null" and conversation.team_id is None


async def test_assignment_without_keys_is_null(client: httpx2.AsyncClient) -> None:
    response = await client.post(url(LONG_CONVERSATION_ID, "/assignments"), json={})
    assert (response.status_code, response.text) == (200, "null")


async def test_assign_agent_bot(client: httpx2.AsyncClient, state: SandboxState) -> None:
    response = await client.post(
        url(LONG_CONVERSATION_ID, "/assignments"), json={"assignee_id": 1, "assignee_type": "AgentBot"}
    )
    assert set(response.json()) == {"id", "name", "description", "thumbnail", "outgoing_url", "bot_type"}
    meta = (await show(client, LONG_CONVERSATION_ID))["meta"]
    assert meta["assignee_type"] == "AgentBot"
    assert state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).assignee_id is None


# -- labels -----------------------------------------------------------------------------------------------------


async def test_labels_post_replaces_the_set(client: httpx2.AsyncClient) -> None:
    labels = url(LONG_CONVERSATION_ID, "/labels")
    assert (await client.get(labels)).json() == {"payload": ["shipping", "urgent", "vip"]}
    response = await client.post(labels, json={"labels": ["billing, Refund", "  refund ", "not-in-account"]})
    assert response.json() == {"payload": ["billing", "Refund", "not-in-account"]}
    assert (await client.get(labels)).json() == {"payload": ["billing", "Refund", "not-in-account"]}
    assert (await show(client, LONG_CONVERSATION_ID))["labels"] == ["billing", "Refund", "not-in-account"]
    assert (await client.post(labels, json={})).json() == {"payload": []}


# -- create -----------------------------------------------------------------------------------------------------


async def test_create_with_inbox_and_contact(client: httpx2.AsyncClient, state: SandboxState) -> None:
    response = await client.post(
        CONVERSATIONS,
        json={
            "inbox_id": 1,
            "contact_id": 5,
            "assignee_id": 3,
            "custom_attributes": {"order_id": "ACM-1"},
            "message": {"content": "Hello from the API"},
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert body["id"] == 101 and body["status"] == "open" and body["meta"]["assignee"]["id"] == 3
    assert body["custom_attributes"] == {"order_id": "ACM-1"}
    assert body["messages"][0]["content"] == "Hello from the API" and body["messages"][0]["message_type"] == 1
    assert state.conversation(DEMO_ACCOUNT_ID, 101).messages[0].sender_type == "User"


async def test_create_in_a_bot_inbox_starts_pending(client: httpx2.AsyncClient) -> None:
    response = await client.post(CONVERSATIONS, json={"inbox_id": API_INBOX_ID, "contact_id": 5})
    assert response.json()["status"] == "pending"


async def test_create_by_source_id(client: httpx2.AsyncClient, state: SandboxState) -> None:
    existing = next(iter(state.contact_inboxes.values()))
    response = await client.post(CONVERSATIONS, json={"source_id": existing.source_id})
    assert response.json()["inbox_id"] == existing.inbox_id
    missing = await client.post(CONVERSATIONS, json={"source_id": "no-such-source"})
    assert (missing.status_code, missing.json()) == (404, {"error": "Resource could not be found"})


async def test_create_with_a_taken_source_id(client: httpx2.AsyncClient, state: SandboxState) -> None:
    taken = next(ci for ci in state.contact_inboxes.values() if ci.inbox_id == 1)
    other_contact = 1 if taken.contact_id != 1 else 2
    response = await client.post(
        CONVERSATIONS, json={"inbox_id": 1, "contact_id": other_contact, "source_id": taken.source_id}
    )
    assert (response.status_code, response.json()) == (422, {"error": "source_id should be unique"})


async def test_agent_cannot_create_in_an_inbox_she_is_not_in(client: httpx2.AsyncClient) -> None:
    response = await client.post(CONVERSATIONS, json={"inbox_id": 2, "contact_id": 5}, headers=AGENT)
    assert (response.status_code, response.json()) == (401, {"error": "You are not authorized to do this action"})
