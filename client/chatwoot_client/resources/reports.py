"""Reports (v2, administrators only): the queue now, and summaries over a period. Not in the Chatwoot SDK.

Chatwoot reads `since` and `until` as epoch seconds of a half-open range [since, until) and, when either is
missing, answers zeros rather than all-time figures; so both are required here, and sent as whole seconds.
An agent's token gets 401 from every report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.resources._conversation_ops import unix_seconds
from chatwoot_client.types import LiveMetrics, ReportSummary, SummaryRow

__all__ = ["AsyncReportsResource", "GroupBy", "ReportsResource", "SummaryKind"]

GroupBy = Literal["team_id", "assignee_id"]
SummaryKind = Literal["agent", "team", "inbox", "label"]


def _base(account_id: int) -> str:
    return f"/api/v2/accounts/{path_id('account_id', account_id)}"


def _range(since: datetime | int, until: datetime | int, business_hours: bool) -> dict[str, str | bool]:
    start, end = unix_seconds(since), unix_seconds(until)
    if end <= start:
        raise ValueError(f"until ({end}) must be after since ({start}): Chatwoot's range is [since, until)")
    return {"since": str(start), "until": str(end), "business_hours": business_hours}


def live_op(account_id: int, team_id: int | None) -> Operation[LiveMetrics]:
    team = path_id("team_id", team_id) if team_id is not None else None
    body = yield APIRequest("GET", f"{_base(account_id)}/live_reports/conversation_metrics", {"team_id": team})
    return LiveMetrics.model_validate(body)


def live_grouped_op(account_id: int, group_by: GroupBy, team_id: int | None) -> Operation[list[LiveMetrics]]:
    team = path_id("team_id", team_id) if team_id is not None else None
    params = {"group_by": group_by, "team_id": team}
    body = yield APIRequest("GET", f"{_base(account_id)}/live_reports/grouped_conversation_metrics", params)
    return [LiveMetrics.model_validate(row) for row in body]


def summary_op(
    account_id: int, since: datetime | int, until: datetime | int, business_hours: bool
) -> Operation[ReportSummary]:
    params = {"type": "account", **_range(since, until, business_hours)}
    body = yield APIRequest("GET", f"{_base(account_id)}/reports/summary", params)
    return ReportSummary.model_validate(body)


def summaries_op(
    account_id: int, kind: SummaryKind, since: datetime | int, until: datetime | int, business_hours: bool
) -> Operation[list[SummaryRow]]:
    if kind not in ("agent", "team", "inbox", "label"):
        raise ValueError(f"kind must be agent, team, inbox or label, got {kind!r}")
    body = yield APIRequest("GET", f"{_base(account_id)}/summary_reports/{kind}", _range(since, until, business_hours))
    return [SummaryRow.model_validate(row) for row in body]


class AsyncReportsResource(AsyncResource):
    """Reports of an account (async); administrators only."""

    async def live(self, account_id: int, team_id: int | None = None) -> LiveMetrics:
        """The queue now: open, unattended, unassigned and pending conversations.

        Parameters
        ----------
        account_id
            The account ID.
        team_id
            Only this team's conversations.
        """
        return await self._client.run(live_op(account_id, team_id))

    async def live_grouped(self, account_id: int, group_by: GroupBy, team_id: int | None = None) -> list[LiveMetrics]:
        """The queue now, one row per team or per assignee with open conversations (no pending count).

        Parameters
        ----------
        account_id
            The account ID.
        group_by
            "team_id" or "assignee_id"; the row whose id is None holds the conversations without one.
        team_id
            Only this team's conversations.
        """
        return await self._client.run(live_grouped_op(account_id, group_by, team_id))

    async def summary(
        self, account_id: int, since: datetime | int, until: datetime | int, business_hours: bool = False
    ) -> ReportSummary:
        """The account's figures for [since, until), with `previous` for the period of the same length before.

        Parameters
        ----------
        account_id
            The account ID.
        since
            Start (a datetime, naive as UTC, or epoch seconds), included.
        until
            End, excluded.
        business_hours
            Count times within the inboxes' business hours only.
        """
        return await self._client.run(summary_op(account_id, since, until, business_hours))

    async def summaries(
        self,
        account_id: int,
        kind: SummaryKind,
        since: datetime | int,
        until: datetime | int,
        business_hours: bool = False,
    ) -> list[SummaryRow]:
        """One summary row per agent, team, inbox or label for [since, until).

        Parameters
        ----------
        account_id
            The account ID.
        kind
            "agent", "team", "inbox" or "label".
        since
            Start (a datetime, naive as UTC, or epoch seconds), included.
        until
            End, excluded.
        business_hours
            Count times within the inboxes' business hours only.
        """
        return await self._client.run(summaries_op(account_id, kind, since, until, business_hours))


class ReportsResource(SyncResource):
    """Reports of an account; administrators only."""

    @docs_from(AsyncReportsResource.live)
    def live(self, account_id: int, team_id: int | None = None) -> LiveMetrics:
        return self._client.run(live_op(account_id, team_id))

    @docs_from(AsyncReportsResource.live_grouped)
    def live_grouped(self, account_id: int, group_by: GroupBy, team_id: int | None = None) -> list[LiveMetrics]:
        return self._client.run(live_grouped_op(account_id, group_by, team_id))

    @docs_from(AsyncReportsResource.summary)
    def summary(
        self, account_id: int, since: datetime | int, until: datetime | int, business_hours: bool = False
    ) -> ReportSummary:
        return self._client.run(summary_op(account_id, since, until, business_hours))

    @docs_from(AsyncReportsResource.summaries)
    def summaries(
        self,
        account_id: int,
        kind: SummaryKind,
        since: datetime | int,
        until: datetime | int,
        business_hours: bool = False,
    ) -> list[SummaryRow]:
        return self._client.run(summaries_op(account_id, kind, since, until, business_hours))
