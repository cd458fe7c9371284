"""Reports (v2): live queue counts and summary reports, as Chatwoot's report controllers render them.

Averages are seconds, a float, or None when nothing was measured (the label summary writes 0 instead of None:
Chatwoot's own difference, kept as sent).
"""

from __future__ import annotations

from chatwoot_client.types._base import ChatwootModel

__all__ = ["LiveMetrics", "ReportSummary", "SummaryMetrics", "SummaryRow"]


class LiveMetrics(ChatwootModel):
    """The queue now (`live_reports/conversation_metrics`, or one row of the grouped form).

    `unattended`: open and never answered, or waiting for an answer again. In a grouped row, `team_id` or
    `assignee_id` names the group (None: the conversations without one); the grouped form has no `pending`.
    """

    open: int = 0
    unattended: int = 0
    unassigned: int = 0
    pending: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None


class SummaryMetrics(ChatwootModel):
    """The account summary's figures for one period (`reports/summary`)."""

    conversations_count: int = 0
    incoming_messages_count: int = 0
    outgoing_messages_count: int = 0
    avg_first_response_time: float | None = None
    avg_resolution_time: float | None = None
    resolutions_count: int = 0
    reply_time: float | None = None


class ReportSummary(SummaryMetrics):
    """`reports/summary`: the figures for [since, until), and `previous` for the period of the same length before."""

    previous: SummaryMetrics | None = None


class SummaryRow(ChatwootModel):
    """One agent, team, inbox or label of `summary_reports/{agent,team,inbox,label}` (only labels carry a name)."""

    id: int
    name: str | None = None
    conversations_count: int = 0
    resolved_conversations_count: int = 0
    avg_resolution_time: float | None = None
    avg_first_response_time: float | None = None
    avg_reply_time: float | None = None
