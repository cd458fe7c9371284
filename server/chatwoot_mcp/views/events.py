"""What list_events returns: one line per event, the cursor to read on from, and where the events come from.

An event keeps Chatwoot's raw words (`events.model`); here the customer's (their messages, their name) are wrapped
as untrusted, agents' names are cleaned, and a private note says it is one.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chatwoot_mcp.edges.untrusted import OPEN, clean_name, joined, neutralise, untrusted, untrusted_name
from chatwoot_mcp.events.model import Event
from chatwoot_mcp.views.base import Compact, PersonRef, View, untrusted_note

__all__ = ["EventItem", "EventPage", "event_item"]

MESSAGE_LIMIT = 500
"""Characters of a message an event shows (get_conversation / list_messages read the whole of it)."""


class EventItem(Compact):
    """One event; which fields it has depends on its kind."""

    id: str
    kind: str
    conversation_id: int
    at: str
    status: str | None = None
    previous: str | None = Field(default=None, description="Status before")
    assignee: PersonRef | None = None
    team: PersonRef | None = None
    labels: list[str] | None = None
    added: list[str] | None = None
    removed: list[str] | None = None
    message_id: int | None = None
    author: str | None = None
    content: str | None = None

    def line(self) -> str:
        head = f"[{self.id} {self.at[:19]}Z] #{self.conversation_id} {self.kind}"
        if self.kind in ("customer_message", "agent_message", "private_note"):
            note = " (agents only)" if self.kind == "private_note" else ""
            if self.author and self.author.startswith(OPEN):
                said = joined(self.author, self.content) if self.content else self.author
            else:
                said = f"{self.author or '?'}: {self.content or ''}".rstrip()
            return f"{head}{note} {said}".rstrip()
        if self.kind == "status_changed":
            return f"{head} {self.previous + ' → ' if self.previous else ''}{self.status}"
        if self.kind == "assigned":
            return f"{head} to {_who(self.assignee)}, team {_who(self.team)}"
        if self.kind == "labelled":
            changes = [f"+{label}" for label in self.added or ()] + [f"-{label}" for label in self.removed or ()]
            return f"{head} {', '.join(self.labels or []) or '(none)'}" + (f" ({' '.join(changes)})" if changes else "")
        who = f" {self.author}" if self.author else ""
        return f"{head} {self.status or ''}{who}".rstrip()


def _who(person: PersonRef | None) -> str:
    return f"{person.id} {person.name or ''}".strip() if person is not None else "none"


class EventPage(View):
    """Events oldest first; pass next_since as since to read on."""

    events: list[EventItem]
    next_since: str
    source: str = Field(description="webhooks, or polling (with its interval)")
    more: bool = Field(default=False, description="More events wait: call again with next_since")
    note: str | None = None

    def text(self) -> str:
        count = f"{len(self.events)} event{'s' if len(self.events) != 1 else ''}"
        lines = [f"{count} (source: {self.source}) · next_since {self.next_since}{' · more' if self.more else ''}"]
        lines += [event.line() for event in self.events]
        lines += [self.note] if self.note else []
        return "\n".join(lines + untrusted_note(event.author for event in self.events))


def event_item(event: Event) -> EventItem:
    """An event as the model sees it: the customer's words wrapped, a note's and an agent's text cleaned and cut."""
    data: dict[str, Any] = event.data
    from_customer = event.kind == "customer_message" or (
        event.kind == "conversation_created" and data.get("contact") is not None
    )
    content = data.get("content") if isinstance(data.get("content"), str) else None
    if content is not None and data.get("cut"):
        content += f"… [{data['cut']} more characters cut]"
    author = data.get("contact") if event.kind == "conversation_created" else data.get("author")
    return EventItem(
        id=event.id,
        kind=event.kind,
        conversation_id=event.conversation_id,
        at=event.at,
        status=data.get("status"),
        previous=data.get("previous"),
        assignee=_ref(data.get("assignee")),
        team=_ref(data.get("team")),
        labels=_names(data.get("labels")),
        added=_names(data.get("added")),
        removed=_names(data.get("removed")),
        message_id=data.get("message_id"),
        author=(untrusted_name(author) if from_customer else clean_name(author)) if isinstance(author, str) else None,
        content=untrusted(content, MESSAGE_LIMIT, one_line=True) if from_customer else _cut(content),
    )


def _cut(text: str | None) -> str | None:
    """An agent's text on one line, neutralised like every shown string, and cut."""
    if text is None:
        return None
    text = neutralise(text, one_line=True)
    return text if len(text) <= MESSAGE_LIMIT else f"{text[:MESSAGE_LIMIT]}… [{len(text) - MESSAGE_LIMIT} more cut]"


def _names(value: Any) -> list[str] | None:
    return [clean_name(str(name)) or "" for name in value] if isinstance(value, list) else None


def _ref(value: Any) -> PersonRef | None:
    if not isinstance(value, dict) or not isinstance(value.get("id"), int):
        return None
    name = value.get("name")
    return PersonRef(id=value["id"], name=clean_name(name) if isinstance(name, str) else None)
