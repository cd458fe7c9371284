"""A conversation's participants (watchers): agents who follow it without being assigned. Not in the Chatwoot SDK."""

from __future__ import annotations

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.types import Agent

__all__ = ["AsyncConversationParticipantsResource", "ConversationParticipantsResource"]


def _path(account_id: int, conversation_id: int) -> str:
    account = path_id("account_id", account_id)
    return f"/api/v1/accounts/{account}/conversations/{path_id('conversation_id', conversation_id)}/participants"


def _ids(user_ids: list[int]) -> list[int]:
    # Chatwoot compares ids with Ruby's Array#-, so only JSON integers match; a missing list is a 500.
    if isinstance(user_ids, int | str):
        raise TypeError("user_ids must be a list of agent ids")
    return [path_id("user_id", user_id) for user_id in user_ids]


def list_op(account_id: int, conversation_id: int) -> Operation[list[Agent]]:
    body = yield APIRequest("GET", _path(account_id, conversation_id))
    return [Agent.model_validate(item) for item in body]


def add_op(account_id: int, conversation_id: int, user_ids: list[int]) -> Operation[list[Agent]]:
    ids = _ids(user_ids)
    body = yield APIRequest("POST", _path(account_id, conversation_id), json={"user_ids": ids})
    return [Agent.model_validate(item) for item in body or []]


def remove_op(account_id: int, conversation_id: int, user_ids: list[int]) -> Operation[None]:
    ids = _ids(user_ids)
    yield APIRequest("DELETE", _path(account_id, conversation_id), json={"user_ids": ids})


class AsyncConversationParticipantsResource(AsyncResource):
    """Participants (watchers) of one conversation (async)."""

    async def list(self, account_id: int, conversation_id: int) -> list[Agent]:
        """List the agents watching a conversation.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        """
        return await self._client.run(list_op(account_id, conversation_id))

    async def add(self, account_id: int, conversation_id: int, user_ids: list[int]) -> list[Agent]:
        """Add watchers; returns the agents that were not yet watching.

        Chatwoot silently skips agents who are neither members of the conversation's inbox nor administrators but
        still returns them: list afterwards to verify.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        user_ids
            Agent ids to add.
        """
        return await self._client.run(add_op(account_id, conversation_id, user_ids))

    async def remove(self, account_id: int, conversation_id: int, user_ids: list[int]) -> None:
        """Remove watchers (ids not watching are ignored).

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        user_ids
            Agent ids to remove.
        """
        await self._client.run(remove_op(account_id, conversation_id, user_ids))


class ConversationParticipantsResource(SyncResource):
    """Participants (watchers) of one conversation."""

    @docs_from(AsyncConversationParticipantsResource.list)
    def list(self, account_id: int, conversation_id: int) -> list[Agent]:
        return self._client.run(list_op(account_id, conversation_id))

    @docs_from(AsyncConversationParticipantsResource.add)
    def add(self, account_id: int, conversation_id: int, user_ids: list[int]) -> list[Agent]:
        return self._client.run(add_op(account_id, conversation_id, user_ids))

    @docs_from(AsyncConversationParticipantsResource.remove)
    def remove(self, account_id: int, conversation_id: int, user_ids: list[int]) -> None:
        self._client.run(remove_op(account_id, conversation_id, user_ids))
