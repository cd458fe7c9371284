"""Bulk actions: one request that changes many conversations. Not in the Chatwoot SDK (nor in its swagger).

Like running a macro it is fire-and-forget: Chatwoot answers 200 with an empty body at once and a background job
applies the change a moment later, skipping in silence every conversation outside the caller's inboxes (an agent's
inbox memberships; administrators reach all). Read the conversations to know what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.resources._conversation_ops import unix_seconds
from chatwoot_client.types import ConversationStatus

__all__ = ["AsyncBulkActionsResource", "BulkActionsResource", "Keep"]


class Keep(Enum):
    """`Keep.KEEP`, the default of `assignee_id` and `team_id`: leave the field as it is (None means "remove")."""

    KEEP = "keep"


def _labels(name: str, labels: Sequence[str] | None) -> list[str] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        raise TypeError(f"{name} must be a list of label names, not one string")
    return list(labels)


def update_op(
    account_id: int,
    conversation_ids: Sequence[int],
    status: ConversationStatus | None,
    snoozed_until: datetime | int | None,
    assignee_id: int | Keep | None,
    team_id: int | Keep | None,
    add_labels: Sequence[str] | None,
    remove_labels: Sequence[str] | None,
) -> Operation[None]:
    if isinstance(conversation_ids, int | str):
        raise TypeError("conversation_ids must be a list of conversation display ids")
    fields: dict[str, Any] = {}
    if status is not None:
        fields["status"] = status
    if not isinstance(assignee_id, Keep):
        fields["assignee_id"] = assignee_id
    if not isinstance(team_id, Keep):
        fields["team_id"] = team_id
    if snoozed_until is not None and not fields:
        raise ValueError("snoozed_until is saved only together with status, assignee_id or team_id")
    body: dict[str, Any] = {
        "type": "Conversation",
        "ids": [path_id("conversation_id", conversation_id) for conversation_id in conversation_ids],
    }
    if fields:
        body["fields"] = fields
    if snoozed_until is not None:
        body["snoozed_until"] = unix_seconds(snoozed_until)
    labels = {"add": _labels("add_labels", add_labels), "remove": _labels("remove_labels", remove_labels)}
    labels = {key: value for key, value in labels.items() if value}
    if labels:
        body["labels"] = labels
    if not fields and not labels:
        raise ValueError("nothing to change: pass status, assignee_id, team_id, add_labels or remove_labels")
    # Setting the same fields and labels twice leaves the same conversations: safe to retry.
    yield APIRequest("POST", f"/api/v1/accounts/{path_id('account_id', account_id)}/bulk_actions", json=body)


class AsyncBulkActionsResource(AsyncResource):
    """Changes to many conversations at once (async)."""

    async def update(
        self,
        account_id: int,
        conversation_ids: Sequence[int],
        *,
        status: ConversationStatus | None = None,
        snoozed_until: datetime | int | None = None,
        assignee_id: int | Keep | None = Keep.KEEP,
        team_id: int | Keep | None = Keep.KEEP,
        add_labels: Sequence[str] | None = None,
        remove_labels: Sequence[str] | None = None,
    ) -> None:
        """Change status, assignee, team and labels of many conversations; applied in the background. Returns None.

        Chatwoot answers an empty 200 at once and skips, without a word, conversations outside the caller's inboxes.
        It is a plain update: no "reopened by an agent assigns it to them" rule. Read the conversations to verify.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_ids
            Conversation display ids.
        status
            New status; None keeps it.
        snoozed_until
            With a field change (status "snoozed"): when it reopens (datetime or unix seconds).
        assignee_id
            Agent id, or None to unassign; Keep.KEEP (the default) leaves it.
        team_id
            Team id, or None to remove the team; Keep.KEEP (the default) leaves it.
        add_labels
            Labels to add; the others stay.
        remove_labels
            Labels to remove; the others stay.
        """
        await self._client.run(
            update_op(
                account_id, conversation_ids, status, snoozed_until, assignee_id, team_id, add_labels, remove_labels
            )
        )


class BulkActionsResource(SyncResource):
    """Changes to many conversations at once."""

    @docs_from(AsyncBulkActionsResource.update)
    def update(
        self,
        account_id: int,
        conversation_ids: Sequence[int],
        *,
        status: ConversationStatus | None = None,
        snoozed_until: datetime | int | None = None,
        assignee_id: int | Keep | None = Keep.KEEP,
        team_id: int | Keep | None = Keep.KEEP,
        add_labels: Sequence[str] | None = None,
        remove_labels: Sequence[str] | None = None,
    ) -> None:
        self._client.run(
            update_op(
                account_id, conversation_ids, status, snoozed_until, assignee_id, team_id, add_labels, remove_labels
            )
        )
