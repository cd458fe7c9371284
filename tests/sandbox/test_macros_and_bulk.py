"""Macros and bulk actions as Chatwoot answers them (events doc §3 and §5.7): visibility, validation, the quirks of
unknown ids, and work done in the background a moment after the empty 200 (macros with no per-conversation check,
bulk actions skipping conversations outside the caller's inboxes in silence)."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_sandbox import AGENT_TOKEN, AGENT_USER_ID, DEMO_ACCOUNT_ID, EMAIL_CONVERSATION_ID, SandboxState
from chatwoot_sandbox.records import OUTGOING
from chatwoot_sandbox.seed import (
    ADMIN_MACRO_ID,
    AGENT_MACRO_ID,
    BUG_MACRO_ID,
    ESCALATE_MACRO_ID,
    ESCALATE_MACRO_MESSAGE,
)

pytestmark = pytest.mark.anyio

ACCOUNT = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}"
AGENT = {"api_access_token": AGENT_TOKEN}


def names(response: httpx2.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [macro["name"] for macro in response.json()["payload"]]


async def test_the_list_is_global_macros_and_the_callers_own_personal_ones(client: httpx2.AsyncClient) -> None:
    admin = names(await client.get(f"{ACCOUNT}/macros"))
    agent = names(await client.get(f"{ACCOUNT}/macros", headers=AGENT))
    assert admin == ["Escalate to billing", "Route bug to technical", "Close quietly"]
    assert agent == ["Escalate to billing", "Route bug to technical", "Follow up tomorrow"]  # not the admin's own


async def test_show_a_macro_its_json_and_the_quirks(client: httpx2.AsyncClient) -> None:
    shown = (await client.get(f"{ACCOUNT}/macros/{ESCALATE_MACRO_ID}")).json()["payload"]
    assert shown["visibility"] == "global" and shown["created_by"]["role"] == "administrator"
    assert shown["actions"][0] == {"action_name": "add_label", "action_params": ["billing"]}
    assert "files" not in shown
    missing = await client.get(f"{ACCOUNT}/macros/999")
    assert (missing.status_code, missing.content) == (404, b"")
    others = await client.get(f"{ACCOUNT}/macros/{AGENT_MACRO_ID}")  # someone else's personal macro
    assert others.status_code == 401 and others.json() == {"error": "You are not authorized to do this action"}


async def test_create_validates_actions_with_a_hash_and_forces_personal_for_agents(client: httpx2.AsyncClient) -> None:
    bad = await client.post(
        f"{ACCOUNT}/macros",
        json={"name": "x", "visibility": "global", "actions": [{"action_name": "open_conversation"}]},
    )
    assert bad.status_code == 422
    assert bad.json() == {"error": {"actions": ["Macro execution actions open_conversation not supported."]}}
    made = await client.post(
        f"{ACCOUNT}/macros",
        headers=AGENT,
        json={"name": "Mine", "visibility": "global", "actions": [{"action_name": "resolve_conversation"}]},
    )
    assert made.status_code == 200 and made.json()["payload"]["visibility"] == "personal"
    nameless = await client.post(f"{ACCOUNT}/macros", json={"visibility": "global", "actions": []})
    assert nameless.status_code == 500


async def test_an_admin_update_without_visibility_hides_the_macro(client: httpx2.AsyncClient) -> None:
    updated = await client.patch(f"{ACCOUNT}/macros/{BUG_MACRO_ID}", json={"name": "Renamed"})
    assert updated.status_code == 200 and updated.json()["payload"]["visibility"] is None
    assert "Renamed" not in names(await client.get(f"{ACCOUNT}/macros"))
    assert (await client.get(f"{ACCOUNT}/macros/{BUG_MACRO_ID}")).status_code == 200  # its author still reads it


async def test_global_macros_are_changed_by_administrators_only(client: httpx2.AsyncClient) -> None:
    denied = await client.patch(f"{ACCOUNT}/macros/{ESCALATE_MACRO_ID}", headers=AGENT, json={"name": "x"})
    assert denied.status_code == 401
    assert (await client.delete(f"{ACCOUNT}/macros/{ADMIN_MACRO_ID}")).status_code == 200
    assert (await client.delete(f"{ACCOUNT}/macros/{ADMIN_MACRO_ID}")).status_code == 500  # unknown id: nil
    assert (await client.patch(f"{ACCOUNT}/macros/999", json={"visibility": "global"})).status_code == 500


async def test_execute_answers_first_and_runs_the_actions_a_moment_later(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, 30)
    conversation.labels, conversation.team_id = [], None
    answer = await client.post(f"{ACCOUNT}/macros/{ESCALATE_MACRO_ID}/execute", json={"conversation_ids": [30]})
    assert (answer.status_code, answer.content) == (200, b"")
    assert conversation.labels == [] and len(state.jobs.pending) == 1  # not yet
    state.jobs.run_all()
    assert conversation.labels == ["billing"] and conversation.team_id == 1
    sent = [m for m in conversation.messages if m.message_type == OUTGOING and m.content == ESCALATE_MACRO_MESSAGE]
    assert len(sent) == 1 and sent[0].sender_type == "User" and sent[0].sender_id == 1  # sent as the executor


async def test_the_job_runs_on_the_first_request_after_its_delay(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    now = [1_800_000_000.0]
    state.clock = lambda: now[0]
    await client.post(f"{ACCOUNT}/macros/{BUG_MACRO_ID}/execute", json={"conversation_ids": [30]})
    await client.get(f"{ACCOUNT}/macros")
    assert "bug" not in state.conversation(DEMO_ACCOUNT_ID, 30).labels
    now[0] += state.jobs.delay
    await client.get(f"{ACCOUNT}/macros")
    assert "bug" in state.conversation(DEMO_ACCOUNT_ID, 30).labels
    assert state.conversation(DEMO_ACCOUNT_ID, 30).priority == "high"


async def test_execute_does_not_check_each_conversation_but_bulk_actions_skip_them(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    hidden = state.conversation(DEMO_ACCOUNT_ID, EMAIL_CONVERSATION_ID)  # not in the agent's inboxes
    assert (await client.get(f"{ACCOUNT}/conversations/{EMAIL_CONVERSATION_ID}", headers=AGENT)).status_code == 401
    await client.post(
        f"{ACCOUNT}/macros/{BUG_MACRO_ID}/execute", headers=AGENT, json={"conversation_ids": [EMAIL_CONVERSATION_ID]}
    )
    state.jobs.run_all()
    assert "bug" in hidden.labels  # the gap: an agent changed a conversation they cannot see
    visible = next(c for c in state.account_conversations(DEMO_ACCOUNT_ID) if c.inbox_id == 1 and "vip" not in c.labels)
    answer = await client.post(
        f"{ACCOUNT}/bulk_actions",
        headers=AGENT,
        json={"type": "Conversation", "ids": [EMAIL_CONVERSATION_ID, visible.display_id], "labels": {"add": ["vip"]}},
    )
    assert (answer.status_code, answer.content) == (200, b"")
    state.jobs.run_all()
    assert "vip" in visible.labels and "vip" not in hidden.labels  # skipped in silence


async def test_execute_with_an_unknown_macro_or_a_string_of_ids_is_200_and_nothing(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    before = list(state.conversation(DEMO_ACCOUNT_ID, 30).labels)
    unknown = await client.post(f"{ACCOUNT}/macros/999/execute", json={"conversation_ids": [30]})
    string = await client.post(f"{ACCOUNT}/macros/{BUG_MACRO_ID}/execute", json={"conversation_ids": "30"})
    assert unknown.status_code == string.status_code == 200
    state.jobs.run_all()
    assert state.conversation(DEMO_ACCOUNT_ID, 30).labels == before
    assert len(state.jobs.failed) == 2


async def test_each_action_error_is_swallowed_and_the_next_one_runs(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    made = await client.post(
        f"{ACCOUNT}/macros",
        json={
            "name": "Odd",
            "visibility": "global",
            "actions": [
                {"action_name": "change_status", "action_params": ["closed"]},
                {"action_name": "assign_agent", "action_params": ["5"]},  # a string id matches nobody
                {"action_name": "add_label", "action_params": ["urgent"]},
            ],
        },
    )
    await client.post(f"{ACCOUNT}/macros/{made.json()['payload']['id']}/execute", json={"conversation_ids": [30]})
    conversation = state.conversation(DEMO_ACCOUNT_ID, 30)
    assignee = conversation.assignee_id
    state.jobs.run_all()
    assert "urgent" in conversation.labels and conversation.assignee_id == assignee


async def test_a_dropped_job_never_happens(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.jobs.drop_next = 1
    await client.post(f"{ACCOUNT}/macros/{BUG_MACRO_ID}/execute", json={"conversation_ids": [30]})
    state.jobs.run_all()
    assert "bug" not in state.conversation(DEMO_ACCOUNT_ID, 30).labels and state.jobs.dropped == [
        f"macro {BUG_MACRO_ID}"
    ]


async def test_bulk_fields_labels_and_types(client: httpx2.AsyncClient, state: SandboxState) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, 30)
    conversation.labels = ["billing", "vip"]
    body = {
        "type": "conversation",
        "ids": [30],
        "fields": {"status": "snoozed", "assignee_id": AGENT_USER_ID, "team_id": 0},
        "snoozed_until": 1_900_000_000,
        "labels": {"add": ["bug"], "remove": ["vip"]},
    }
    assert (await client.post(f"{ACCOUNT}/bulk_actions", json=body)).status_code == 200
    state.jobs.run_all()
    assert (conversation.status, conversation.assignee_id, conversation.team_id) == ("snoozed", AGENT_USER_ID, None)
    assert conversation.snoozed_until == 1_900_000_000 and conversation.labels == ["billing", "bug"]
    wrong = await client.post(f"{ACCOUNT}/bulk_actions", json={"type": "Message", "ids": [30]})
    assert (wrong.status_code, wrong.json()) == (422, {"success": False})
    denied = await client.post(
        f"{ACCOUNT}/bulk_actions", headers=AGENT, json={"type": "Contact", "action_name": "delete"}
    )
    assert denied.status_code == 401
