"""Account webhooks: which events the sandbox's writes fire, queued as Chatwoot queues them, and the webhooks' rules.

Chatwoot fires webhooks from model callbacks (`after_create_commit`, `after_update_commit`) through
`EventDispatcherJob`, and builds each payload INSIDE that job from the records as they are when it runs: two quick
updates can give two webhooks that both show the final state, each with its own `changed_attributes`. The sandbox
does the same: a write records what changed (`conversation_save`, `contact_save`, `emit`), a background job on
`state.jobs` builds the payload later (`render_webhooks`) and hands one signed POST per subscribed webhook to
`state.outbox` (`webhook_delivery`). Nothing is queued for an account without webhooks, so a sandbox nobody
subscribed to behaves exactly as before. When an event loop runs, the job also runs by itself `jobs.delay` seconds
later (a worker would); otherwise at the next request or `await state.webhooks_idle()`.

What fires (events doc §1.4): a conversation created; a save that changes a whitelisted column fires
`conversation_updated` with ALL changed columns; a status change also fires `conversation_status_changed` with
`changed_attributes: null`; a message created or updated unless it is an activity message (private notes do fire);
a contact created or updated, including the `last_activity_at` update of every incoming message. `inbox_id` on a
webhook never filters anything.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import chatwoot_sandbox.render_webhooks as payloads
from chatwoot_sandbox.records import ACTIVITY, Contact, Conversation, Message, Webhook
from chatwoot_sandbox.render import iso_ms
from chatwoot_sandbox.state import SandboxState
from chatwoot_sandbox.webhook_delivery import ALLOWED_EVENTS, DEFAULT_SUBSCRIPTIONS, encode, new_secret

__all__ = [
    "WebhookInvalid",
    "add_webhook",
    "contact_save",
    "conversation_save",
    "emit",
    "validation_errors",
]

Changes = list[dict[str, dict[str, object]]]

CONVERSATION_UPDATE_KEYS = frozenset(
    {
        "team_id",
        "assignee_id",
        "assignee_agent_bot_id",
        "status",
        "snoozed_until",
        "custom_attributes",
        "label_list",
        "waiting_since",
        "first_reply_created_at",
        "priority",
    }
)
"""`Conversation#allowed_keys?` (plus `additional_attributes.conversation_language`)."""
_URL = re.compile(r"(?=https?:)")
"""`URI::DEFAULT_PARSER.make_regexp(%w[http https])`, unanchored: every part after the scheme is optional, so any
string containing a lowercase `http:` or `https:` matches."""
WITH_CHANGES = frozenset({"conversation_updated", "conversation_status_changed", "contact_updated", "inbox_updated"})
"""Events whose payload carries `changed_attributes` (null for a status change, see events doc §1.6.5)."""

_saving: ContextVar[frozenset[tuple[str, int]]] = ContextVar("chatwoot_sandbox_saving", default=frozenset())


# -- the webhooks themselves --------------------------------------------------------------------------------------


class WebhookInvalid(ValueError):
    """What `save!` raises (RecordInvalid): `message` as Chatwoot joins it, `attributes` the failing columns."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.message = ", ".join(f"{attribute.capitalize()} {text}" for attribute, text in errors)
        self.attributes = list(dict.fromkeys(attribute for attribute, _ in errors))
        super().__init__(self.message)


def validation_errors(
    state: SandboxState, account_id: int, url: object, subscriptions: object, webhook_id: int | None = None
) -> list[tuple[str, str]]:
    """`Webhook`'s validations, in their order: url unique per account, url format, subscriptions."""
    errors: list[tuple[str, str]] = []
    taken = any(
        hook.url == url and hook.account_id == account_id and hook.id != webhook_id for hook in state.webhooks.values()
    )
    if url is not None and taken:
        errors.append(("url", "has already been taken"))
    if not isinstance(url, str) or not _URL.search(url):
        errors.append(("url", "is invalid"))
    if (
        not isinstance(subscriptions, list)
        or not subscriptions
        or any(event not in ALLOWED_EVENTS for event in subscriptions)
    ):
        errors.append(("subscriptions", "Invalid events"))
    return errors


def add_webhook(
    state: SandboxState,
    account_id: int,
    url: str,
    subscriptions: list[str] | None = None,
    *,
    name: str | None = None,
    inbox_id: int | None = None,
) -> Webhook:
    """Create an account webhook as `POST /webhooks` does (the 8 default events when `subscriptions` is None; a new
    secret), without a request. WebhookInvalid when Chatwoot would answer 422."""
    events = list(DEFAULT_SUBSCRIPTIONS) if subscriptions is None else list(subscriptions)
    errors = validation_errors(state, account_id, url, events)
    if errors:
        raise WebhookInvalid(errors)
    webhook = Webhook(state.next_id(state.webhooks), account_id, url, events, new_secret(), name, inbox_id)
    state.webhooks[webhook.id] = webhook
    return webhook


# -- recording what a write changed ---------------------------------------------------------------------------------


def _conversation_columns(conversation: Conversation) -> dict[str, object]:
    """The columns a save can change, as `previous_changes` serialises them (ISO times, enum names), in the order
    Rails records them: the assigned ones, then `cached_label_list` (before_save), then `updated_at`."""
    labels = list(conversation.labels)
    return {
        "status": conversation.status,
        "priority": conversation.priority,
        "assignee_id": conversation.assignee_id,
        "assignee_agent_bot_id": conversation.assignee_agent_bot_id,
        "team_id": conversation.team_id,
        "snoozed_until": iso_ms(conversation.snoozed_until),
        "custom_attributes": copy.deepcopy(conversation.custom_attributes),
        "additional_attributes": copy.deepcopy(conversation.additional_attributes),
        "waiting_since": iso_ms(conversation.waiting_since),
        "first_reply_created_at": iso_ms(conversation.first_reply_created_at),
        "label_list": labels,
        "cached_label_list": ", ".join(labels) if labels else None,
        "updated_at": iso_ms(conversation.updated_at),
    }


def _contact_columns(contact: Contact) -> dict[str, object]:
    return {
        "name": contact.name,
        "email": contact.email,
        "phone_number": contact.phone_number,
        "identifier": contact.identifier,
        "blocked": contact.blocked,
        "additional_attributes": copy.deepcopy(contact.additional_attributes),
        "custom_attributes": copy.deepcopy(contact.custom_attributes),
        "label_list": list(contact.labels),
        "last_activity_at": iso_ms(contact.last_activity_at),
        "updated_at": iso_ms(contact.updated_at if contact.updated_at is not None else contact.created_at),
    }


def _changes(before: dict[str, object], after: dict[str, object]) -> Changes:
    """`extract_changed_attributes(previous_changes)`: one single-key object per changed column; `updated_at` only
    when something else changed (a save without changes writes nothing)."""
    changed = [key for key in after if key != "updated_at" and before[key] != after[key]]
    if not changed:
        return []
    if before["updated_at"] != after["updated_at"]:
        changed.append("updated_at")
    return [{key: {"previous_value": before[key], "current_value": after[key]}} for key in changed]


@contextmanager
def _save(key: tuple[str, int], columns: dict[str, object]) -> Iterator[dict[str, object] | None]:
    """Yield the columns before the outermost save of this record (None inside a nested one, which the outer save
    reports as part of its own)."""
    saving = _saving.get()
    if key in saving:
        yield None
        return
    token = _saving.set(saving | {key})
    try:
        yield columns
    finally:
        _saving.reset(token)


@contextmanager
def conversation_save(state: SandboxState, conversation: Conversation) -> Iterator[None]:
    """One `save` of the conversation: what the block changed fires `conversation_updated` (if a whitelisted column
    changed) and, before it, `conversation_status_changed` (if the status did). Nested saves of the same
    conversation join the outer one; a block that raises fires nothing (the transaction rolled back)."""
    with _save(("conversation", conversation.id), _conversation_columns(conversation)) as before:
        yield
    if before is None:
        return
    changes = _changes(before, _conversation_columns(conversation))
    keys = {key for change in changes for key in change}
    if "status" in keys:
        emit(state, "conversation_status_changed", conversation)
    language = "additional_attributes" in keys and _language(before) != _language(_conversation_columns(conversation))
    if keys & CONVERSATION_UPDATE_KEYS or language:
        emit(state, "conversation_updated", conversation, changes)


def _language(columns: dict[str, object]) -> object:
    attributes = columns["additional_attributes"]
    return attributes.get("conversation_language") if isinstance(attributes, dict) else None


@contextmanager
def contact_save(state: SandboxState, contact: Contact) -> Iterator[None]:
    """One `save` of the contact: a change bumps `updated_at` and fires `contact_updated` with every changed
    column."""
    with _save(("contact", contact.id), _contact_columns(contact)) as before:
        yield
    if before is None:
        return
    after = _contact_columns(contact)
    if _changes(before, after) and before["updated_at"] == after["updated_at"]:
        contact.updated_at = state.clock()
    changes = _changes(before, _contact_columns(contact))
    if changes:
        emit(state, "contact_updated", contact, changes)


# -- queueing and building the payloads ----------------------------------------------------------------------------


def emit(
    state: SandboxState,
    event: str,
    record: Conversation | Message | Contact,
    changes: Changes | None = None,
) -> None:
    """Queue `event` about `record` for the account's webhooks (nothing if the account has none; nothing for an
    activity message). The payload is built when the job runs; `changes` are what this write changed."""
    if isinstance(record, Message) and record.message_type == ACTIVITY:
        return  # `webhook_sendable?`: incoming, outgoing and template only
    account_id = record.account_id
    if not any(hook.account_id == account_id for hook in state.webhooks.values()):
        return
    if isinstance(record, Message):
        subject = ("message", record.conversation_pk, record.id)
    elif isinstance(record, Conversation):
        subject = ("conversation", record.id, 0)
    else:
        subject = ("contact", record.id, 0)
    state.enqueue_job(f"webhook {event}", lambda: _deliver(state, event, account_id, subject, changes))
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # no worker without a loop: the next request (or webhooks_idle) runs the job
    loop.call_later(state.jobs.delay + 0.01, state.run_due_jobs)


def _deliver(
    state: SandboxState, event: str, account_id: int, subject: tuple[str, int, int], changes: Changes | None
) -> None:
    """The job: build the payload from the records as they are now (a record deleted meanwhile: silently nothing,
    like `ActiveJob::DeserializationError`), then one POST per webhook of the account subscribed to `event`."""
    payload = _payload(state, subject)
    if payload is None:
        return
    payload["event"] = event
    if event in WITH_CHANGES:
        payload["changed_attributes"] = None if event == "conversation_status_changed" else changes
    body = encode(payload)
    timestamp = str(int(state.clock()))
    for hook in sorted(state.webhooks.values(), key=lambda hook: hook.id):
        if hook.account_id == account_id and event in hook.subscriptions:
            state.outbox.send(hook.id, hook.url, hook.secret, event, body, timestamp)


def _payload(state: SandboxState, subject: tuple[str, int, int]) -> dict[str, object] | None:
    kind, record_id, message_id = subject
    if kind == "contact":
        contact = state.contacts.get(record_id)
        return payloads.contact(state, contact) if contact is not None else None
    conversation = state.conversations.get(record_id)
    if conversation is None:
        return None
    if kind == "conversation":
        return payloads.conversation(state, conversation)
    message = next((m for m in conversation.messages if m.id == message_id), None)
    return payloads.message(state, message, conversation) if message is not None else None
