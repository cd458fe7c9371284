"""The supervisor toolset end to end: list_macros in plain words, run_macro and bulk_update_conversations with one
confirmation, refusals before anything is sent, Chatwoot's background work waited for and reported truthfully
(done, skipped, not visible yet), the chatwoot:send scope and the duplicate window for macros that message the
customer, and one audit line per batch."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server.elicitation import AcceptedElicitation

import chatwoot_mcp.guards.readback
from chatwoot_client import AsyncChatwootClient
from chatwoot_mcp.context import REQUEST_SCOPES, ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.guards.confirm import Confirmation
from chatwoot_mcp.guards.macros import run_macro
from chatwoot_sandbox import AGENT_TOKEN, TEAM_VISIBLE_CONVERSATION_ID, SandboxState, create_app
from chatwoot_sandbox.records import OUTGOING
from chatwoot_sandbox.seed import BUG_MACRO_ID, ESCALATE_MACRO_ID, ESCALATE_MACRO_MESSAGE

from .conftest import SANDBOX_URL, Asker, assert_refused, connect, make_server, make_settings, structured, text_of

pytestmark = pytest.mark.anyio

EXECUTE = f"/api/v1/accounts/1/macros/{ESCALATE_MACRO_ID}/execute"


def executes(state: SandboxState) -> list[str]:
    return [r.path for r in state.requests if r.method == "POST" and r.path.endswith("/execute")]


def sent(state: SandboxState, display_id: int, content: str) -> int:
    conversation = state.conversation(1, display_id)
    return sum(1 for m in conversation.messages if m.message_type == OUTGOING and m.content == content)


@pytest.fixture
def quick_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chatwoot_mcp.guards.readback, "EFFECT_WAIT", 1.0)


async def test_macros_are_listed_in_plain_words_with_what_the_customer_sees(client: Client) -> None:
    result = await client.call_tool("list_macros", {})
    macros = {m["name"]: m for m in structured(result)["macros"]}
    assert list(macros) == ["Escalate to billing", "Route bug to technical", "Close quietly"]
    escalate = macros["Escalate to billing"]
    assert escalate["actions"] == [
        "add label billing",
        "assign team billing",
        f"send the customer: {ESCALATE_MACRO_MESSAGE}",
    ]
    assert escalate["customer_visible"] and not macros["Route bug to technical"]["customer_visible"]
    assert "[CUSTOMER SEES IT]" in text_of(result) and "<untrusted>" not in text_of(result)  # the team's own words


async def test_a_macro_runs_after_the_empty_answer_and_is_reported_once_it_shows(
    client: Client, state: SandboxState
) -> None:
    for display_id in (30, 31):
        state.conversation(1, display_id).labels = []
    result = await client.call_tool(
        "run_macro", {"macro": "escalate to billing", "conversation_ids": [30, "#31", 30], "confirm": True}
    )
    data = structured(result)
    assert data["done"] == [30, 31] and "read back" in text_of(result)
    assert executes(state) == [EXECUTE]
    execute = next(i for i, r in enumerate(state.requests) if r.path == EXECUTE)
    assert state.requests[execute].json == {"conversation_ids": [30, 31]}
    assert state.jobs.done == [f"macro {ESCALATE_MACRO_ID}"]
    later = [r for r in state.requests[execute + 1 :] if r.method == "GET"]
    assert len(later) >= 2, "it read the conversations back after the answer"
    assert sent(state, 30, ESCALATE_MACRO_MESSAGE) == 1 and state.conversation(1, 31).labels == ["billing"]


async def test_an_effect_that_never_shows_is_not_visible_yet_not_success(
    client: Client, state: SandboxState, quick_wait: None
) -> None:
    state.jobs.drop_next = 1  # the worker lost the job: Chatwoot answered 200 all the same
    result = await client.call_tool("run_macro", {"macro": BUG_MACRO_ID, "conversation_ids": [30], "confirm": True})
    text = text_of(result)
    assert result.is_error and "not visible yet on #30" in text
    assert "may have been applied" in text and "get_conversation" in text


async def test_refusals_come_before_anything_is_sent(client: Client, state: SandboxState) -> None:
    assert_refused(await client.call_tool("run_macro", {"macro": "nope", "conversation_ids": [30]}), "No macro")
    ambiguous = await client.call_tool("run_macro", {"macro": "o", "conversation_ids": [30], "confirm": True})
    assert_refused(ambiguous, "several macros", "1 Escalate to billing", "2 Route bug to technical")
    unconfirmed = await client.call_tool("run_macro", {"macro": ESCALATE_MACRO_ID, "conversation_ids": [30]})
    assert_refused(unconfirmed, "not confirmed", "send the customer", "Nothing was sent.")
    missing = await client.call_tool("run_macro", {"macro": 2, "conversation_ids": [30, 999], "confirm": True})
    assert_refused(missing, "#999")
    too_many = await client.call_tool("bulk_update_conversations", {"conversation_ids": list(range(1, 102))})
    assert_refused(too_many, "more than 100")
    assert executes(state) == [] and not [r for r in state.requests if r.path.endswith("/bulk_actions")]


async def test_only_conversations_the_user_can_read_are_accepted(state: SandboxState, mode: str) -> None:
    settings = make_settings(CHATWOOT_API_TOKEN=AGENT_TOKEN)
    async with connect(make_server(state, settings), mode) as client:
        result = await client.call_tool("run_macro", {"macro": BUG_MACRO_ID, "conversation_ids": [4], "confirm": True})
    assert_refused(result, "You cannot read #4")  # Chatwoot itself would have run it (no per-conversation check)
    assert executes(state) == []


async def test_one_question_shows_the_actions_and_the_conversations(state: SandboxState, mode: str) -> None:
    asker = Asker("decline")
    async with connect(make_server(state), mode, asker) as client:
        declined = await client.call_tool(
            "run_macro", {"macro": ESCALATE_MACRO_ID, "conversation_ids": [30, 31], "confirm": True}
        )
        asker.answer = "accept"
        accepted = await client.call_tool("bulk_update_conversations", {"conversation_ids": [32], "status": "pending"})
    assert_refused(declined, "Nothing was sent.")
    assert len(asker.questions) == 2 and executes(state) == []
    assert "Escalate to billing" in asker.questions[0] and "#30, #31" in asker.questions[0]
    assert "send the customer" in asker.questions[0] and "cannot be unsent" in asker.questions[0]
    assert "Change 1 conversation (#32): status pending" in asker.questions[1]
    assert structured(accepted)["done"] == [32]


async def test_a_macro_message_counts_in_the_duplicate_window(client: Client, state: SandboxState) -> None:
    first = await client.call_tool("run_macro", {"macro": ESCALATE_MACRO_ID, "conversation_ids": [30], "confirm": True})
    assert structured(first)["done"] == [30]
    again = await client.call_tool("run_macro", {"macro": ESCALATE_MACRO_ID, "conversation_ids": [30], "confirm": True})
    assert_refused(again, "same message again", "#30")
    reply = await client.call_tool(
        "send_reply", {"conversation_id": 30, "content": ESCALATE_MACRO_MESSAGE, "confirm": True}
    )
    assert_refused(reply, "already sent")
    assert sent(state, 30, ESCALATE_MACRO_MESSAGE) == 1 and len(executes(state)) == 1


async def test_a_macro_that_messages_the_customer_needs_the_send_scope(state: SandboxState) -> None:
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))
    async with AsyncChatwootClient(SANDBOX_URL, "sandbox-admin-token", http_client=http) as chatwoot:
        tools = ToolContext.create(chatwoot, make_settings())
        yes = AcceptedElicitation(data=Confirmation(confirm=True))

        def ctx(scopes: frozenset[str] | None) -> Any:
            scope = {} if scopes is None else {REQUEST_SCOPES: scopes}
            return SimpleNamespace(request_context=SimpleNamespace(request=SimpleNamespace(scope=scope)))

        write_only = ctx(frozenset({"chatwoot:read", "chatwoot:write"}))
        with pytest.raises(Refusal, match="chatwoot:send"):
            await run_macro(tools, 1, ESCALATE_MACRO_ID, [30], ctx=write_only, confirmation=yes)
        done = await run_macro(
            tools, 1, BUG_MACRO_ID, [30], ctx=write_only, confirmation=yes
        )  # nothing to the customer
        assert done.done == [30]
    assert executes(state) == [f"/api/v1/accounts/1/macros/{BUG_MACRO_ID}/execute"]


async def test_bulk_reports_done_and_what_chatwoot_skips_in_silence(state: SandboxState, mode: str) -> None:
    settings = make_settings(CHATWOOT_API_TOKEN=AGENT_TOKEN)
    mine = next(c.display_id for c in state.account_conversations(1) if c.inbox_id == 1 and "vip" not in c.labels)
    ids = [mine, TEAM_VISIBLE_CONVERSATION_ID]  # the second: readable through her team, outside her inboxes
    async with connect(make_server(state, settings), mode) as client:
        result = await client.call_tool(
            "bulk_update_conversations", {"conversation_ids": ids, "add_labels": ["vip"], "confirm": True}
        )
    data = structured(result)
    assert data["done"] == [mine] and data["skipped"] == [TEAM_VISIBLE_CONVERSATION_ID]
    assert "without a word" in text_of(result)
    assert "vip" not in state.conversation(1, TEAM_VISIBLE_CONVERSATION_ID).labels


async def test_one_audit_line_per_batch_with_every_id(tmp_path: Path, state: SandboxState) -> None:
    log = tmp_path / "audit.jsonl"
    ids = [c.display_id for c in state.account_conversations(1)][:100]
    async with connect(make_server(state, make_settings(CHATWOOT_MCP_AUDIT_LOG=str(log))), "auto") as client:
        result = await client.call_tool(
            "bulk_update_conversations", {"conversation_ids": ids, "add_labels": ["urgent"], "confirm": True}
        )
    assert not result.is_error, text_of(result)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == 1 and lines[0]["tool"] == "bulk_update_conversations" and lines[0]["outcome"] == "done"
    assert lines[0]["arguments"]["conversation_ids"] == ids
    assert lines[0]["conversations"]["done"] == ids
