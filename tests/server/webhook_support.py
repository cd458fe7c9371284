"""Chatwoot webhook deliveries for the tests: payloads shaped as chatwoot-api-events.md §1.6, signed as §1.7."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from chatwoot_mcp.events.signature import sign

__all__ = [
    "SECRET",
    "conversation_payload",
    "message_payload",
    "signed",
]

SECRET = "tQ1nV8mXr4Ys2PzK9wLcB3dF"
"""A webhook secret as Chatwoot makes them (24 base58 characters)."""


def signed(
    payload: dict[str, Any] | bytes,
    secret: str = SECRET,
    *,
    timestamp: int | None = None,
    delivery: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery as Chatwoot's `Webhooks::Trigger` sends it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Chatwoot-Delivery": delivery or str(uuid.uuid4()),
        "X-Chatwoot-Timestamp": stamp,
        "X-Chatwoot-Signature": sign(secret, stamp, body),
    }
    return body, headers


def conversation_payload(
    event: str,
    conversation_id: int = 42,
    *,
    account_id: int | None = 1,
    status: str = "open",
    assignee: dict[str, Any] | None = None,
    team: dict[str, Any] | None = None,
    labels: list[str] | None = None,
    changed: list[dict[str, Any]] | None = None,
    updated_at: float = 1781687400.123456,
    inbox_id: int | None = None,
) -> dict[str, Any]:
    """A conversation webhook (`conversation_created`, `_updated`, `_status_changed`); by default in the sandbox's
    inbox 1 (account 1) or 6 (account 2)."""
    inbox_id = inbox_id or (6 if account_id == 2 else 1)
    payload: dict[str, Any] = {
        "additional_attributes": {},
        "can_reply": True,
        "channel": "Channel::Api",
        "contact_inbox": {"id": 12, "contact_id": 7, "inbox_id": inbox_id, "source_id": "4f1c", "pubsub_token": "Zq3"},
        "id": conversation_id,
        "inbox_id": inbox_id,
        "messages": [],
        "labels": labels or [],
        "meta": {
            "sender": {"id": 7, "name": "Jane <b>Doe</b>", "email": "jane@example.com", "type": "contact"},
            "assignee": assignee,
            "assignee_type": "User" if assignee else None,
            "team": team,
            "hmac_verified": False,
        },
        "status": status,
        "custom_attributes": {},
        "snoozed_until": None,
        "unread_count": 1,
        "first_reply_created_at": None,
        "priority": None,
        "waiting_since": 0,
        "last_activity_at": 1781687040,
        "timestamp": 1781687040,
        "created_at": 1781686800,
        "updated_at": updated_at,
        "event": event,
    }
    if account_id is not None:
        payload["account"] = {"id": account_id, "name": "Acme"}
    if event == "conversation_status_changed":
        payload["changed_attributes"] = None  # always null (§1.6.5)
    elif event == "conversation_updated":
        payload["changed_attributes"] = changed or []
    return payload


def message_payload(
    content: str,
    *,
    message_type: str = "incoming",
    private: bool = False,
    conversation_id: int = 42,
    message_id: int = 101,
    account_id: int = 1,
    sender: dict[str, Any] | None = None,
    event: str = "message_created",
    inbox_id: int | None = None,
) -> dict[str, Any]:
    """A message webhook (`message_created`, `message_updated`)."""
    inbox_id = inbox_id or (6 if account_id == 2 else 1)
    if sender is None:
        sender = (
            {"account": {"id": account_id, "name": "Acme"}, "id": 7, "name": "Jane", "email": "jane@example.com"}
            if message_type == "incoming"
            else {"id": 3, "name": "Agent A", "email": "agent@example.com", "type": "user"}
        )
    return {
        "account": {"id": account_id, "name": "Acme"},
        "additional_attributes": {},
        "content_attributes": {},
        "content_type": "text",
        "content": content,
        "conversation": conversation_payload(
            "conversation_updated", conversation_id, account_id=account_id, inbox_id=inbox_id
        ),
        "created_at": "2026-06-17T09:04:00.000Z",
        "id": message_id,
        "inbox": {"id": inbox_id, "name": "API"},
        "message_type": message_type,
        "private": private,
        "sender": sender,
        "source_id": None,
        "event": event,
    }
