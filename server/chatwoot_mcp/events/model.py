"""The Event: one thing that happened in a Chatwoot conversation, as the stream keeps it.

Events come from verified webhooks (`events.receiver`) or from polling (`events.polling`); both append them to
the shared state's bounded stream (`State.event_append`), which the `list_events` tool and resource notifications
read (`State.event_read`). `data` keeps what the event says in Chatwoot's words, raw: customer text in it is
wrapped as untrusted by the views that show it, never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

__all__ = [
    "CURSOR",
    "EVENT_KINDS",
    "MAX_WAIT",
    "RETENTION_COUNT",
    "RETENTION_SECONDS",
    "START",
    "Event",
    "EventKind",
    "event_from_json",
    "event_key",
    "now_iso",
]

EventKind = Literal[
    "conversation_created",
    "status_changed",
    "assigned",
    "labelled",
    "customer_message",
    "agent_message",
    "private_note",
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)

RETENTION_COUNT = 10_000
"""Events the stream keeps at most (Redis trims approximately: a few more may stay)."""
RETENTION_SECONDS = 24 * 3600.0
"""Events older than this are dropped from the stream and never read."""
MAX_WAIT = 25.0
"""The longest `event_read` waits for a new event (a tool call must answer well before a host gives up on it)."""
START = "0-0"
"""The cursor before every event: `event_read(START, ...)` reads from the oldest event kept."""
CURSOR = re.compile(r"\d{1,15}-\d{1,10}")
"""What an event id (and so a cursor) looks like: milliseconds since the epoch, a dash, a sequence number."""


def now_iso() -> str:
    """Now, as an event's `at`: ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class Event:
    """One event in the stream. `id` orders events and is the cursor to read after it (opaque to callers)."""

    id: str
    kind: str
    """conversation_created | status_changed | assigned | labelled | customer_message | agent_message |
    private_note"""
    account_id: int
    conversation_id: int
    at: str
    """ISO 8601 UTC: when the event was recorded (received or polled), not when Chatwoot made the change."""
    data: dict[str, Any] = field(default_factory=dict)
    """Kind-specific, raw: status; assignee/team {id, name}; labels, added, removed; message_id, content,
    author, author_type; source ("webhook" | "polling")."""

    def fields(self) -> dict[str, Any]:
        """Everything but the id, JSON-able (what a backend stores)."""
        return {
            "kind": self.kind,
            "account_id": self.account_id,
            "conversation_id": self.conversation_id,
            "at": self.at,
            "data": self.data,
        }


def event_from_json(event_id: str, fields: dict[str, Any]) -> Event:
    """The Event a backend stored as `fields` (see `Event.fields`) under `event_id`."""
    return Event(
        id=event_id,
        kind=str(fields["kind"]),
        account_id=int(fields["account_id"]),
        conversation_id=int(fields["conversation_id"]),
        at=str(fields.get("at") or now_iso()),
        data=dict(fields.get("data") or {}),
    )


def event_key(event_id: str) -> tuple[int, int]:
    """An id as a sortable pair (milliseconds, sequence)."""
    millis, _, sequence = event_id.partition("-")
    return int(millis), int(sequence or 0)
