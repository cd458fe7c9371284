"""Results about conversations: lists, details, counts, and what a change did (status, assignment, labels, toolsets)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SerializationInfo, SerializerFunctionWrapHandler, field_serializer, model_serializer

from chatwoot_client.types import (
    Conversation,
    ConversationCounts,
    ConversationList,
    ConversationToggleStatusResponse,
    Message,
)
from chatwoot_mcp.edges.untrusted import (
    SNIPPET_LIMIT,
    joined,
    untrusted,
    untrusted_data,
    untrusted_inline,
    untrusted_name,
)
from chatwoot_mcp.views.base import Compact, MessageView, PersonRef, View, iso, message_view, untrusted_note

__all__ = [
    "ConversationDetail",
    "ConversationPage",
    "ConversationSummary",
    "Counts",
    "LabelChange",
    "LabelSet",
    "StatusChange",
]


def _last_message(conversation: Conversation) -> Message | None:
    """The newest message a person wrote, else the newest event."""
    return conversation.last_non_activity_message or (conversation.messages[-1] if conversation.messages else None)


def _channel(conversation: Conversation) -> str | None:
    """The inbox's channel kind without Rails' namespace: "Api", "Email", "WebWidget"."""
    return (conversation.meta.channel or "").removeprefix("Channel::") or None


class ConversationSummary(Compact):
    """One conversation in a list."""

    id: int
    status: str
    priority: str | None = None
    inbox_id: int
    channel: str | None = Field(default=None, exclude=True)
    contact: str | None = None
    assignee: str | None = None
    team: str | None = None
    labels: list[str] = Field(default_factory=list)
    unread: int = 0
    last_activity_at: str | None = None
    snoozed_until: str | None = None
    last_message: str | None = Field(default=None, description="Snippet of the newest message; customer text marked")
    waiting_since: str | None = Field(default=None, exclude=True)
    """Since when the customer has been waiting for a reply: for the queue view (MCP Apps), not the text."""

    @model_serializer(mode="wrap")
    def _with_waiting_since(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        # In structuredContent for the queue view, but left out of the output schema (an extra property is valid
        # there), so that tools/list stays byte for byte what it was before apps.
        data = handler(self)
        if self.waiting_since is not None:
            data["waiting_since"] = self.waiting_since
        return data

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationSummary:
        meta = conversation.meta
        last = _last_message(conversation)
        snippet = None
        if last is not None and last.content:
            if last.is_incoming:
                snippet = untrusted(last.content, SNIPPET_LIMIT, one_line=True)
            else:
                snippet = " ".join(last.content.split())[:SNIPPET_LIMIT]
        return cls(
            id=conversation.id,
            status=conversation.status,
            priority=conversation.priority,
            inbox_id=conversation.inbox_id,
            channel=_channel(conversation),
            contact=untrusted_name(meta.sender.name) if meta.sender else None,
            assignee=meta.assignee.name if meta.assignee else None,
            team=meta.team.name if meta.team else None,
            labels=conversation.labels,
            unread=conversation.unread_count,
            last_activity_at=iso(conversation.last_activity_at),
            snoozed_until=iso(conversation.snoozed_until),
            last_message=snippet,
            waiting_since=iso(conversation.waiting_since),
        )

    def line(self) -> str:
        parts = [f"#{self.id} {self.status}" + (f"/{self.priority}" if self.priority else "")]
        parts.append(self.contact or "?")
        parts.append(f"inbox {self.inbox_id}" + (f" {self.channel}" if self.channel else ""))
        if self.assignee:
            parts.append(f"assigned to {self.assignee}" + (f", team {self.team}" if self.team else ""))
        else:
            parts.append(f"team {self.team}, no agent" if self.team else "unassigned")
        if self.labels:
            parts.append("labels " + ",".join(self.labels))
        if self.unread:
            parts.append(f"unread {self.unread}")
        if self.snoozed_until:
            parts.append(f"snoozed until {self.snoozed_until}")
        parts.append(self.last_activity_at or "")
        line = " · ".join(p for p in parts if p)
        return f"{line}\n  last: {self.last_message}" if self.last_message else line


class Counts(View):
    """Conversation counts for the filters given (the assignee filter does not narrow them)."""

    mine_count: int
    assigned_count: int
    unassigned_count: int
    all_count: int
    age_seconds: int | None = Field(default=None, description="Counted this long ago (cached); absent: just now")
    throttled: bool = Field(default=False, exclude=True)

    @classmethod
    def of(cls, counts: ConversationCounts, age: float | None = None, throttled: bool = False) -> Counts:
        return cls(**dict(counts.items()), age_seconds=round(age) if age is not None else None, throttled=throttled)

    def text(self) -> str:
        text = (
            f"mine {self.mine_count} · assigned {self.assigned_count} · unassigned {self.unassigned_count} · "
            f"all {self.all_count}"
        )
        if self.age_seconds is not None:
            text += f" (as of {self.age_seconds} s ago"
            text += "; Chatwoot allows 30 counts a minute)" if self.throttled else ")"
        return text


class ConversationPage(View):
    """A page of conversations (25 at most), newest activity first."""

    conversations: list[ConversationSummary]
    page: int
    total: int = Field(description="Conversations matching the filters in all, across pages")
    next_page: int | None = Field(default=None, description="Pass as `page` to get more; absent on the last page")
    counts: Counts | None = Field(default=None, exclude=True)
    """Shown in the text; get_counts has them as data."""
    first_page: int | None = Field(default=None, exclude=True)
    """Set when one call read several pages (filter_conversations' `pages`); `page` is then the last one read."""

    @classmethod
    def of(cls, result: ConversationList, first_page: int | None = None) -> ConversationPage:
        return cls(
            conversations=[ConversationSummary.of(c) for c in result],
            page=result.page,
            total=result.total,
            next_page=result.page + 1 if result.has_more else None,
            counts=Counts.of(result.counts),
            first_page=first_page if first_page is not None and first_page < result.page else None,
        )

    def text(self) -> str:
        lines = [c.line() for c in self.conversations] or ["No conversations match."]
        counts = f" ({self.counts.text()})" if self.counts is not None else ""
        where = f"pages {self.first_page}-{self.page}" if self.first_page is not None else f"page {self.page}"
        tail = f"{where}, {len(self.conversations)} shown of {self.total}{counts}"
        tail += f"; more: call again with page={self.next_page}" if self.next_page else "; last page"
        shown = [text for c in self.conversations for text in (c.contact, c.last_message)]
        return "\n".join([*lines, tail, *untrusted_note(shown)])


class ConversationDetail(View):
    """One conversation in full (without its message history: use list_messages for that)."""

    id: int
    status: str
    priority: str | None = None
    inbox_id: int
    channel: str | None = None
    contact: PersonRef | None = None
    contact_email: str | None = None
    assignee: PersonRef | None = None
    team: PersonRef | None = None
    labels: list[str] = Field(default_factory=list)
    unread: int = 0
    muted: bool = Field(default=False, exclude=True)
    created_at: str | None = Field(default=None, exclude=True)
    last_activity_at: str | None = None
    waiting_since: str | None = None
    snoozed_until: str | None = None
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    last_message: MessageView | None = None
    draft: str | None = Field(default=None, exclude=True)
    """The reply the model proposed with get_conversation (a host that shows apps puts it in the composer)."""

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationDetail:
        meta = conversation.meta
        last = _last_message(conversation)
        return cls(
            id=conversation.id,
            status=conversation.status,
            priority=conversation.priority,
            inbox_id=conversation.inbox_id,
            channel=_channel(conversation),
            contact=PersonRef(id=meta.sender.id, name=untrusted_name(meta.sender.name)) if meta.sender else None,
            contact_email=untrusted_name(meta.sender.email) if meta.sender else None,
            assignee=PersonRef(id=meta.assignee.id, name=meta.assignee.name) if meta.assignee else None,
            team=PersonRef(id=meta.team.id, name=meta.team.name) if meta.team else None,
            labels=conversation.labels,
            unread=conversation.unread_count,
            muted=conversation.muted,
            created_at=iso(conversation.created_at),
            last_activity_at=iso(conversation.last_activity_at),
            waiting_since=iso(conversation.waiting_since),
            snoozed_until=iso(conversation.snoozed_until),
            custom_attributes=conversation.custom_attributes,
            last_message=message_view(last, SNIPPET_LIMIT * 2) if last else None,
        )

    @field_serializer("custom_attributes")
    def _wrap_custom_attributes(self, attributes: dict[str, Any]) -> dict[str, Any]:
        # Held raw so text() can show them in one wrapper; every key and string value is wrapped on the way out.
        return untrusted_data(attributes)

    def text(self) -> str:
        def ref(p: PersonRef | None) -> str:
            return f"{p.name} ({p.id})" if p else "none"

        contact = "none"
        if self.contact:
            named = [text for text in (self.contact.name, self.contact_email) if text]
            contact = (joined(*named, separator=", ") + " " if named else "") + f"({self.contact.id})"
        lines = [
            f"#{self.id} {self.status}" + (f", priority {self.priority}" if self.priority else ", no priority"),
            f"contact: {contact}",
            f"inbox: {self.inbox_id}" + (f" ({self.channel})" if self.channel else ""),
            f"assignee: {ref(self.assignee)} · team: {ref(self.team)}",
            f"labels: {', '.join(self.labels) or 'none'} · unread: {self.unread}" + (" · muted" if self.muted else ""),
            f"created {self.created_at} · last activity {self.last_activity_at}"
            + (f" · waiting since {self.waiting_since}" if self.waiting_since else "")
            + (f" · snoozed until {self.snoozed_until}" if self.snoozed_until else ""),
        ]
        if self.custom_attributes:
            lines.append(f"custom attributes: {untrusted_inline(self.custom_attributes)}")
        if self.last_message:
            lines.append(f"last message: {self.last_message.line()}")
        if self.draft is not None:
            lines.append(f"draft ({len(self.draft)} characters): not sent; a host that shows apps offers it to send")
        return "\n".join([*lines, *untrusted_note(lines)])


class ConversationChange(View):
    """A conversation after a write: the fields writes change, as Chatwoot reports them afterwards."""

    id: int
    status: str
    priority: str | None = None
    assignee: PersonRef | None = None
    team: PersonRef | None = None
    snoozed_until: str | None = None

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationChange:
        meta = conversation.meta
        return cls(
            id=conversation.id,
            status=conversation.status,
            priority=conversation.priority,
            assignee=PersonRef(id=meta.assignee.id, name=meta.assignee.name) if meta.assignee else None,
            team=PersonRef(id=meta.team.id, name=meta.team.name) if meta.team else None,
            snoozed_until=iso(conversation.snoozed_until),
        )

    def text(self) -> str:
        def ref(p: PersonRef | None) -> str:
            return f"{p.name} ({p.id})" if p else "none"

        return (
            f"#{self.id} is now {self.status}"
            + (f" until {self.snoozed_until}" if self.snoozed_until else "")
            + f", priority {self.priority or 'none'}, assignee {ref(self.assignee)}, team {ref(self.team)}"
        )


class LabelSet(View):
    """The labels on a conversation."""

    conversation_id: int = Field(default=0, exclude=True)
    labels: list[str]

    def text(self) -> str:
        return f"#{self.conversation_id} labels: {', '.join(self.labels) or 'none'}"


class LabelChange(View):
    """What a label tool did: the set before and after, and exactly what changed."""

    subject: str = Field(default="", exclude=True)
    """What the labels are on, for the text: "#7" or "contact 20"."""
    before: list[str]
    after: list[str]
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    written: bool = Field(description="Whether anything was written to Chatwoot")
    dry_run: bool = False
    concurrent_change: str | None = Field(
        default=None, description="Set when someone else changed the labels while this call ran"
    )
    not_kept: list[str] = Field(
        default_factory=list, description="Labels this call could not add or remove: another writer kept undoing it"
    )

    def text(self) -> str:
        verb = "would change" if self.dry_run else ("changed" if self.written else "unchanged (nothing written)")
        lines = [
            f"{self.subject} labels {verb}: {', '.join(self.before) or 'none'} -> {', '.join(self.after) or 'none'}"
        ]
        if self.added:
            lines.append(f"added: {', '.join(self.added)}")
        if self.removed:
            lines.append(f"removed: {', '.join(self.removed)}")
        if self.not_kept:
            lines.append(f"NOT done: {', '.join(self.not_kept)}")
        if self.concurrent_change:
            lines.append(f"warning: {self.concurrent_change}")
        return "\n".join(lines)


class ToolsetItem(Compact):
    name: str
    description: str = Field(default="", exclude=True)
    enabled: bool
    tools: list[str]


class ToolsetList(View):
    """The toolsets of a server with dynamic toolsets."""

    toolsets: list[ToolsetItem]

    def text(self) -> str:
        return "\n".join(
            f"{t.name} ({'enabled' if t.enabled else 'not enabled'}): {t.description}. Tools: {', '.join(t.tools)}"
            for t in self.toolsets
        )


class ToolsetChange(View):
    """What enable_toolset added."""

    toolset: str
    added: list[str]

    def text(self) -> str:
        if not self.added:
            return (
                f"{self.toolset} adds no tools now (already enabled, or emptied by the server's configuration or "
                "this connection's narrowing)."
            )
        return f"Enabled {self.toolset}: {', '.join(self.added)} (the tool list has changed)."


class StatusChange(View):
    """A conversation's status after a change."""

    conversation_id: int = Field(default=0, exclude=True)
    status: str
    snoozed_until: str | None = None

    @classmethod
    def of(cls, response: ConversationToggleStatusResponse, conversation_id: int) -> StatusChange:
        return cls(
            conversation_id=response.conversation_id or conversation_id,
            status=response.current_status,
            snoozed_until=iso(response.snoozed_until),
        )

    def text(self) -> str:
        until = f" until {self.snoozed_until}" if self.snoozed_until else ""
        return f"#{self.conversation_id} is now {self.status}{until}"
