"""The conversation requests: each call as an `Operation` (see `_request`), run by the resources in `conversations`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import path_id
from chatwoot_client.types import (
    AttachmentList,
    Conversation,
    ConversationCounts,
    ConversationList,
    ConversationToggleStatusResponse,
    SearchResult,
)

__all__ = [
    "FilterCondition",
    "ListStatus",
    "assign_op",
    "assign_team_op",
    "assignment_op",
    "attachments_op",
    "create_op",
    "custom_attributes_op",
    "filter_op",
    "get_counts_op",
    "get_op",
    "list_op",
    "search_op",
    "set_priority_op",
    "toggle_status_op",
    "unix_seconds",
    "update_op",
]

ListStatus = Literal["open", "resolved", "pending", "snoozed", "all"]
FilterCondition = dict[str, Any]

_CREATE_FIELDS = frozenset(
    {"status", "assignee_id", "team_id", "message", "custom_attributes", "additional_attributes", "snoozed_until"}
)


def _base(account_id: int) -> str:
    return f"/api/v1/accounts/{path_id('account_id', account_id)}/conversations"


def _one(account_id: int, conversation_id: int) -> str:
    return f"{_base(account_id)}/{path_id('conversation_id', conversation_id)}"


def unix_seconds(when: datetime | int | float) -> int:
    """A time as the unix seconds toggle_status expects; naive datetimes are taken as UTC."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return int(when.timestamp())
    return int(when)


def _list_params(
    status: str,
    assignee_type: str,
    inbox_id: int | None,
    team_id: int | None,
    labels: list[str] | None,
    q: str | None,
) -> dict[str, Any]:
    return {
        "status": status,
        "assignee_type": assignee_type,
        "inbox_id": inbox_id,
        "team_id": team_id,
        "labels": list(labels) if labels else None,
        "q": q,
    }


def list_op(
    account_id: int,
    status: str,
    assignee_type: str,
    page: int,
    inbox_id: int | None,
    team_id: int | None,
    labels: list[str] | None,
    q: str | None,
    sort_by: str | None,
) -> Operation[ConversationList]:
    params = _list_params(status, assignee_type, inbox_id, team_id, labels, q) | {"page": page, "sort_by": sort_by}
    body = yield APIRequest("GET", _base(account_id), params)
    data = body["data"]
    counts = ConversationCounts.model_validate(data["meta"])
    return ConversationList(
        (Conversation.model_validate(item) for item in data["payload"]),
        counts=counts,
        page=max(page, 1),
        total=counts.total_for(assignee_type),
    )


def get_op(account_id: int, conversation_id: int) -> Operation[Conversation]:
    body = yield APIRequest("GET", _one(account_id, conversation_id))
    return Conversation.model_validate(body)


def attachments_op(account_id: int, conversation_id: int, page: int) -> Operation[AttachmentList]:
    body = yield APIRequest("GET", f"{_one(account_id, conversation_id)}/attachments", {"page": page})
    meta = body.get("meta") or {}
    return AttachmentList.model_validate(
        {"total_count": meta.get("total_count") or 0, "attachments": body.get("payload") or [], "page": max(page, 1)}
    )


def create_op(
    account_id: int, source_id: str | None, inbox_id: int, contact_id: int | None, fields: dict[str, Any]
) -> Operation[Conversation]:
    unknown = set(fields) - _CREATE_FIELDS
    if unknown:
        raise TypeError(f"create() got unsupported fields {sorted(unknown)}; supported: {sorted(_CREATE_FIELDS)}")
    body: dict[str, Any] = {"inbox_id": path_id("inbox_id", inbox_id)}
    if source_id is not None:
        body["source_id"] = source_id
    if contact_id is not None:
        body["contact_id"] = contact_id
    body |= {key: value for key, value in fields.items() if value is not None}
    if isinstance(body.get("message"), str):
        body["message"] = {"content": body["message"]}
    if "snoozed_until" in body:
        body["snoozed_until"] = unix_seconds(body["snoozed_until"])
    created = yield APIRequest("POST", _base(account_id), json=body, idempotent=False)
    return Conversation.model_validate(created)


def toggle_status_op(
    account_id: int, conversation_id: int, status: str, snoozed_until: datetime | int | float | None
) -> Operation[ConversationToggleStatusResponse]:
    if snoozed_until is not None and status != "snoozed":
        raise ValueError(f"snoozed_until only applies to status 'snoozed', not {status!r}")
    body: dict[str, Any] = {"status": status}
    if snoozed_until is not None:
        body["snoozed_until"] = unix_seconds(snoozed_until)
    answer = yield APIRequest("POST", f"{_one(account_id, conversation_id)}/toggle_status", json=body)
    return ConversationToggleStatusResponse.model_validate(answer["payload"])


def assignment_op(account_id: int, conversation_id: int, body: dict[str, int | None]) -> Operation[None]:
    yield APIRequest("POST", f"{_one(account_id, conversation_id)}/assignments", json=body)


def set_priority_op(account_id: int, conversation_id: int, priority: str | None) -> Operation[Conversation]:
    body = yield APIRequest("PATCH", _one(account_id, conversation_id), json={"priority": priority})
    return Conversation.model_validate(body)


def update_op(
    account_id: int,
    conversation_id: int,
    status: str | None,
    assignee_id: int | None,
    team_id: int | None,
    priority: str | None,
    snoozed_until: datetime | int | float | None,
    extra: dict[str, Any],
) -> Operation[Conversation]:
    if extra:
        raise TypeError(
            f"update() got {sorted(extra)}, which Chatwoot ignores on update; it only changes status, assignee_id, "
            "team_id and priority (use labels.add, update_custom_attributes or messages.create for the rest)"
        )
    # Status first: reopening as an agent assigns the conversation to the caller, which an explicit
    # assignee in the same update must win over.
    if status is not None:
        yield from toggle_status_op(account_id, conversation_id, status, snoozed_until)
    elif snoozed_until is not None:
        raise ValueError("snoozed_until needs status='snoozed'")
    # Team before assignee: a team change unassigns an agent who is not in the team (and may auto-assign one).
    if team_id is not None:
        yield from assignment_op(account_id, conversation_id, {"team_id": team_id})
    if assignee_id is not None:
        yield from assignment_op(account_id, conversation_id, {"assignee_id": assignee_id})
    if priority is not None:
        return (yield from set_priority_op(account_id, conversation_id, priority))
    return (yield from get_op(account_id, conversation_id))


def assign_op(account_id: int, conversation_id: int, assignee_id: int | None) -> Operation[Conversation]:
    yield from assignment_op(account_id, conversation_id, {"assignee_id": assignee_id})
    return (yield from get_op(account_id, conversation_id))


def assign_team_op(account_id: int, conversation_id: int, team_id: int | None) -> Operation[Conversation]:
    yield from assignment_op(account_id, conversation_id, {"team_id": team_id})
    return (yield from get_op(account_id, conversation_id))


def get_counts_op(account_id: int, status: str, filters: dict[str, Any]) -> Operation[ConversationCounts]:
    params = _list_params(
        status,
        filters.pop("assignee_type", "all"),
        filters.pop("inbox_id", None),
        filters.pop("team_id", None),
        filters.pop("labels", None),
        filters.pop("q", None),
    )
    body = yield APIRequest("GET", f"{_base(account_id)}/meta", params | filters)
    return ConversationCounts.model_validate(body["meta"])


def search_op(account_id: int, q: str, page: int) -> Operation[list[SearchResult]]:
    if not q.strip():
        raise ValueError("q must not be empty")
    body = yield APIRequest("GET", f"{_base(account_id)}/search", {"q": q, "page": page})
    return [SearchResult.model_validate(item) for item in body["payload"]]


def filter_op(account_id: int, payload: list[FilterCondition], page: int) -> Operation[ConversationList]:
    body = yield APIRequest("POST", f"{_base(account_id)}/filter", {"page": page}, json={"payload": payload})
    counts = ConversationCounts.model_validate(body["meta"])
    counts.assigned_count = counts.all_count - counts.unassigned_count
    return ConversationList(
        (Conversation.model_validate(item) for item in body["payload"]),
        counts=counts,
        page=max(page, 1),
        total=counts.all_count,
    )


def custom_attributes_op(
    account_id: int, conversation_id: int, custom_attributes: dict[str, Any]
) -> Operation[dict[str, Any]]:
    body = yield APIRequest(
        "POST",
        f"{_one(account_id, conversation_id)}/custom_attributes",
        json={"custom_attributes": custom_attributes},
    )
    # The key is always there in Chatwoot's answer; a body without it (e.g. `{}` from a proxy) is no proof of the
    # write, so reading it fails (the client reports a body that is not what Chatwoot sends).
    return body["custom_attributes"] or {}
