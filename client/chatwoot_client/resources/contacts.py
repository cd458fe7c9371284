"""Contacts: list, search, read, filter, their conversations, and their labels (`contacts.labels`).

Named as in the Chatwoot SDK. Labels are not in the contact JSON; Chatwoot's only label write REPLACES the set.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.resources.labels import labels_at, replace_labels_at
from chatwoot_client.types import Contact, ContactList, Conversation

__all__ = ["AsyncContactLabelsResource", "AsyncContactsResource", "ContactLabelsResource", "ContactsResource"]

FilterCondition = dict[str, Any]


def _base(account_id: int) -> str:
    return f"/api/v1/accounts/{path_id('account_id', account_id)}/contacts"


def _one(account_id: int, contact_id: int) -> str:
    return f"{_base(account_id)}/{path_id('contact_id', contact_id)}"


def _page(page: int) -> int:
    # /contacts/search answers a page below 1 with a 500 (a negative SQL OFFSET): refuse it before sending.
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValueError(f"page must be a positive integer, got {page!r}")
    return page


def list_op(account_id: int, page: int, sort: str | None, labels: list[str] | None) -> Operation[ContactList]:
    params = {"page": _page(page), "sort": sort, "labels": list(labels) if labels else None}
    body = yield APIRequest("GET", _base(account_id), params)
    return ContactList.from_body(body, page)


def search_op(account_id: int, q: str, page: int, sort: str | None) -> Operation[ContactList]:
    if not q.strip():
        raise ValueError("q must not be empty")
    body = yield APIRequest("GET", f"{_base(account_id)}/search", {"q": q, "page": _page(page), "sort": sort})
    return ContactList.from_body(body, page)


def get_op(account_id: int, contact_id: int) -> Operation[Contact]:
    body = yield APIRequest("GET", _one(account_id, contact_id))
    return Contact.model_validate(body["payload"])


def conversations_op(account_id: int, contact_id: int) -> Operation[list[Conversation]]:
    body = yield APIRequest("GET", f"{_one(account_id, contact_id)}/conversations")
    return [Conversation.model_validate(item) for item in body["payload"]]


def filter_op(account_id: int, payload: list[FilterCondition], page: int) -> Operation[ContactList]:
    body = yield APIRequest("POST", f"{_base(account_id)}/filter", {"page": _page(page)}, json={"payload": payload})
    return ContactList.from_body(body, page)


def labels_list_op(account_id: int, contact_id: int) -> Operation[list[str]]:
    return labels_at(f"{_one(account_id, contact_id)}/labels")


def labels_replace_op(account_id: int, contact_id: int, labels: list[str]) -> Operation[list[str]]:
    return replace_labels_at(f"{_one(account_id, contact_id)}/labels", labels)


class AsyncContactLabelsResource(AsyncResource):
    """Labels of one contact (async)."""

    async def list(self, account_id: int, contact_id: int) -> list[str]:
        """List a contact's labels.

        Parameters
        ----------
        account_id
            The account ID.
        contact_id
            The contact ID.
        """
        return await self._client.run(labels_list_op(account_id, contact_id))

    async def add(self, account_id: int, contact_id: int, labels: list[str]) -> list[str]:
        """REPLACE the contact's labels with exactly `labels`; returns the new set.

        Despite its name (kept from the Chatwoot SDK), this does not append: every label not in `labels` is
        removed, and an empty list removes them all. Read the current set first and send the union to add.

        Parameters
        ----------
        account_id
            The account ID.
        contact_id
            The contact ID.
        labels
            The complete new set of labels.
        """
        return await self._client.run(labels_replace_op(account_id, contact_id, labels))


class ContactLabelsResource(SyncResource):
    """Labels of one contact."""

    @docs_from(AsyncContactLabelsResource.list)
    def list(self, account_id: int, contact_id: int) -> list[str]:
        return self._client.run(labels_list_op(account_id, contact_id))

    @docs_from(AsyncContactLabelsResource.add)
    def add(self, account_id: int, contact_id: int, labels: list[str]) -> list[str]:
        return self._client.run(labels_replace_op(account_id, contact_id, labels))


class AsyncContactsResource(AsyncResource):
    """Contacts of an account (async). Labels are at `.labels`."""

    @cached_property
    def labels(self) -> AsyncContactLabelsResource:
        """A contact's labels."""
        return AsyncContactLabelsResource(self._client)

    async def list(
        self, account_id: int, page: int = 1, sort: str | None = None, labels: list[str] | None = None
    ) -> ContactList:
        """List contacts that have an email, phone or identifier, 15 per page.

        Parameters
        ----------
        account_id
            The account ID.
        page
            Page number, from 1.
        sort
            name, email, phone_number, last_activity_at, created_at, company_name, city or country; prefix - for
            descending. Unsorted by default.
        labels
            Only contacts with any of these labels.
        """
        return await self._client.run(list_op(account_id, page, sort, labels))

    async def search(self, account_id: int, q: str, page: int = 1, sort: str | None = None) -> ContactList:
        """Search all contacts by name, email, phone number or identifier, 15 per page.

        Parameters
        ----------
        account_id
            The account ID.
        q
            Substring to match; case-insensitive, except in identifiers. Phone numbers match as stored (+E.164).
        page
            Page number, from 1.
        sort
            As in `list`.
        """
        return await self._client.run(search_op(account_id, q, page, sort))

    async def get(self, account_id: int, contact_id: int) -> Contact:
        """Get a contact by id.

        Parameters
        ----------
        account_id
            The account ID.
        contact_id
            The contact ID.
        """
        return await self._client.run(get_op(account_id, contact_id))

    async def conversations(self, account_id: int, contact_id: int) -> list[Conversation]:
        """A contact's 20 most recently active conversations (those in inboxes the caller can see).

        Parameters
        ----------
        account_id
            The account ID.
        contact_id
            The contact ID.
        """
        return await self._client.run(conversations_op(account_id, contact_id))

    async def filter(self, account_id: int, payload: list[FilterCondition], page: int = 1) -> ContactList:
        """Filter contacts with Chatwoot's filter conditions, 15 per page.

        Parameters
        ----------
        account_id
            The account ID.
        payload
            Conditions: {"attribute_key", "filter_operator", "values", "query_operator"} each; query_operator
            ("AND"/"OR") on every condition but the last.
        page
            Page number, from 1.
        """
        return await self._client.run(filter_op(account_id, payload, page))


class ContactsResource(SyncResource):
    """Contacts of an account. Labels are at `.labels`."""

    @cached_property
    def labels(self) -> ContactLabelsResource:
        """A contact's labels."""
        return ContactLabelsResource(self._client)

    @docs_from(AsyncContactsResource.list)
    def list(
        self, account_id: int, page: int = 1, sort: str | None = None, labels: list[str] | None = None
    ) -> ContactList:
        return self._client.run(list_op(account_id, page, sort, labels))

    @docs_from(AsyncContactsResource.search)
    def search(self, account_id: int, q: str, page: int = 1, sort: str | None = None) -> ContactList:
        return self._client.run(search_op(account_id, q, page, sort))

    @docs_from(AsyncContactsResource.get)
    def get(self, account_id: int, contact_id: int) -> Contact:
        return self._client.run(get_op(account_id, contact_id))

    @docs_from(AsyncContactsResource.conversations)
    def conversations(self, account_id: int, contact_id: int) -> list[Conversation]:
        return self._client.run(conversations_op(account_id, contact_id))

    @docs_from(AsyncContactsResource.filter)
    def filter(self, account_id: int, payload: list[FilterCondition], page: int = 1) -> ContactList:
        return self._client.run(filter_op(account_id, payload, page))
