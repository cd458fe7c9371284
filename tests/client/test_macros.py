"""Macros and bulk actions against the sandbox, async and sync: CRUD, the empty answers of execute and bulk_actions,
and the background work that happens only after them."""

from __future__ import annotations

import time

import pytest

from chatwoot_client import ChatwootNotFoundError, ChatwootServerError, ChatwootValidationError
from chatwoot_client.resources.bulk_actions import Keep
from chatwoot_client.types import Macro, MacroAction
from chatwoot_sandbox import AGENT_TOKEN, DEMO_ACCOUNT_ID, SandboxState
from chatwoot_sandbox.seed import BUG_MACRO_ID, ESCALATE_MACRO_ID
from tests.client.conftest import AnyClient, Connect, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID


async def test_list_and_get(client: AnyClient) -> None:
    macros = await resolve(client.macros.list(ACCOUNT))
    assert [m.name for m in macros] == ["Escalate to billing", "Route bug to technical", "Close quietly"]
    escalate = await resolve(client.macros.get(ACCOUNT, ESCALATE_MACRO_ID))
    assert isinstance(escalate, Macro) and escalate.visibility == "global"
    assert escalate.actions[1] == MacroAction(action_name="assign_team", action_params=[1])
    assert escalate.created_by is not None and escalate.created_by.id == 1
    with pytest.raises(ChatwootNotFoundError):  # a 404 with an empty body
        await resolve(client.macros.get(ACCOUNT, 999))


async def test_create_update_delete_always_send_visibility(client: AnyClient, state: SandboxState) -> None:
    made = await resolve(
        client.macros.create(ACCOUNT, "Tag VIP", [MacroAction(action_name="add_label", action_params=["vip"])])
    )
    assert made.visibility == "personal" and state.requests[-1].json == {
        "name": "Tag VIP",
        "visibility": "personal",
        "actions": [{"action_name": "add_label", "action_params": ["vip"]}],
    }
    changed = await resolve(client.macros.update(ACCOUNT, made.id, visibility="global", name="Tag as VIP"))
    assert (changed.name, changed.visibility) == ("Tag as VIP", "global")
    assert state.requests[-1].json == {"visibility": "global", "name": "Tag as VIP"}
    assert await resolve(client.macros.delete(ACCOUNT, made.id)) is None
    with pytest.raises(ChatwootValidationError) as refused:
        await resolve(client.macros.create(ACCOUNT, "Bad", [{"action_name": "nope", "action_params": []}]))
    assert refused.value.status_code == 422
    with pytest.raises(ChatwootServerError):  # an unknown id on update: Chatwoot's NoMethodError
        await resolve(client.macros.update(ACCOUNT, 999, visibility="personal"))


async def test_execute_returns_none_before_the_effect(client: AnyClient, state: SandboxState) -> None:
    conversation = state.conversation(ACCOUNT, 30)
    assert await resolve(client.macros.execute(ACCOUNT, BUG_MACRO_ID, [30])) is None
    assert state.requests[-1].json == {"conversation_ids": [30]}
    assert "bug" not in conversation.labels
    time.sleep(state.jobs.delay)
    shown = await resolve(client.conversations.get(ACCOUNT, 30))
    assert "bug" in shown.labels and shown.priority == "high"


async def test_execute_of_an_unknown_macro_is_still_none(client: AnyClient, state: SandboxState) -> None:
    assert await resolve(client.macros.execute(ACCOUNT, 999, [30])) is None
    state.jobs.run_all()
    assert state.jobs.failed == ["macro -1"]


async def test_bulk_update_shapes_the_body_and_skips_outside_inboxes(connect: Connect, state: SandboxState) -> None:
    agent = connect(AGENT_TOKEN)
    assert (
        await resolve(
            agent.bulk_actions.update(
                ACCOUNT, [30, 4], status="pending", team_id=None, add_labels=["vip"], remove_labels=["bug"]
            )
        )
        is None
    )
    assert state.requests[-1].json == {
        "type": "Conversation",
        "ids": [30, 4],
        "fields": {"status": "pending", "team_id": None},
        "labels": {"add": ["vip"], "remove": ["bug"]},
    }
    state.jobs.run_all()
    assert state.conversation(ACCOUNT, 30).status == "pending" and "vip" in state.conversation(ACCOUNT, 30).labels
    assert "vip" not in state.conversation(ACCOUNT, 4).labels  # not in the agent's inboxes: skipped in silence


async def test_bulk_update_refuses_what_chatwoot_would_drop(client: AnyClient, state: SandboxState) -> None:
    seen = state.requests.total
    with pytest.raises(ValueError, match="snoozed_until"):
        await resolve(client.bulk_actions.update(ACCOUNT, [1], snoozed_until=1_900_000_000))
    with pytest.raises(ValueError, match="nothing to change"):
        await resolve(client.bulk_actions.update(ACCOUNT, [1], assignee_id=Keep.KEEP))
    with pytest.raises(TypeError):
        await resolve(client.macros.execute(ACCOUNT, 1, 5))  # type: ignore[arg-type]
    assert state.requests.total == seen  # nothing was sent
