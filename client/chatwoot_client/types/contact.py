"""Contacts (the customers), as the /contacts endpoints send them, and their pages.

The list endpoints changed shape over time: `/contacts/search` sent `meta.count` as the total until 4.10 and, from
4.11, as the rows on the page plus `has_more`; `meta.current_page` is the string the client sent as `page`, or 1.
`ContactList` reads both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field

from chatwoot_client.types._base import ChatwootModel, Timestamp

__all__ = ["CONTACTS_PAGE_SIZE", "Contact", "ContactInbox", "ContactInboxRef", "ContactList"]

CONTACTS_PAGE_SIZE = 15


class ContactInboxRef(ChatwootModel):
    """The inbox of a contact inbox (`inbox_slim`)."""

    id: int
    name: str | None = None
    channel_type: str | None = None
    channel_id: int | None = None
    provider: str | None = None


class ContactInbox(ChatwootModel):
    """One inbox the contact can be reached through, with the contact's id there (`source_id`)."""

    source_id: str | None = None
    inbox: ContactInboxRef | None = None


class Contact(ChatwootModel):
    """A contact (customer). Labels are not part of it: see `contacts.labels.list`."""

    id: int
    name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    identifier: str | None = None
    blocked: bool = False
    thumbnail: str | None = None
    availability_status: str | None = None
    additional_attributes: dict[str, Any] = Field(default_factory=dict)
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    last_activity_at: Timestamp = None
    created_at: Timestamp = None
    contact_inboxes: list[ContactInbox] = Field(default_factory=list)


def _page_number(value: Any, default: int) -> int:
    """`meta.current_page` is an int, or the string the client sent (`"2"`)."""
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return default


class ContactList(list[Contact]):
    """One page (at most 15) of contacts; a plain list, plus what the server said about paging.

    `total` is the number of matching contacts when the server sent it (index, filter, and search before 4.11),
    else None; `has_more` comes from the server when it sends it (search from 4.11), else from `total`.
    """

    def __init__(
        self, contacts: Iterable[Contact], *, page: int, total: int | None, has_more: bool | None = None
    ) -> None:
        super().__init__(contacts)
        self.page = page
        self.total = total
        self._has_more = has_more

    @property
    def has_more(self) -> bool:
        """Whether a later page holds more contacts."""
        if self._has_more is not None:
            return self._has_more
        if self.total is not None:
            return self.page * CONTACTS_PAGE_SIZE < self.total
        return len(self) >= CONTACTS_PAGE_SIZE

    @classmethod
    def from_body(cls, body: dict[str, Any], page: int) -> ContactList:
        """A list from `{"meta": {...}, "payload": [...]}` of either era."""
        meta = body.get("meta") or {}
        contacts = [Contact.model_validate(item) for item in body["payload"]]
        has_more = meta.get("has_more")
        count = meta.get("count")
        # From 4.11 search's `count` is this page's rows (has_more is the sign of that era); before, the total.
        total = count if isinstance(count, int) and "has_more" not in meta else None
        return cls(
            contacts,
            page=_page_number(meta.get("current_page"), page),
            total=total,
            has_more=has_more if isinstance(has_more, bool) else None,
        )
