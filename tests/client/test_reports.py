"""Reports (v2) against the sandbox, async and sync: the queue now and summaries, administrators only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatwoot_client import ChatwootAuthError, ChatwootNotFoundError
from chatwoot_client.types import LiveMetrics, ReportSummary, SummaryRow
from chatwoot_sandbox import AGENT_TOKEN, DEMO_ACCOUNT_ID, SandboxState
from tests.client.conftest import AnyClient, Connect, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 11, 21, tzinfo=UTC)


def _created_between(state: SandboxState, since: float, until: float) -> int:
    return sum(1 for c in state.account_conversations(ACCOUNT) if since <= c.created_at < until)


async def test_live_counts_the_queue_now(client: AnyClient, state: SandboxState) -> None:
    live = await resolve(client.reports.live(ACCOUNT))
    conversations = state.account_conversations(ACCOUNT)
    opened = [c for c in conversations if c.status == "open"]
    assert isinstance(live, LiveMetrics)
    assert live.open == len(opened)
    assert live.unassigned == sum(1 for c in opened if c.assignee_id is None)
    assert live.pending == sum(1 for c in conversations if c.status == "pending")
    assert state.requests[-1].path == "/api/v2/accounts/1/live_reports/conversation_metrics"


async def test_live_for_one_team_and_grouped(client: AnyClient, state: SandboxState) -> None:
    team = await resolve(client.reports.live(ACCOUNT, team_id=1))
    assert state.requests[-1].query.get("team_id") == "1"
    assert team.open == sum(1 for c in state.account_conversations(ACCOUNT) if c.status == "open" and c.team_id == 1)
    rows = await resolve(client.reports.live_grouped(ACCOUNT, "assignee_id"))
    assert all(isinstance(row, LiveMetrics) and row.pending is None for row in rows)
    assert sum(row.open for row in rows) == (await resolve(client.reports.live(ACCOUNT))).open
    assert None in {row.assignee_id for row in rows}, "the unassigned conversations are a row of their own"


async def test_summary_sends_the_range_as_epoch_seconds(client: AnyClient, state: SandboxState) -> None:
    summary = await resolve(client.reports.summary(ACCOUNT, SINCE, UNTIL))
    sent = state.requests[-1]
    assert sent.path == "/api/v2/accounts/1/reports/summary"
    assert dict(sent.query) == {
        "type": "account",
        "since": str(int(SINCE.timestamp())),
        "until": str(int(UNTIL.timestamp())),
        "business_hours": "false",
    }
    assert isinstance(summary, ReportSummary) and summary.previous is not None
    assert summary.conversations_count == _created_between(state, SINCE.timestamp(), UNTIL.timestamp())
    start = 2 * SINCE.timestamp() - UNTIL.timestamp()
    assert summary.previous.conversations_count == _created_between(state, start, SINCE.timestamp())
    assert summary.resolutions_count > 0 and summary.avg_resolution_time is not None


async def test_summaries_per_agent_and_label(client: AnyClient) -> None:
    agents = await resolve(client.reports.summaries(ACCOUNT, "agent", SINCE, UNTIL))
    assert all(isinstance(row, SummaryRow) and row.name is None for row in agents)
    labels = await resolve(client.reports.summaries(ACCOUNT, "label", SINCE, UNTIL, business_hours=True))
    assert all(row.name for row in labels)
    assert all(row.avg_reply_time is not None for row in labels), "label averages are 0, never null"


async def test_an_empty_or_reversed_range_is_refused_before_sending(client: AnyClient, state: SandboxState) -> None:
    before = len(state.requests)
    with pytest.raises(ValueError, match="must be after since"):
        await resolve(client.reports.summary(ACCOUNT, UNTIL, SINCE))
    assert len(state.requests) == before


async def test_an_agent_token_gets_401(connect: Connect) -> None:
    agent = connect(AGENT_TOKEN)
    with pytest.raises(ChatwootAuthError, match="not authorized"):
        await resolve(agent.reports.summary(ACCOUNT, SINCE, UNTIL))
    with pytest.raises(ChatwootAuthError):
        await resolve(agent.reports.live(ACCOUNT))
    with pytest.raises(ChatwootNotFoundError):  # the team is looked up before the role is checked
        await resolve(agent.reports.live(ACCOUNT, team_id=999))
