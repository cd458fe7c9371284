"""Compact results about contacts. Everything a customer controls (name, email, phone, identifier, attributes) is
wrapped as untrusted; contact labels are the team's own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import Field, field_serializer

from chatwoot_client.types import Contact, ContactList, Conversation
from chatwoot_mcp.edges.untrusted import joined, untrusted_data, untrusted_inline, untrusted_name
from chatwoot_mcp.views.base import Compact, View, iso, untrusted_note

__all__ = ["ContactDetail", "ContactItem", "ContactPage"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ContactItem(Compact):
    id: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    identifier: str | None = None
    blocked: bool = False

    @classmethod
    def of(cls, contact: Contact) -> ContactItem:
        return cls(
            id=contact.id,
            name=untrusted_name(contact.name),
            email=untrusted_name(contact.email),
            phone=untrusted_name(contact.phone_number),
            identifier=untrusted_name(contact.identifier),
            blocked=contact.blocked,
        )

    def line(self) -> str:
        details = [text for text in (self.name, self.email, self.phone, self.identifier) if text]
        shown = joined(*details, separator=" · ") if details else "(no name)"
        return f"contact {self.id}: {shown}" + (" · BLOCKED" if self.blocked else "")


class ContactPage(View):
    """Contacts matching a search, 15 per page."""

    contacts: list[ContactItem]
    page: int
    next_page: int | None = None

    @classmethod
    def of(cls, result: ContactList) -> ContactPage:
        return cls(
            contacts=[ContactItem.of(contact) for contact in result],
            page=result.page,
            next_page=result.page + 1 if result.has_more else None,
        )

    def text(self) -> str:
        lines = [contact.line() for contact in self.contacts] or ["No contacts match."]
        more = f"more: call again with page={self.next_page}" if self.next_page else "last page"
        return "\n".join([*lines, f"page {self.page}; {more}", *untrusted_note(lines)])


class ContactConversation(Compact):
    id: int
    status: str
    last_activity_at: str | None = None


class ContactDetail(View):
    """A customer: their profile, labels, attributes and most recent conversations."""

    contact: ContactItem
    labels: list[str] = Field(default_factory=list)
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    conversations: list[ContactConversation] = Field(default_factory=list)

    @classmethod
    def of(cls, contact: Contact, labels: list[str], conversations: list[Conversation]) -> ContactDetail:
        recent = sorted(conversations, key=lambda c: c.last_activity_at or c.created_at or _EPOCH, reverse=True)
        return cls(
            contact=ContactItem.of(contact),
            labels=labels,
            custom_attributes={**contact.additional_attributes, **contact.custom_attributes},
            conversations=[
                ContactConversation(id=c.id, status=c.status, last_activity_at=iso(c.last_activity_at))
                for c in recent[:10]
            ],
        )

    @field_serializer("custom_attributes")
    def _wrap(self, attributes: dict[str, Any]) -> dict[str, Any]:
        return untrusted_data(attributes)

    def text(self) -> str:
        lines = [self.contact.line(), f"labels: {', '.join(self.labels) or 'none'}"]
        if self.custom_attributes:
            lines.append(f"attributes: {untrusted_inline(self.custom_attributes)}")
        history = ", ".join(f"#{c.id} {c.status}" for c in self.conversations) or "none"
        lines.append(f"recent conversations: {history}")
        return "\n".join([*lines, *untrusted_note(lines)])
