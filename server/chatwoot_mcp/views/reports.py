"""What the supervisor's report tools return: the queue now, and a period's figures with times in human units."""

from __future__ import annotations

from chatwoot_client.types import SummaryMetrics
from chatwoot_mcp.views.base import Compact, View

__all__ = ["QueueGroup", "QueueMetrics", "Report", "ReportRow", "duration"]


def duration(seconds: float | None) -> str | None:
    """Seconds in the units a person reads: "40 s", "12 min", "2 h 5 min", "3 d 4 h"; None stays None."""
    if seconds is None:
        return None
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


class QueueGroup(Compact):
    """One team or agent with open conversations; id absent: those without a team / agent."""

    id: int | None = None
    name: str | None = None
    open: int
    unattended: int
    unassigned: int


class QueueMetrics(View):
    """The queue now: open, unattended (never or not yet answered), unassigned, pending."""

    open: int
    unattended: int
    unassigned: int
    pending: int | None = None
    team: str | None = None
    groups: list[QueueGroup] | None = None

    def text(self) -> str:
        scope = f"team {self.team}: " if self.team else ""
        pending = f" · pending {self.pending}" if self.pending is not None else ""
        lines = [f"{scope}open {self.open} · unattended {self.unattended} · unassigned {self.unassigned}{pending}"]
        for group in self.groups or ():
            who = f"{group.id} {group.name or ''}".strip() if group.id is not None else "(none)"
            lines.append(f"{who}: open {group.open} · unattended {group.unattended} · unassigned {group.unassigned}")
        return "\n".join(lines)


class ReportRow(Compact):
    """One period of the account, or one agent, team, inbox or label; times are averages (absent: none measured)."""

    id: int | None = None
    name: str | None = None
    conversations: int
    resolved: int
    first_response: str | None = None
    resolution_time: str | None = None
    reply_time: str | None = None

    @classmethod
    def period(cls, name: str, figures: SummaryMetrics) -> ReportRow:
        return cls(
            name=name,
            conversations=figures.conversations_count,
            resolved=figures.resolutions_count,
            first_response=duration(figures.avg_first_response_time),
            resolution_time=duration(figures.avg_resolution_time),
            reply_time=duration(figures.reply_time),
        )

    def line(self) -> str:
        times = ", ".join(
            f"{name} {value}"
            for name, value in (
                ("first response", self.first_response),
                ("resolution", self.resolution_time),
                ("reply", self.reply_time),
            )
            if value
        )
        who = " ".join(str(part) for part in (self.id, self.name) if part is not None)
        return f"{who}: conversations {self.conversations} · resolved {self.resolved}" + (
            f" · avg {times}" if times else ""
        )


class Report(View):
    """A summary report over [since, until) (UTC): for the account, the period and the one before it."""

    kind: str
    since: str
    until: str
    business_hours: bool = False
    rows: list[ReportRow]

    def text(self) -> str:
        hours = " (business hours)" if self.business_hours else ""
        lines = [f"{self.kind} report {self.since} to {self.until}{hours}"]
        lines.extend(row.line() for row in self.rows)
        if not self.rows:
            lines.append(f"no {self.kind}")
        return "\n".join(lines)
