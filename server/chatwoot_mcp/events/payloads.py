"""Chatwoot webhook payloads (chatwoot-api-events.md §1.6) turned into the stream's events.

What becomes an event:
- `conversation_created` -> conversation_created.
- `conversation_status_changed` -> status_changed. Its `changed_attributes` is always null (Chatwoot reads the change
  after it was applied), so the new status comes from `status`; the previous one only from the
  `conversation_updated` that fires beside it. Both deliveries describe the same change, so each carries a `once`
  key (conversation, status, the record's updated_at) and only the first to arrive is recorded.
- `conversation_updated` -> status_changed (status, with the previous one), assigned (assignee or team changed),
  labelled (label_list changed); its `changed_attributes` is a list of `{key: {previous_value, current_value}}`.
  Other changes (waiting_since, priority, custom attributes, updated_at) are noise here and make no event.
- `message_created` -> customer_message (incoming), agent_message (outgoing, template) or private_note
  (`private: true`: Chatwoot delivers private notes too).
- Everything else makes none: `contact_updated` fires on every incoming message (last_activity_at), typing,
  `message_updated` (delivery receipts, edits), inbox and widget events.

Chatwoot builds a payload when its job runs, not when the change happened, so two quick changes can arrive showing
the same final state: the events say what the payload says.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CONTENT_LIMIT", "account_of", "events_of"]

CONTENT_LIMIT = 4000
"""Characters of a message kept in its event (the view cuts further): a stream entry stays small."""
_MESSAGE_KINDS = {"incoming": "customer_message", "outgoing": "agent_message", "template": "agent_message"}
_MESSAGE_TYPE_NAMES = {0: "incoming", 1: "outgoing", 3: "template"}


def account_of(payload: dict[str, Any]) -> int | None:
    """The account a payload belongs to: `account.id` (4.15+ on every payload this feed uses), else the account id
    its conversation's or message's records carry; None when it names none."""
    account = payload.get("account")
    if isinstance(account, dict) and _int(account.get("id")) is not None:
        return _int(account.get("id"))
    nested = payload.get("conversation")
    conversation: dict[str, Any] = nested if isinstance(nested, dict) else payload
    for record in (payload, *_list(conversation.get("messages"))):
        if isinstance(record, dict) and _int(record.get("account_id")) is not None:
            return _int(record.get("account_id"))
    return None


def events_of(payload: dict[str, Any], account_id: int) -> list[dict[str, Any]]:
    """The events a delivery makes (none for most): each `{kind, account_id, conversation_id, data}`, and `once`
    when only the first of several deliveries describing it should be recorded. Each event's data names the inbox
    (`inbox_id`), so that a reader sees only the events of inboxes their Chatwoot user may see."""
    found = _events_of(payload, account_id)
    inbox_id = _inbox_of(payload)
    if inbox_id is not None:
        for draft in found:
            draft["data"] = {**draft["data"], "inbox_id": inbox_id}
    return found


def _inbox_of(payload: dict[str, Any]) -> int | None:
    inbox = payload.get("inbox")
    if isinstance(inbox, dict) and _int(inbox.get("id")) is not None:
        return _int(inbox.get("id"))
    conversation = payload.get("conversation")
    record = conversation if isinstance(conversation, dict) else payload
    return _int(record.get("inbox_id"))


def _events_of(payload: dict[str, Any], account_id: int) -> list[dict[str, Any]]:
    event = payload.get("event")
    if event == "message_created":
        return _message(payload, account_id)
    conversation_id = _int(payload.get("id"))
    if conversation_id is None or event not in (
        "conversation_created",
        "conversation_status_changed",
        "conversation_updated",
    ):
        return []
    base = {"account_id": account_id, "conversation_id": conversation_id}
    if event == "conversation_created":
        data = {
            "status": payload.get("status"),
            "inbox_id": _int(payload.get("inbox_id")),
            "contact": _name(_meta(payload).get("sender")),
            "assignee": _person(_meta(payload).get("assignee")),
            "team": _person(_meta(payload).get("team")),
            "labels": _labels(payload.get("labels")),
        }
        return [{**base, "kind": "conversation_created", "data": _data(data)}]
    if event == "conversation_status_changed":
        return [_status(payload, base, None)]
    changes = _changes(payload.get("changed_attributes"))
    found = []
    if "status" in changes:
        found.append(_status(payload, base, changes["status"][0]))
    if {"assignee_id", "team_id", "assignee_agent_bot_id"} & changes.keys():
        data = {
            "assignee": _person(_meta(payload).get("assignee")),
            "team": _person(_meta(payload).get("team")),
            "previous_assignee_id": _int(changes.get("assignee_id", (None, None))[0]),
            "previous_team_id": _int(changes.get("team_id", (None, None))[0]),
        }
        found.append({**base, "kind": "assigned", "data": _data(data)})
    labels = changes.get("label_list") or changes.get("cached_label_list")
    if labels is not None:
        before, after = _labels(labels[0]), _labels(labels[1])
        data = {
            "labels": _labels(payload.get("labels")) if "labels" in payload else after,
            "added": [label for label in after if label not in before],
            "removed": [label for label in before if label not in after],
        }
        found.append({**base, "kind": "labelled", "data": data})
    return found


def _status(payload: dict[str, Any], base: dict[str, Any], previous: Any) -> dict[str, Any]:
    status = payload.get("status")
    data = _data({"status": status, "previous": previous if isinstance(previous, str) else None})
    if status == "snoozed" and payload.get("snoozed_until"):
        data["snoozed_until"] = payload.get("snoozed_until")
    once = f"status:{base['account_id']}:{base['conversation_id']}:{status}:{payload.get('updated_at')}"
    return {**base, "kind": "status_changed", "data": data, "once": once}


def _message(payload: dict[str, Any], account_id: int) -> list[dict[str, Any]]:
    conversation = payload.get("conversation")
    conversation_id = _int(conversation.get("id")) if isinstance(conversation, dict) else None
    conversation_id = conversation_id or _int(payload.get("conversation_id"))
    message_id = _int(payload.get("id"))
    message_type = payload.get("message_type")
    message_type = _MESSAGE_TYPE_NAMES.get(message_type, "") if isinstance(message_type, int) else message_type
    kind = "private_note" if payload.get("private") is True else _MESSAGE_KINDS.get(str(message_type))
    if conversation_id is None or message_id is None or kind is None:
        return []
    sender = payload.get("sender") if isinstance(payload.get("sender"), dict) else None
    content = payload.get("content") if isinstance(payload.get("content"), str) else None
    data: dict[str, Any] = {
        "message_id": message_id,
        "content": content[:CONTENT_LIMIT] if content is not None else None,
        "author": _name(sender),
        # A contact's webhook_data has no `type` key; users, bots and assistants name theirs.
        "author_type": (sender.get("type") or "contact") if sender is not None else None,
        "files": len(_list(payload.get("attachments"))) or None,
    }
    if content is not None and len(content) > CONTENT_LIMIT:
        data["cut"] = len(content) - CONTENT_LIMIT
    return [{"account_id": account_id, "conversation_id": conversation_id, "kind": kind, "data": _data(data)}]


def _changes(raw: Any) -> dict[str, tuple[Any, Any]]:
    """`changed_attributes` as {key: (previous, current)}: Chatwoot sends a list of one-key objects (null for
    status changes); a plain object is read the same way."""
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    changes = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        for key, change in item.items():
            if isinstance(change, dict):
                changes[str(key)] = (change.get("previous_value"), change.get("current_value"))
    return changes


def _labels(value: Any) -> list[str]:
    """Labels as a list (label_list sends arrays; cached_label_list a comma-separated string)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(item) for item in _list(value) if isinstance(item, str | int)]


def _meta(payload: dict[str, Any]) -> dict[str, Any]:
    meta = payload.get("meta")
    return meta if isinstance(meta, dict) else {}


def _person(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or _int(value.get("id")) is None:
        return None
    return _data({"id": _int(value.get("id")), "name": _name(value)})


def _name(value: Any) -> str | None:
    name = value.get("name") if isinstance(value, dict) else None
    return name if isinstance(name, str) else None


def _data(data: dict[str, Any]) -> dict[str, Any]:
    """Without the keys that say nothing (None), so a stream entry stays small."""
    return {key: value for key, value in data.items() if value is not None}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
