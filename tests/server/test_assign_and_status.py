"""assign_conversation resolves people without guessing; toggle_status and its agent-role side effect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mcp import Client

from chatwoot_sandbox import AGENT_TOKEN, AGENT_USER_ID, DEMO_ACCOUNT_ID, SandboxState

from .conftest import assert_compact, assert_refused, connect, make_server, make_settings, structured, text_of, writes

ASSIGNMENTS = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/14/assignments"


def assignment_requests(state: SandboxState) -> list[object]:
    return [r.json for r in state.requests if r.path == ASSIGNMENTS]


def assignee_of(state: SandboxState, display_id: int = 14) -> int | None:
    return state.conversation(DEMO_ACCOUNT_ID, display_id).assignee_id


@pytest.mark.anyio
@pytest.mark.parametrize(
    "agent",
    [2, "2", "alex.kim@acme.example", "ALEX.KIM@ACME.EXAMPLE", "Alex Kim", "alex kim", "  Alex KIM  "],
)
async def test_assign_agent_by_id_email_or_name(client: Client, state: SandboxState, agent: object) -> None:
    result = await client.call_tool("assign_conversation", {"conversation_id": 14, "agent": agent})
    detail = structured(result)
    assert_compact(result)
    assert detail["assignee"] == {"id": 2, "name": "Alex Kim"}
    assert assignee_of(state) == 2
    assert assignment_requests(state) == [{"assignee_id": 2}]


@pytest.mark.anyio
@pytest.mark.parametrize("agent", [999, "999", "nobody@acme.example", "Zed Nobody"])
async def test_unknown_agent_is_refused(client: Client, state: SandboxState, agent: object) -> None:
    result = await client.call_tool("assign_conversation", {"conversation_id": 14, "agent": agent})
    assert_refused(result, "No agent", "Alex Kim")
    assert assignment_requests(state) == []
    assert assignee_of(state) is None


@pytest.mark.anyio
async def test_ambiguous_first_name_returns_candidates(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("assign_conversation", {"conversation_id": 14, "agent": "alex"})
    assert_refused(result, "several agents", "2 Alex Kim", "3 Alex Morgan", "id or email")
    assert assignment_requests(state) == []


@pytest.mark.anyio
async def test_unique_first_name_resolves(client: Client, state: SandboxState) -> None:
    structured(await client.call_tool("assign_conversation", {"conversation_id": 14, "agent": "priya"}))
    assert assignee_of(state) == AGENT_USER_ID


@pytest.mark.anyio
@pytest.mark.parametrize("team", [2, "technical", "Technical", " TECHNICAL "])
async def test_assign_team_by_id_or_name(client: Client, state: SandboxState, team: object) -> None:
    detail = structured(await client.call_tool("assign_conversation", {"conversation_id": 14, "team": team}))
    assert detail["team"] == {"id": 2, "name": "technical"}
    assert state.conversation(DEMO_ACCOUNT_ID, 14).team_id == 2
    assert {"team_id": 2} in assignment_requests(state)


@pytest.mark.anyio
@pytest.mark.parametrize("team", [99, "support"])
async def test_unknown_team_is_refused(client: Client, state: SandboxState, team: object) -> None:
    result = await client.call_tool("assign_conversation", {"conversation_id": 14, "team": team, "agent": "Alex Kim"})
    assert_refused(result, "No team", "billing", "technical", "sales")
    assert assignment_requests(state) == []
    assert state.conversation(DEMO_ACCOUNT_ID, 14).team_id is None


@pytest.mark.anyio
async def test_agent_and_team_together_keep_the_agent(client: Client, state: SandboxState) -> None:
    detail = structured(
        await client.call_tool(
            "assign_conversation", {"conversation_id": "#14", "agent": "Alex Kim", "team": "billing"}
        )
    )
    assert detail["assignee"]["id"] == 2 and detail["team"]["id"] == 1


@pytest.mark.anyio
async def test_unassign_and_clear_team(client: Client, state: SandboxState) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, 7)
    assert conversation.assignee_id is not None
    detail = structured(await client.call_tool("assign_conversation", {"conversation_id": 7, "unassign_agent": True}))
    assert "assignee" not in detail
    assert conversation.assignee_id is None


@pytest.mark.anyio
async def test_contradictory_or_empty_assignment_is_refused(client: Client, state: SandboxState) -> None:
    for arguments in [{"agent": 2, "unassign_agent": True}, {"team": 1, "clear_team": True}, {}]:
        result = await client.call_tool("assign_conversation", {"conversation_id": 14, **arguments})
        assert result.is_error, arguments
    assert assignment_requests(state) == []
    assert [r.method for r in state.requests] == []


# -- toggle_status ------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_toggle_status(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("toggle_status", {"conversation_id": "#14", "status": "resolved"})
    change = structured(result)
    assert_compact(result)
    assert change == {"status": "resolved"}
    assert text_of(result) == "#14 is now resolved"
    assert state.conversation(DEMO_ACCOUNT_ID, 14).status == "resolved"


@pytest.mark.anyio
async def test_toggle_status_requires_status(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("toggle_status", {"conversation_id": 14})
    assert result.is_error
    assert "status" in text_of(result)
    assert state.requests == []


@pytest.mark.anyio
async def test_snooze_until_a_time(client: Client, state: SandboxState) -> None:
    until = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    wire = until.strftime("%Y-%m-%dT%H:%M:%SZ")
    change = structured(
        await client.call_tool("toggle_status", {"conversation_id": 14, "status": "snoozed", "snoozed_until": wire})
    )
    assert change["status"] == "snoozed"
    assert change["snoozed_until"] == wire
    detail = structured(await client.call_tool("get_conversation", {"conversation_id": 14}))
    assert detail["status"] == "snoozed"
    assert detail["snoozed_until"] == wire


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("snoozed_until", "why"),
    [
        ("0018-01-01T00:00:00Z", "in the past"),
        ("2020-01-01T00:00:00Z", "in the past"),
        (-5, "in the past"),
        (2**63, "not a time Chatwoot can store"),
        ("2999-01-01T00:00:00Z", "more than a year ahead"),
        ("2026-12-24T10:00:00", "no timezone"),
        ("next tuesday", "date-time"),
    ],
)
async def test_snooze_times_outside_the_next_year_are_refused(
    client: Client, state: SandboxState, snoozed_until: object, why: str
) -> None:
    result = await client.call_tool(
        "toggle_status", {"conversation_id": 8, "status": "snoozed", "snoozed_until": snoozed_until}
    )
    assert result.is_error
    assert why in text_of(result)
    assert "Nothing was written" in text_of(result)
    assert writes(state) == []
    # and every read of #8 still works
    assert not (await client.call_tool("get_conversation", {"conversation_id": 8})).is_error
    assert not (await client.call_tool("list_conversations", {"status": "all"})).is_error


@pytest.mark.anyio
async def test_reopening_as_an_agent_assigns_to_that_agent(state: SandboxState, mode: str) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, 9)
    assert conversation.status == "resolved" and conversation.assignee_id not in (None, AGENT_USER_ID)
    server = make_server(state, make_settings(CHATWOOT_API_TOKEN=AGENT_TOKEN))
    async with connect(server, mode) as client:
        change = structured(await client.call_tool("toggle_status", {"conversation_id": 9, "status": "open"}))
        assert change["status"] == "open"
        detail = structured(await client.call_tool("get_conversation", {"conversation_id": 9}))
    assert detail["status"] == "open"
    assert detail["assignee"]["id"] == AGENT_USER_ID


@pytest.mark.anyio
async def test_reopening_as_an_administrator_keeps_the_assignee(client: Client, state: SandboxState) -> None:
    before = state.conversation(DEMO_ACCOUNT_ID, 9).assignee_id
    structured(await client.call_tool("toggle_status", {"conversation_id": 9, "status": "open"}))
    detail = structured(await client.call_tool("get_conversation", {"conversation_id": 9}))
    assert detail["assignee"]["id"] == before


@pytest.mark.anyio
async def test_snoozed_until_with_another_status_is_explained(client: Client, state: SandboxState) -> None:
    result = await client.call_tool(
        "toggle_status", {"conversation_id": 14, "status": "open", "snoozed_until": "2030-01-02T09:30:00Z"}
    )
    assert result.is_error
    assert "snoozed_until only applies to status snoozed" in text_of(result)
    assert state.requests == []
