"""Who and what is in an account: the token's profile, agents, teams, inboxes and labels."""

from __future__ import annotations

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.types import Agent, Inbox, Label, Profile, Team

__all__ = [
    "AccountLabelsResource",
    "AgentsResource",
    "AsyncAccountLabelsResource",
    "AsyncAgentsResource",
    "AsyncInboxesResource",
    "AsyncProfileResource",
    "AsyncTeamsResource",
    "InboxesResource",
    "ProfileResource",
    "TeamsResource",
]


def _account(account_id: int) -> str:
    return f"/api/v1/accounts/{path_id('account_id', account_id)}"


def _payload(body: object) -> list[dict[str, object]]:
    # Agents and teams come back as a bare array; inboxes and labels inside {"payload": [...]}.
    if isinstance(body, dict):
        return body["payload"]
    return body  # type: ignore[return-value]


def profile_op() -> Operation[Profile]:
    body = yield APIRequest("GET", "/api/v1/profile")
    return Profile.model_validate(body)


def agents_op(account_id: int) -> Operation[list[Agent]]:
    body = yield APIRequest("GET", f"{_account(account_id)}/agents")
    return [Agent.model_validate(item) for item in _payload(body)]


def teams_op(account_id: int) -> Operation[list[Team]]:
    body = yield APIRequest("GET", f"{_account(account_id)}/teams")
    return [Team.model_validate(item) for item in _payload(body)]


def inboxes_op(account_id: int) -> Operation[list[Inbox]]:
    body = yield APIRequest("GET", f"{_account(account_id)}/inboxes")
    return [Inbox.model_validate(item) for item in _payload(body)]


def labels_op(account_id: int) -> Operation[list[Label]]:
    body = yield APIRequest("GET", f"{_account(account_id)}/labels")
    return [Label.model_validate(item) for item in _payload(body)]


class AsyncProfileResource(AsyncResource):
    async def get(self) -> Profile:
        """The user the API token belongs to, with the accounts they can use."""
        return await self._client.run(profile_op())


class AsyncAgentsResource(AsyncResource):
    async def list(self, account_id: int) -> list[Agent]:
        """List the account's agents and administrators.

        Parameters
        ----------
        account_id
            The account ID.
        """
        return await self._client.run(agents_op(account_id))


class AsyncTeamsResource(AsyncResource):
    async def list(self, account_id: int) -> list[Team]:
        """List the account's teams.

        Parameters
        ----------
        account_id
            The account ID.
        """
        return await self._client.run(teams_op(account_id))


class AsyncInboxesResource(AsyncResource):
    async def list(self, account_id: int) -> list[Inbox]:
        """List the account's inboxes.

        Parameters
        ----------
        account_id
            The account ID.
        """
        return await self._client.run(inboxes_op(account_id))


class AsyncAccountLabelsResource(AsyncResource):
    async def list(self, account_id: int) -> list[Label]:
        """List the labels defined in the account.

        Parameters
        ----------
        account_id
            The account ID.
        """
        return await self._client.run(labels_op(account_id))


class ProfileResource(SyncResource):
    @docs_from(AsyncProfileResource.get)
    def get(self) -> Profile:
        return self._client.run(profile_op())


class AgentsResource(SyncResource):
    @docs_from(AsyncAgentsResource.list)
    def list(self, account_id: int) -> list[Agent]:
        return self._client.run(agents_op(account_id))


class TeamsResource(SyncResource):
    @docs_from(AsyncTeamsResource.list)
    def list(self, account_id: int) -> list[Team]:
        return self._client.run(teams_op(account_id))


class InboxesResource(SyncResource):
    @docs_from(AsyncInboxesResource.list)
    def list(self, account_id: int) -> list[Inbox]:
        return self._client.run(inboxes_op(account_id))


class AccountLabelsResource(SyncResource):
    @docs_from(AsyncAccountLabelsResource.list)
    def list(self, account_id: int) -> list[Label]:
        return self._client.run(labels_op(account_id))
