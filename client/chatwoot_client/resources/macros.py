"""Macros: list, read, write and run them. Not in the Chatwoot SDK (nor in its published swagger).

Running a macro is fire-and-forget: Chatwoot answers 200 with an empty body at once and applies the actions in a
background job a moment later, so the answer says nothing about what happened. Read the conversations to know.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.types import Macro, MacroAction, MacroVisibility

__all__ = ["AsyncMacrosResource", "MacrosResource"]

Actions = Sequence[MacroAction | dict[str, Any]]


def _base(account_id: int) -> str:
    return f"/api/v1/accounts/{path_id('account_id', account_id)}/macros"


def _one(account_id: int, macro_id: int) -> str:
    return f"{_base(account_id)}/{path_id('macro_id', macro_id)}"


def _actions(actions: Actions) -> list[dict[str, Any]]:
    if isinstance(actions, dict | str):
        raise TypeError("actions must be a list of {action_name, action_params}")
    return [
        action.model_dump(include={"action_name", "action_params"}) if isinstance(action, MacroAction) else action
        for action in actions
    ]


def list_op(account_id: int) -> Operation[list[Macro]]:
    body = yield APIRequest("GET", _base(account_id))
    return [Macro.model_validate(item) for item in body["payload"]]


def get_op(account_id: int, macro_id: int) -> Operation[Macro]:
    body = yield APIRequest("GET", _one(account_id, macro_id))
    return Macro.model_validate(body["payload"])


def create_op(account_id: int, name: str, actions: Actions, visibility: MacroVisibility) -> Operation[Macro]:
    json = {"name": name, "visibility": visibility, "actions": _actions(actions)}
    body = yield APIRequest("POST", _base(account_id), json=json, idempotent=False)
    return Macro.model_validate(body["payload"])


def update_op(
    account_id: int, macro_id: int, visibility: MacroVisibility, name: str | None, actions: Actions | None
) -> Operation[Macro]:
    json: dict[str, Any] = {"visibility": visibility}
    if name is not None:
        json["name"] = name
    if actions is not None:
        json["actions"] = _actions(actions)
    body = yield APIRequest("PATCH", _one(account_id, macro_id), json=json)
    return Macro.model_validate(body["payload"])


def delete_op(account_id: int, macro_id: int) -> Operation[None]:
    yield APIRequest("DELETE", _one(account_id, macro_id))


def execute_op(account_id: int, macro_id: int, conversation_ids: Sequence[int]) -> Operation[None]:
    if isinstance(conversation_ids, int | str):
        # Chatwoot answers 200 to a non-array too, and its job then does nothing.
        raise TypeError("conversation_ids must be a list of conversation display ids")
    ids = [path_id("conversation_id", conversation_id) for conversation_id in conversation_ids]
    # Not idempotent: a macro that sends a message would send it again.
    yield APIRequest("POST", f"{_one(account_id, macro_id)}/execute", json={"conversation_ids": ids}, idempotent=False)


class AsyncMacrosResource(AsyncResource):
    """Macros of an account (async)."""

    async def list(self, account_id: int) -> list[Macro]:
        """List the macros the caller may run: every global macro and the caller's own personal ones, by id.

        Parameters
        ----------
        account_id
            The account ID.
        """
        return await self._client.run(list_op(account_id))

    async def get(self, account_id: int, macro_id: int) -> Macro:
        """Read one macro (global, or the caller's own personal one); an unknown id is a 404 with an empty body.

        Parameters
        ----------
        account_id
            The account ID.
        macro_id
            The macro's id.
        """
        return await self._client.run(get_op(account_id, macro_id))

    async def create(
        self, account_id: int, name: str, actions: Actions, visibility: MacroVisibility = "personal"
    ) -> Macro:
        """Create a macro; an agent's is always personal, whatever `visibility` says.

        Unknown action names are a 422 whose `error` is a hash (`{"actions": ["... not supported."]}`).

        Parameters
        ----------
        account_id
            The account ID.
        name
            What agents see in the macro list.
        actions
            The steps in order, each `{"action_name": ..., "action_params": [...]}` or a MacroAction.
        visibility
            "personal" or "global" (global needs an administrator). Always sent: an administrator's macro saved
            without one vanishes from every list.
        """
        return await self._client.run(create_op(account_id, name, actions, visibility))

    async def update(
        self,
        account_id: int,
        macro_id: int,
        *,
        visibility: MacroVisibility,
        name: str | None = None,
        actions: Actions | None = None,
    ) -> Macro:
        """Change a macro (global ones: administrators only; personal ones: their author only).

        Parameters
        ----------
        account_id
            The account ID.
        macro_id
            The macro's id.
        visibility
            Required: Chatwoot stores what is sent, and an update without it makes the macro invisible.
        name
            New name; None keeps it.
        actions
            The complete new list of steps; None keeps them.
        """
        return await self._client.run(update_op(account_id, macro_id, visibility, name, actions))

    async def delete(self, account_id: int, macro_id: int) -> None:
        """Delete a macro (same permissions as update).

        Parameters
        ----------
        account_id
            The account ID.
        macro_id
            The macro's id.
        """
        await self._client.run(delete_op(account_id, macro_id))

    async def execute(self, account_id: int, macro_id: int, conversation_ids: Sequence[int]) -> None:
        """Run a macro on conversations; Chatwoot applies it in the background a moment later. Returns None.

        The answer is always an empty 200, even for an unknown macro, and Chatwoot does not check that the caller
        may see the conversations: read them afterwards to learn what happened.

        Parameters
        ----------
        account_id
            The account ID.
        macro_id
            The macro's id.
        conversation_ids
            Conversation display ids.
        """
        await self._client.run(execute_op(account_id, macro_id, conversation_ids))


class MacrosResource(SyncResource):
    """Macros of an account."""

    @docs_from(AsyncMacrosResource.list)
    def list(self, account_id: int) -> list[Macro]:
        return self._client.run(list_op(account_id))

    @docs_from(AsyncMacrosResource.get)
    def get(self, account_id: int, macro_id: int) -> Macro:
        return self._client.run(get_op(account_id, macro_id))

    @docs_from(AsyncMacrosResource.create)
    def create(self, account_id: int, name: str, actions: Actions, visibility: MacroVisibility = "personal") -> Macro:
        return self._client.run(create_op(account_id, name, actions, visibility))

    @docs_from(AsyncMacrosResource.update)
    def update(
        self,
        account_id: int,
        macro_id: int,
        *,
        visibility: MacroVisibility,
        name: str | None = None,
        actions: Actions | None = None,
    ) -> Macro:
        return self._client.run(update_op(account_id, macro_id, visibility, name, actions))

    @docs_from(AsyncMacrosResource.delete)
    def delete(self, account_id: int, macro_id: int) -> None:
        self._client.run(delete_op(account_id, macro_id))

    @docs_from(AsyncMacrosResource.execute)
    def execute(self, account_id: int, macro_id: int, conversation_ids: Sequence[int]) -> None:
        self._client.run(execute_op(account_id, macro_id, conversation_ids))
