"""Account webhooks: list, create, update, delete. Administrators only (an agent's token gets 401).

Chatwoot checks the URL loosely (it must contain `http:` or `https:`), keeps it unique per account, and accepts only
the events of WEBHOOK_EVENTS; a failed check is a 422 whose body names the attribute (`{"message": "Url is
invalid", "attributes": ["url"]}`). There is no way to read one webhook or to reset its secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.types import Webhook

__all__ = ["AsyncWebhooksResource", "WebhooksResource"]


def _base(account_id: int) -> str:
    return f"/api/v1/accounts/{path_id('account_id', account_id)}/webhooks"


def _one(account_id: int, webhook_id: int) -> str:
    return f"{_base(account_id)}/{path_id('webhook_id', webhook_id)}"


def _events(subscriptions: Sequence[str]) -> list[str]:
    if isinstance(subscriptions, str):
        raise TypeError("subscriptions must be a list of event names, e.g. ['message_created']")
    return list(subscriptions)


def list_op(account_id: int) -> Operation[list[Webhook]]:
    body = yield APIRequest("GET", _base(account_id))
    return [Webhook.model_validate(item) for item in body["payload"]["webhooks"]]


def create_op(
    account_id: int, url: str, subscriptions: Sequence[str] | None, name: str | None, inbox_id: int | None
) -> Operation[Webhook]:
    json: dict[str, Any] = {"url": url}
    if subscriptions is not None:
        json["subscriptions"] = _events(subscriptions)
    if name is not None:
        json["name"] = name
    if inbox_id is not None:
        json["inbox_id"] = inbox_id
    # Not retried: a create that reached Chatwoot would come back as "Url has already been taken".
    body = yield APIRequest("POST", _base(account_id), json={"webhook": json}, idempotent=False)
    return Webhook.model_validate(body["payload"]["webhook"])


def update_op(
    account_id: int, webhook_id: int, url: str | None, subscriptions: Sequence[str] | None, name: str | None
) -> Operation[Webhook]:
    json: dict[str, Any] = {}
    if url is not None:
        json["url"] = url
    if subscriptions is not None:
        json["subscriptions"] = _events(subscriptions)
    if name is not None:
        json["name"] = name
    if not json:
        raise ValueError("nothing to update: give url, subscriptions or name")
    body = yield APIRequest("PATCH", _one(account_id, webhook_id), json={"webhook": json})
    return Webhook.model_validate(body["payload"]["webhook"])


def delete_op(account_id: int, webhook_id: int) -> Operation[None]:
    yield APIRequest("DELETE", _one(account_id, webhook_id))


class AsyncWebhooksResource(AsyncResource):
    """Account webhooks (async). Administrator tokens only."""

    async def list(self, account_id: int) -> list[Webhook]:
        """List the account's webhooks, by id, each with its secret.

        Parameters
        ----------
        account_id
            The account ID.
        """
        return await self._client.run(list_op(account_id))

    async def create(
        self,
        account_id: int,
        url: str,
        subscriptions: Sequence[str] | None = None,
        name: str | None = None,
        *,
        inbox_id: int | None = None,
    ) -> Webhook:
        """Create a webhook; Chatwoot generates its `secret` (shown in the answer and in every later list).

        Parameters
        ----------
        account_id
            The account ID.
        url
            Where Chatwoot POSTs the events (unique per account).
        subscriptions
            Event names from WEBHOOK_EVENTS; None takes Chatwoot's default, the 8 events without typing and inbox
            events.
        name
            A label for people (Chatwoot 4.8+).
        inbox_id
            Stored and shown, but it does not filter: every inbox's events are sent.
        """
        return await self._client.run(create_op(account_id, url, subscriptions, name, inbox_id))

    async def update(
        self,
        account_id: int,
        webhook_id: int,
        *,
        url: str | None = None,
        subscriptions: Sequence[str] | None = None,
        name: str | None = None,
    ) -> Webhook:
        """Change a webhook's URL, events or name (None keeps each); the secret stays.

        Parameters
        ----------
        account_id
            The account ID.
        webhook_id
            The webhook's id.
        url
            New URL.
        subscriptions
            The complete new list of events.
        name
            New name.
        """
        return await self._client.run(update_op(account_id, webhook_id, url, subscriptions, name))

    async def delete(self, account_id: int, webhook_id: int) -> None:
        """Delete a webhook; Chatwoot stops sending to it (an event already queued may still arrive).

        Parameters
        ----------
        account_id
            The account ID.
        webhook_id
            The webhook's id.
        """
        await self._client.run(delete_op(account_id, webhook_id))


class WebhooksResource(SyncResource):
    """Account webhooks. Administrator tokens only."""

    @docs_from(AsyncWebhooksResource.list)
    def list(self, account_id: int) -> list[Webhook]:
        return self._client.run(list_op(account_id))

    @docs_from(AsyncWebhooksResource.create)
    def create(
        self,
        account_id: int,
        url: str,
        subscriptions: Sequence[str] | None = None,
        name: str | None = None,
        *,
        inbox_id: int | None = None,
    ) -> Webhook:
        return self._client.run(create_op(account_id, url, subscriptions, name, inbox_id))

    @docs_from(AsyncWebhooksResource.update)
    def update(
        self,
        account_id: int,
        webhook_id: int,
        *,
        url: str | None = None,
        subscriptions: Sequence[str] | None = None,
        name: str | None = None,
    ) -> Webhook:
        return self._client.run(update_op(account_id, webhook_id, url, subscriptions, name))

    @docs_from(AsyncWebhooksResource.delete)
    def delete(self, account_id: int, webhook_id: int) -> None:
        self._client.run(delete_op(account_id, webhook_id))
