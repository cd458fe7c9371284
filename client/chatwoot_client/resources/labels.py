"""A conversation's labels. Chatwoot's only write REPLACES the whole set: there is no server-side "add"."""

from __future__ import annotations

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id

__all__ = ["AsyncConversationLabelsResource", "ConversationLabelsResource"]


def _path(account_id: int, conversation_id: int) -> str:
    account = path_id("account_id", account_id)
    return f"/api/v1/accounts/{account}/conversations/{path_id('conversation_id', conversation_id)}/labels"


def labels_at(path: str) -> Operation[list[str]]:
    """The labels at `path` (a conversation's or a contact's `/labels`): `{"payload": [names]}`."""
    body = yield APIRequest("GET", path)
    return list(body["payload"])


def replace_labels_at(path: str, labels: list[str]) -> Operation[list[str]]:
    """POST the complete new set to `path`; Chatwoot answers with the set it now has."""
    if isinstance(labels, str):
        raise TypeError("labels must be a list of strings, not one string")
    body = yield APIRequest("POST", path, json={"labels": list(labels)})
    return list(body["payload"])


def list_op(account_id: int, conversation_id: int) -> Operation[list[str]]:
    return labels_at(_path(account_id, conversation_id))


def replace_op(account_id: int, conversation_id: int, labels: list[str]) -> Operation[list[str]]:
    return replace_labels_at(_path(account_id, conversation_id), labels)


class AsyncConversationLabelsResource(AsyncResource):
    """Labels of one conversation (async)."""

    async def list(self, account_id: int, conversation_id: int) -> list[str]:
        """List a conversation's labels.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        """
        return await self._client.run(list_op(account_id, conversation_id))

    async def add(self, account_id: int, conversation_id: int, labels: list[str]) -> list[str]:
        """REPLACE the conversation's labels with exactly `labels`; returns the new set.

        Despite its name (kept from the Chatwoot SDK), this does not append: every label not in `labels` is
        removed, and an empty list removes them all. Read the current set first and send the union to add.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        labels
            The complete new set of labels.
        """
        return await self._client.run(replace_op(account_id, conversation_id, labels))


class ConversationLabelsResource(SyncResource):
    """Labels of one conversation."""

    @docs_from(AsyncConversationLabelsResource.list)
    def list(self, account_id: int, conversation_id: int) -> list[str]:
        return self._client.run(list_op(account_id, conversation_id))

    @docs_from(AsyncConversationLabelsResource.add)
    def add(self, account_id: int, conversation_id: int, labels: list[str]) -> list[str]:
        return self._client.run(replace_op(account_id, conversation_id, labels))
