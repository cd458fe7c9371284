"""Reports for supervisors: the queue now and a period's figures, from Chatwoot's reports (v2).

Chatwoot shows reports to administrators only (an agent's token gets 401, which would read like a bad token), and
answers ZEROS, not all-time figures, when the date range is missing; so a range is always sent: the last 7 days
unless told, dates as a person writes them. Chatwoot's summary rows name only labels; agents, teams and inboxes
get their names from the directory.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from chatwoot_client import ChatwootAuthError
from chatwoot_client.resources.reports import SummaryKind
from chatwoot_client.types import LiveMetrics, SummaryRow
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.guards.people import resolve_team
from chatwoot_mcp.views.reports import QueueGroup, QueueMetrics, Report, ReportRow, duration

__all__ = ["DEFAULT_DAYS", "get_queue_metrics", "get_report", "report_range"]

DEFAULT_DAYS = 7
NOT_ADMINISTRATOR = "You are not authorized to do this action"
"""Chatwoot's 401 body for a role that may not (an unknown token says "Invalid Access Token")."""
ReportKind = Literal["account", "agents", "teams", "inboxes", "labels"]
_SUMMARY: dict[str, SummaryKind] = {"agents": "agent", "teams": "team", "inboxes": "inbox", "labels": "label"}


def _refusal_for_agents(error: ChatwootAuthError) -> Refusal | None:
    if NOT_ADMINISTRATOR.lower() in (error.description or "").lower():
        return Refusal(
            "Reports need an administrator: Chatwoot shows them to administrators only, and this token is an "
            "agent's. Ask an administrator, or use get_counts and list_conversations. Nothing was read."
        )
    return None


def _when(text: str, name: str, end: bool) -> datetime:
    """A date (a whole UTC day: its start, or for an end its close) or a datetime (naive: UTC)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Refusal(
            f"{name} must be an ISO date (2026-11-01) or datetime (2026-11-01T09:00:00Z), got {text!r}. Nothing was "
            "read."
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def report_range(since: str | None, until: str | None, now: datetime) -> tuple[datetime, datetime]:
    """[since, until): the last DEFAULT_DAYS days by default; a date `until` includes that whole day."""
    end = _when(until, "until", end=True) if until is not None else now
    start = _when(since, "since", end=False) if since is not None else end - timedelta(days=DEFAULT_DAYS)
    if end <= start:
        raise Refusal(f"until ({end:%Y-%m-%d %H:%M}) must be after since ({start:%Y-%m-%d %H:%M}). Nothing was read.")
    return start, end


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def get_queue_metrics(
    tools: ToolContext,
    account_id: int,
    team: int | str | None = None,
    group_by: Literal["team", "agent"] | None = None,
) -> QueueMetrics:
    """The queue now: open, unattended, unassigned, pending. Administrators only.

    Parameters
    ----------
    team
        Only this team (id or name).
    group_by
        A row per team or agent with open conversations.
    """
    team_ref = await resolve_team(tools, account_id, team) if team is not None else None
    team_id = team_ref.id if team_ref is not None else None
    reports = tools.client.reports
    try:
        totals = await reports.live(account_id, team_id)
        rows = await reports.live_grouped(account_id, _GROUPS[group_by], team_id) if group_by else None
    except ChatwootAuthError as error:
        raise _refusal_for_agents(error) or error from None
    groups = None
    if rows is not None:
        names = await _names(tools, account_id, "teams" if group_by == "team" else "agents")
        groups = [_group(row, group_by or "", names) for row in sorted(rows, key=lambda r: -r.open)]
    return QueueMetrics(
        open=totals.open,
        unattended=totals.unattended,
        unassigned=totals.unassigned,
        pending=totals.pending,
        team=team_ref.name if team_ref is not None else None,
        groups=groups,
    )


_GROUPS: dict[str | None, Literal["team_id", "assignee_id"]] = {"team": "team_id", "agent": "assignee_id"}


def _group(row: LiveMetrics, group_by: str, names: dict[int, str]) -> QueueGroup:
    key = row.team_id if group_by == "team" else row.assignee_id
    return QueueGroup(
        id=key,
        name=names.get(key) if key is not None else None,
        open=row.open,
        unattended=row.unattended,
        unassigned=row.unassigned,
    )


async def _names(tools: ToolContext, account_id: int, kind: str) -> dict[int, str]:
    """Names by id from the directory (cached); empty when it cannot be read (the ids still say who)."""
    directory = tools.directory
    fetch = {"agents": directory.agents, "teams": directory.teams, "inboxes": directory.inboxes}.get(kind)
    if fetch is None:
        return {}
    return {item.id: item.name for item in await fetch(account_id)}


async def get_report(
    tools: ToolContext,
    account_id: int,
    kind: ReportKind = "account",
    since: str | None = None,
    until: str | None = None,
    business_hours: bool = False,
) -> Report:
    """Conversations, resolutions, average first response, resolution and reply times over a period (account:
    also the period before). Administrators only.

    Parameters
    ----------
    kind
        Or a row per agent, team, inbox, label.
    since
        ISO date/datetime (UTC); default until - 7 days.
    until
        End, excluded (a date: all of it); default now.
    business_hours
        Business hours only.
    """
    start, end = report_range(since, until, datetime.now(UTC))
    try:
        if kind == "account":
            summary = await tools.client.reports.summary(account_id, start, end, business_hours)
            rows = [ReportRow.period("this period", summary)]
            if summary.previous is not None:
                rows.append(ReportRow.period("period before", summary.previous))
        else:
            found = await tools.client.reports.summaries(account_id, _SUMMARY[kind], start, end, business_hours)
            names = await _names(tools, account_id, kind)
            rows = [_row(row, names) for row in found]
    except ChatwootAuthError as error:
        raise _refusal_for_agents(error) or error from None
    return Report(kind=kind, since=_iso(start), until=_iso(end), business_hours=business_hours, rows=rows)


def _row(row: SummaryRow, names: dict[int, str]) -> ReportRow:
    """A summary row; the 0 a label row has for "nothing measured" reads as absent, like the others' null."""
    return ReportRow(
        id=row.id,
        name=row.name or names.get(row.id),
        conversations=row.conversations_count,
        resolved=row.resolved_conversations_count,
        first_response=duration(row.avg_first_response_time) if row.avg_first_response_time else None,
        resolution_time=duration(row.avg_resolution_time) if row.avg_resolution_time else None,
        reply_time=duration(row.avg_reply_time) if row.avg_reply_time else None,
    )
