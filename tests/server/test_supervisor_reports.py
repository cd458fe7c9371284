"""get_queue_metrics and get_report through an in-memory MCP client: the sandbox's own figures for an
administrator, a plain refusal for an agent, a range always sent (7 days by default), dates as people write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mcp import Client

from chatwoot_mcp.guards.reports import report_range
from chatwoot_mcp.views.reports import duration
from chatwoot_sandbox import AGENT_TOKEN, SandboxState
from chatwoot_sandbox.records import ACTIVITY

from .conftest import make_server, make_settings, structured, text_of

pytestmark = pytest.mark.anyio

NOV_1, NOV_21 = datetime(2026, 11, 1, tzinfo=UTC).timestamp(), datetime(2026, 11, 21, tzinfo=UTC).timestamp()


def report_requests(state: SandboxState) -> list[dict[str, str]]:
    return [dict(r.query) for r in state.requests if r.path.startswith("/api/v2/")]


async def test_queue_metrics_match_the_sandbox(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("get_queue_metrics", {})
    got = structured(result)
    conversations = state.account_conversations(1)
    opened = [c for c in conversations if c.status == "open"]
    assert got["open"] == len(opened)
    assert got["unassigned"] == sum(1 for c in opened if c.assignee_id is None)
    assert got["unattended"] == sum(1 for c in opened if c.first_reply_created_at is None or c.waiting_since)
    assert got["pending"] == sum(1 for c in conversations if c.status == "pending")
    assert text_of(result).startswith(f"open {got['open']} · unattended {got['unattended']}")


async def test_queue_metrics_per_agent_with_names_and_for_a_team_by_name(client: Client, state: SandboxState) -> None:
    grouped = structured(await client.call_tool("get_queue_metrics", {"group_by": "agent"}))
    assert sum(group["open"] for group in grouped["groups"]) == grouped["open"]
    named = [group for group in grouped["groups"] if "id" in group]
    assert all(group["name"] == state.users[group["id"]].name for group in named)
    team = next(t for t in state.teams.values() if t.account_id == 1)
    one = structured(await client.call_tool("get_queue_metrics", {"team": team.name}))
    assert one["team"] == team.name
    assert one["open"] == sum(1 for c in state.account_conversations(1) if c.status == "open" and c.team_id == team.id)


async def test_account_report_matches_the_sandbox_and_has_the_previous_period(
    client: Client, state: SandboxState
) -> None:
    result = await client.call_tool("get_report", {"since": "2026-11-01", "until": "2026-11-20"})
    got = structured(result)
    conversations = state.account_conversations(1)
    assert got["since"] == "2026-11-01T00:00:00Z" and got["until"] == "2026-11-21T00:00:00Z", "until's whole day"
    assert report_requests(state)[-1] == {
        "type": "account",
        "since": str(int(NOV_1)),
        "until": str(int(NOV_21)),
        "business_hours": "false",
    }
    current, previous = got["rows"]
    assert (current["name"], previous["name"]) == ("this period", "period before")
    assert current["conversations"] == sum(1 for c in conversations if NOV_1 <= c.created_at < NOV_21)
    resolutions = [
        m
        for c in conversations
        for m in c.messages
        if m.message_type == ACTIVITY and (m.content or "").startswith("Conversation was marked resolved")
    ]
    assert current["resolved"] == sum(1 for m in resolutions if NOV_1 <= m.created_at < NOV_21)
    assert current["resolution_time"].endswith(("min", "h", "d")), got
    before = NOV_1 - (NOV_21 - NOV_1)
    assert previous["conversations"] == sum(1 for c in conversations if before <= c.created_at < NOV_1)
    assert "\nperiod before: conversations" in text_of(result)


async def test_agent_rows_have_names_and_datetimes_are_accepted(client: Client, state: SandboxState) -> None:
    result = await client.call_tool(
        "get_report",
        {"kind": "agents", "since": "2026-11-01T00:00:00Z", "until": "2026-11-21T00:00", "business_hours": True},
    )
    got = structured(result)
    assert report_requests(state)[-1]["business_hours"] == "true"
    assert [row["id"] for row in got["rows"]] == sorted(u.id for u in state.account_users(1))
    assert all(row["name"] == state.users[row["id"]].name for row in got["rows"])
    assigned = sum(1 for c in state.account_conversations(1) if NOV_1 <= c.created_at < NOV_21 and c.assignee_id)
    assert sum(row["conversations"] for row in got["rows"]) == assigned
    labels = structured(await client.call_tool("get_report", {"kind": "labels", "since": "2026-11-01"}))
    assert all(row["name"] for row in labels["rows"])


async def test_the_default_range_is_the_last_7_days_never_empty(client: Client, state: SandboxState) -> None:
    before = datetime.now(UTC).timestamp()
    await client.call_tool("get_report", {})
    sent = report_requests(state)[-1]
    since, until = int(sent["since"]), int(sent["until"])
    assert until - since == 7 * 86400
    assert before - 2 <= until <= datetime.now(UTC).timestamp() + 1


async def test_bad_dates_are_refused_before_any_request(client: Client, state: SandboxState) -> None:
    for arguments, needle in (
        ({"since": "last week"}, "since must be an ISO date"),
        ({"since": "2026-11-10", "until": "2026-11-01"}, "until (2026-11-02 00:00) must be after since"),
    ):
        result = await client.call_tool("get_report", arguments)
        assert result.is_error and needle in text_of(result), text_of(result)
    assert report_requests(state) == []


async def test_an_agent_gets_a_plain_refusal_naming_the_administrator_requirement(mode: str) -> None:
    state = SandboxState.demo()
    async with Client(
        make_server(state, make_settings(CHATWOOT_API_TOKEN=AGENT_TOKEN)), mode=mode, cache=None
    ) as agent:
        for tool, arguments in (
            ("get_report", {}),
            ("get_queue_metrics", {}),
            ("get_queue_metrics", {"group_by": "team"}),
        ):
            result = await agent.call_tool(tool, arguments)
            text = text_of(result)
            assert result.is_error and "Reports need an administrator" in text, text
            assert "401" not in text and "API token may be wrong" not in text


def test_report_range_and_durations() -> None:
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert report_range(None, None, now) == (datetime(2026, 11, 29, 12, tzinfo=UTC), now)
    assert report_range("2026-12-01", None, now)[0] == datetime(2026, 12, 1, tzinfo=UTC)
    assert report_range(None, "2026-12-01", now) == (
        datetime(2026, 11, 25, tzinfo=UTC),
        datetime(2026, 12, 2, tzinfo=UTC),
    )
    assert report_range("2026-12-01T08:30:00+01:00", None, now)[0] == datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    assert [duration(s) for s in (None, 40, 720, 7500, 7200, 3 * 86400 + 4 * 3600)] == [
        None, "40 s", "12 min", "2 h 5 min", "2 h", "3 d 4 h",
    ]  # fmt: skip
