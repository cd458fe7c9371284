"""Canned responses (saved replies). Not in the Chatwoot SDK; the server's list is a bare array, unpaginated."""

from __future__ import annotations

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.types import CannedResponse

__all__ = ["AsyncCannedResponsesResource", "CannedResponsesResource"]


def list_op(account_id: int, search: str | None) -> Operation[list[CannedResponse]]:
    path = f"/api/v1/accounts/{path_id('account_id', account_id)}/canned_responses"
    body = yield APIRequest("GET", path, {"search": search})
    return [CannedResponse.model_validate(item) for item in body]


class AsyncCannedResponsesResource(AsyncResource):
    """Canned responses of an account (async)."""

    async def list(self, account_id: int, search: str | None = None) -> list[CannedResponse]:
        """List canned responses; all of them, or those whose short code or text contains `search`.

        Parameters
        ----------
        account_id
            The account ID.
        search
            Case-insensitive substring of the short code or content; short-code matches come first.
        """
        return await self._client.run(list_op(account_id, search))


class CannedResponsesResource(SyncResource):
    """Canned responses of an account."""

    @docs_from(AsyncCannedResponsesResource.list)
    def list(self, account_id: int, search: str | None = None) -> list[CannedResponse]:
        return self._client.run(list_op(account_id, search))
