"""Views of the triage toolkit: message histories, sent messages, directory listings, search hits, attributes.

Like `views`, each renders one compact text block; customer-written text arrives already wrapped by
`untrusted.py` (through `views.message_view` or `untrusted()` directly), never raw. Custom attributes are the
exception: a guard builds `AttributeChange` from Chatwoot's raw hash, so it wraps them whenever it is shown.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_serializer

from chatwoot_client.types import Agent, Inbox, Label, SearchResult, Team
from chatwoot_mcp.edges.untrusted import (
    SNIPPET_LIMIT,
    clean_name,
    joined,
    untrusted,
    untrusted_data,
    untrusted_inline,
    untrusted_name,
)
from chatwoot_mcp.views.base import Compact, MessageView, View, untrusted_note

__all__ = [
    "AgentList",
    "AttributeChange",
    "InboxList",
    "LabelList",
    "MessageHistory",
    "PostedMessage",
    "SearchHit",
    "SearchResults",
    "TeamList",
]


class MessageHistory(View):
    """A conversation's messages in chronological order (oldest first), and how to read further back."""

    conversation_id: int = Field(default=0, exclude=True)
    messages: list[MessageView]
    complete: bool = Field(description="True when this is the whole history (with the chosen filters)")
    cut: bool = Field(default=False, description="True when a budget stopped the walk before the beginning")
    cut_reason: str | None = None
    reached_start: bool = Field(default=False, description="True when the oldest message shown is the first one")
    next_before: int | None = Field(
        default=None, description="Pass as `before` to get the messages older than these; absent at the beginning"
    )
    hidden: int = Field(default=0, description="Messages read but left out by the filters (notes/activity)")
    pages_read: int = Field(default=0, exclude=True)
    private_notes: bool = Field(default=True, exclude=True)
    activity: bool = Field(default=False, exclude=True)

    def text(self) -> str:
        lines = [m.line() for m in self.messages] or ["No messages (with these filters)."]
        shown = f"#{self.conversation_id}: {len(self.messages)} messages, oldest first"
        if self.hidden:
            shown += f", {self.hidden} hidden by filters"
        filters = f"private notes {'shown' if self.private_notes else 'hidden'}, activity "
        filters += "shown" if self.activity else "hidden"
        tail = [f"{shown} ({filters})."]
        if self.cut:
            tail.append(f"CUT: {self.cut_reason}")
        if self.complete:
            tail.append("This is the start of the conversation: the history is complete.")
        elif self.reached_start:
            tail.append("This reaches the start of the conversation (newer messages were not asked for).")
        elif self.next_before is not None:
            tail.append(f"Older messages exist: call list_messages with before={self.next_before}.")
        return "\n".join([*lines, *tail, *untrusted_note(lines)])


class PostedMessage(View):
    """A message this server just posted: a customer-visible reply or a private note."""

    conversation_id: int = Field(default=0, exclude=True)
    message: MessageView
    private: bool = Field(default=False, exclude=True)
    reached_customer: bool = Field(description="True when the message was sent to the customer")
    answer_lost: str | None = Field(
        default=None, description="Chatwoot's answer was lost (this error); the message was found in the conversation"
    )
    canned_response: str | None = Field(default=None, exclude=True)

    def text(self) -> str:
        what = "Private note added (agents only; not sent to the customer)"
        if self.reached_customer:
            what = "Reply SENT to the customer"
        if self.canned_response:
            what += f" (canned response {self.canned_response!r}; the text as Chatwoot filled it in)"
        lost = f" (Chatwoot's answer was lost: {self.answer_lost}; the message is in the conversation)"
        return f"{what} on #{self.conversation_id}{lost if self.answer_lost else ''}: {self.message.line()}"


class PersonItem(Compact):
    id: int
    name: str
    email: str | None = None
    role: str | None = None
    availability: str | None = None


class AgentList(View):
    """The account's agents and administrators."""

    agents: list[PersonItem]

    @classmethod
    def of(cls, agents: list[Agent]) -> AgentList:
        return cls(
            agents=[
                PersonItem(id=a.id, name=a.name, email=a.email, role=a.role, availability=a.availability_status)
                for a in agents
            ]
        )

    def text(self) -> str:
        lines = [
            f"{a.id} {a.name}"
            + (f" <{a.email}>" if a.email else "")
            + "".join(f" · {x}" for x in (a.role, a.availability) if x)
            for a in self.agents
        ]
        return "\n".join(lines or ["No agents."])


class TeamItem(Compact):
    id: int
    name: str
    description: str | None = None


class TeamList(View):
    """The account's teams."""

    teams: list[TeamItem]

    @classmethod
    def of(cls, teams: list[Team]) -> TeamList:
        return cls(teams=[TeamItem(id=t.id, name=t.name, description=t.description or None) for t in teams])

    def text(self) -> str:
        lines = [f"{t.id} {t.name}" + (f" · {t.description}" if t.description else "") for t in self.teams]
        return "\n".join(lines or ["No teams."])


class InboxItem(Compact):
    id: int
    name: str
    channel: str | None = None


class InboxList(View):
    """The account's inboxes (channels conversations arrive through)."""

    inboxes: list[InboxItem]

    @classmethod
    def of(cls, inboxes: list[Inbox]) -> InboxList:
        return cls(
            inboxes=[
                InboxItem(id=i.id, name=i.name, channel=(i.channel_type or "").removeprefix("Channel::") or None)
                for i in inboxes
            ]
        )

    def text(self) -> str:
        lines = [f"{i.id} {i.name}" + (f" ({i.channel})" if i.channel else "") for i in self.inboxes]
        return "\n".join(lines or ["No inboxes."])


class LabelItem(Compact):
    title: str
    description: str | None = None


class LabelList(View):
    """The labels defined in the account: the ones add_labels/set_labels accept."""

    labels: list[LabelItem]

    @classmethod
    def of(cls, labels: list[Label]) -> LabelList:
        return cls(labels=[LabelItem(title=x.title, description=x.description or None) for x in labels])

    def text(self) -> str:
        lines = [x.title + (f" · {x.description}" if x.description else "") for x in self.labels]
        return "\n".join(lines or ["No labels defined."])


class SearchMatch(Compact):
    id: int
    from_customer: bool
    author: str | None = None
    snippet: str | None = None

    def line(self) -> str:
        if self.from_customer:
            return f"[{self.id}] {joined(self.author, self.snippet) if self.snippet else self.author or ''}"
        return f"[{self.id} {self.author or '?'}] {self.snippet or ''}"


class SearchHit(Compact):
    """A conversation whose messages matched, with the matching messages as snippets."""

    id: int
    contact: str | None = None
    inbox: str | None = None
    matches: list[SearchMatch] = Field(default_factory=list)

    @classmethod
    def of(cls, result: SearchResult) -> SearchHit:
        matches = []
        for message in result.messages:
            content = message.get("content")
            incoming = message.get("message_type") == 0
            author = message.get("sender_name")
            if incoming:
                snippet = untrusted(content, SNIPPET_LIMIT, one_line=True)
                author = untrusted_name(author)
            else:
                snippet = " ".join(str(content).split())[:SNIPPET_LIMIT] if content else None
                author = clean_name(author)
            matches.append(
                SearchMatch(id=int(message.get("id") or 0), from_customer=incoming, author=author, snippet=snippet)
            )
        inbox = (result.inbox or {}).get("name")
        return cls(
            id=result.id,
            contact=untrusted_name(result.contact.name) if result.contact else None,
            inbox=str(inbox) if inbox else None,
            matches=matches,
        )


class SearchResults(View):
    """Conversations with messages containing the search text."""

    q: str = Field(default="", exclude=True)
    page: int
    results: list[SearchHit]
    next_page: int | None = Field(default=None, description="Pass as `page` to get more; absent on the last page")
    first_page: int | None = Field(default=None, exclude=True)
    """Set when one call read several pages (search_conversations' `pages`); `page` is then the last one read."""

    def text(self) -> str:
        lines: list[str] = []
        for hit in self.results:
            lines.append(f"#{hit.id} · {hit.contact or '?'}" + (f" · {hit.inbox}" if hit.inbox else ""))
            lines.extend(f"  {m.line()}" for m in hit.matches[:3])
            if len(hit.matches) > 3:
                lines.append(f"  … {len(hit.matches) - 3} more matching messages")
        if not lines:
            lines = [f"No conversation has a message containing {self.q!r}."]
        where = f"pages {self.first_page}-{self.page}" if self.first_page is not None else f"page {self.page}"
        tail = f"{where}, {len(self.results)} conversations"
        tail += f"; more: call again with page={self.next_page}" if self.next_page else "; last page"
        return "\n".join([*lines, tail, *untrusted_note(lines)])


class AttributeChange(View):
    """What update_custom_attributes did: the hash before and after, and exactly which keys changed."""

    conversation_id: int = Field(default=0, exclude=True)
    before: dict[str, Any]
    after: dict[str, Any]
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    written: bool = Field(description="Whether anything was written to Chatwoot")
    replaced: bool = Field(default=False, exclude=True)
    dry_run: bool = False
    concurrent_change: str | None = Field(
        default=None, description="Set when someone else changed the attributes while this call ran"
    )

    @field_serializer("before", "after", "added", "updated", "removed")
    def _wrap(self, value: Any) -> Any:
        return untrusted_data(value)

    def text(self) -> str:
        verb = "would change" if self.dry_run else ("changed" if self.written else "unchanged (nothing written)")
        before, after = untrusted_inline(self.before), untrusted_inline(self.after)
        lines = [f"#{self.conversation_id} custom attributes {verb}: {before} -> {after}"]
        for name, keys in (("added", self.added), ("updated", self.updated), ("removed", self.removed)):
            if keys:
                lines.append(f"{name}: {joined(*map(untrusted, keys), separator=', ')}")
        if self.concurrent_change:
            lines.append(f"warning: {self.concurrent_change}")
        return "\n".join([*lines, *untrusted_note(lines)])
