"""Reports (v2) computed from the sandbox's own conversations and messages, the way Chatwoot's report services do.

Chatwoot counts from `reporting_events` that its listeners record as things happen; the sandbox has no such
table, so it reads the same events off each conversation's history:

- `first_response`: the first public reply by a user, measured from the conversation's start (or from the last
  bot message before it: "the last non-human activity"); it belongs to the user who replied;
- `reply_time`: every public reply by a user that ends a wait (an incoming message since the last such reply),
  measured from the first message of that wait; it belongs to the replying user;
- `conversation_resolved`: every "Conversation was marked resolved" activity message, measured from the
  conversation's creation; it belongs to the conversation's assignee.

The sandbox's inboxes have no working hours, so `business_hours=true` gives the same averages (Chatwoot's
`value_in_business_hours` equals `value` for an inbox without them). Every range is half-open, [since, until).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chatwoot_sandbox.errors import ServerError
from chatwoot_sandbox.records import INCOMING, OUTGOING, Conversation, Message
from chatwoot_sandbox.tables import Tables

__all__ = [
    "Event",
    "Range",
    "events_of",
    "live_metrics",
    "parse_range",
    "summary",
    "summary_rows",
]

RESOLVED_ACTIVITY = "Conversation was marked resolved"
_EPOCH_SECONDS = re.compile(r"[+-]?[0-9]+")

Range = tuple[float, float] | None
"""[since, until) in unix seconds; None when either bound is missing (Chatwoot's `range` is then nil)."""


@dataclass(frozen=True)
class Event:
    name: str
    """first_response, reply_time or conversation_resolved."""
    conversation: Conversation
    user_id: int | None
    value: float
    at: float


def parse_range(since: object, until: object) -> Range:
    """`DateRangeHelper#range`: both bounds as `DateTime.strptime(x, '%s')`; a bound that is not whole epoch
    seconds is a Date::Error (500); a missing one makes the range nil."""
    if since is None or until is None:
        return None
    bounds = []
    for value in (since, until):
        text = str(value).strip()
        if not _EPOCH_SECONDS.fullmatch(text):
            raise ServerError("Date::Error: invalid date")
        bounds.append(float(int(text)))
    return bounds[0], bounds[1]


def within(at: float | None, period: Range) -> bool:
    """`created_at` in the range; with no range, `created_at IS NULL`, which no record is."""
    return at is not None and period is not None and period[0] <= at < period[1]


def _is_human_reply(message: Message) -> bool:
    return message.message_type == OUTGOING and not message.private and message.sender_type == "User"


def events_of(conversation: Conversation) -> list[Event]:
    """The reporting events Chatwoot's listeners would have recorded for this conversation's history."""
    events: list[Event] = []
    started = conversation.created_at
    waiting: float | None = None
    answered = False
    for message in conversation.messages:
        if message.message_type == INCOMING:
            waiting = message.created_at if waiting is None else waiting
        elif message.message_type == OUTGOING and message.sender_type == "AgentBot":
            started = message.created_at
        elif _is_human_reply(message):
            if not answered:
                value = message.created_at - started
                events.append(Event("first_response", conversation, message.sender_id, value, message.created_at))
                answered = True
            if waiting is not None:
                value = message.created_at - waiting
                events.append(Event("reply_time", conversation, message.sender_id, value, message.created_at))
                waiting = None
        elif (message.content or "").startswith(RESOLVED_ACTIVITY):
            value = message.created_at - conversation.created_at
            events.append(
                Event("conversation_resolved", conversation, conversation.assignee_id, value, message.created_at)
            )
    return events


def _average(values: list[float], empty: float | None) -> float | None:
    return sum(values) / len(values) if values else empty


# -- reports/summary -------------------------------------------------------------------------------------------


def _metrics(
    conversations: Iterable[Conversation], messages: Iterable[Message], events: list[Event], period: Range
) -> dict[str, object]:
    """The seven figures of `reports/summary` for one period."""
    shown = [e for e in events if within(e.at, period)]
    kept = list(messages)

    def average(name: str) -> float | None:
        return _average([e.value for e in shown if e.name == name], None)

    return {
        "conversations_count": sum(1 for c in conversations if within(c.created_at, period)),
        "incoming_messages_count": sum(1 for m in kept if m.message_type == INCOMING and within(m.created_at, period)),
        "outgoing_messages_count": sum(1 for m in kept if m.message_type == OUTGOING and within(m.created_at, period)),
        "avg_first_response_time": average("first_response"),
        "avg_resolution_time": average("conversation_resolved"),
        "resolutions_count": sum(1 for e in shown if e.name == "conversation_resolved"),
        "reply_time": average("reply_time"),
    }


def summary(
    conversations: list[Conversation], events: list[Event], period: Range, *, sender_id: int | None = None
) -> dict[str, object]:
    """`reports/summary` over a scope's conversations and events, with `previous`: [since-(until-since), since).

    With `sender_id` (an agent's report) the messages are those the agent sent, so incoming is always 0.
    """
    messages = [m for c in conversations for m in c.messages]
    if sender_id is not None:
        messages = [m for m in messages if m.sender_type == "User" and m.sender_id == sender_id]
    previous = None if period is None else (2 * period[0] - period[1], period[0])
    return _metrics(conversations, messages, events, period) | {
        "previous": _metrics(conversations, messages, events, previous)
    }


# -- summary_reports/{agent,team,inbox,label} -------------------------------------------------------------------


def summary_rows(
    keys: list[tuple[int, str | None]],
    conversations: list[Conversation],
    key_of: Callable[[Conversation], Iterable[int]],
    event_key: Callable[[Event], Iterable[int]],
    period: Range,
    *,
    labels: bool = False,
) -> list[dict[str, object]]:
    """One row per (id, name) in `keys`; a conversation counts for every key `key_of` gives, an event for every
    key `event_key` gives. Label rows carry a name and default their averages to 0 (Chatwoot's difference)."""
    events = [e for c in conversations for e in events_of(c) if within(e.at, period)]
    empty: float | None = 0 if labels else None
    rows = []
    for key, name in keys:
        mine = [e for e in events if key in event_key(e)]

        def average(kind: str, mine: list[Event] = mine) -> float | None:
            return _average([e.value for e in mine if e.name == kind], empty)

        row: dict[str, object] = {"id": key}
        if labels:
            row["name"] = name
        row |= {
            "conversations_count": sum(1 for c in conversations if within(c.created_at, period) and key in key_of(c)),
            "resolved_conversations_count": sum(1 for e in mine if e.name == "conversation_resolved"),
            "avg_resolution_time": average("conversation_resolved"),
            "avg_first_response_time": average("first_response"),
            "avg_reply_time": average("reply_time"),
        }
        rows.append(row)
    return rows


# -- live_reports ----------------------------------------------------------------------------------------------


def live_metrics(conversations: Iterable[Conversation]) -> dict[str, int]:
    """`{open, unattended, unassigned, pending}` now; unattended: open and never answered, or waiting again."""
    listed = list(conversations)
    opened = [c for c in listed if c.status == "open"]
    return {
        "open": len(opened),
        "unattended": sum(1 for c in opened if c.first_reply_created_at is None or c.waiting_since is not None),
        "unassigned": sum(1 for c in opened if c.assignee_id is None),
        "pending": sum(1 for c in listed if c.status == "pending"),
    }


def grouped_live_metrics(conversations: Iterable[Conversation], group_by: str) -> list[dict[str, object]]:
    """One row per group with at least one open conversation; the group without one is `<group_by>: null`."""
    groups: dict[int | None, list[Conversation]] = {}
    for conversation in conversations:
        if conversation.status == "open":
            key = conversation.team_id if group_by == "team_id" else conversation.assignee_id
            groups.setdefault(key, []).append(conversation)
    rows: list[dict[str, object]] = []
    for key, members in groups.items():
        counts = live_metrics(members)
        rows.append({"open": counts["open"], "unattended": counts["unattended"], "unassigned": counts["unassigned"]})
        rows[-1][group_by] = key
    return rows


def account_events(state: Tables, account_id: int) -> list[Event]:
    return [e for c in state.account_conversations(account_id) for e in events_of(c)]
