"""A conversation's draft: the text Chatwoot keeps in its reply box, one per conversation, shared by every agent.
Not in the Chatwoot SDK. Saving a draft sends nothing to the customer; a person sends it from Chatwoot."""

from __future__ import annotations

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.types import Draft

__all__ = ["AsyncConversationDraftResource", "ConversationDraftResource"]


def _path(account_id: int, conversation_id: int) -> str:
    account = path_id("account_id", account_id)
    return f"/api/v1/accounts/{account}/conversations/{path_id('conversation_id', conversation_id)}/draft_messages"


def get_op(account_id: int, conversation_id: int) -> Operation[Draft]:
    body = yield APIRequest("GET", _path(account_id, conversation_id))
    return Draft.model_validate(body)


def save_op(account_id: int, conversation_id: int, message: str) -> Operation[None]:
    if not isinstance(message, str):
        raise TypeError("message must be a string")
    # A PUT sets the whole draft: sending it twice leaves the same draft, so it may be retried.
    yield APIRequest("PUT", _path(account_id, conversation_id), json={"draft_message": {"message": message}})


def delete_op(account_id: int, conversation_id: int) -> Operation[None]:
    yield APIRequest("DELETE", _path(account_id, conversation_id))


class AsyncConversationDraftResource(AsyncResource):
    """The draft of one conversation (async)."""

    async def get(self, account_id: int, conversation_id: int) -> Draft:
        """Read the conversation's draft (`has_draft` False when there is none).

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        """
        return await self._client.run(get_op(account_id, conversation_id))

    async def save(self, account_id: int, conversation_id: int, message: str) -> None:
        """Replace the conversation's draft with `message` (whoever wrote the one before); Chatwoot answers with an
        empty body, so read it back to see it.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        message
            The draft's text.
        """
        await self._client.run(save_op(account_id, conversation_id, message))

    async def delete(self, account_id: int, conversation_id: int) -> None:
        """Remove the conversation's draft (no error when there is none).

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        """
        await self._client.run(delete_op(account_id, conversation_id))


class ConversationDraftResource(SyncResource):
    """The draft of one conversation."""

    @docs_from(AsyncConversationDraftResource.get)
    def get(self, account_id: int, conversation_id: int) -> Draft:
        return self._client.run(get_op(account_id, conversation_id))

    @docs_from(AsyncConversationDraftResource.save)
    def save(self, account_id: int, conversation_id: int, message: str) -> None:
        self._client.run(save_op(account_id, conversation_id, message))

    @docs_from(AsyncConversationDraftResource.delete)
    def delete(self, account_id: int, conversation_id: int) -> None:
        self._client.run(delete_op(account_id, conversation_id))
