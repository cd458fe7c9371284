"""Webhook payloads, copied from Chatwoot's `webhook_data` methods (events doc §1.6), and their `changed_attributes`.

They differ from the REST JSON on purpose, as the real ones do: `meta.assignee`, `meta.assignee_type` and
`meta.team` are present with null, `contact_inbox` is the raw record (with `pubsub_token`), `messages` holds only the
last public non-activity message, `first_reply_created_at` is ISO (or null), a message's `message_type` is a string
at the top level but an integer inside `conversation.messages`, and a contact has no `type`.
"""

from __future__ import annotations

import hashlib

import chatwoot_sandbox.blobs as blobs
import chatwoot_sandbox.render as render
from chatwoot_sandbox.records import ACTIVITY, MESSAGE_TYPES, Contact, Conversation, Message
from chatwoot_sandbox.state import SandboxState

JSON = dict[str, object]
MESSAGE_TYPE_NAMES = {code: name for name, code in MESSAGE_TYPES.items()}


def account(state: SandboxState, account_id: int) -> JSON:
    found = state.accounts.get(account_id)
    return {"id": account_id, "name": found.name if found else None}


def webhook_content(content: str | None) -> str | None:
    """`Messages::WebhookContentNormalizer`: CommonMark hard breaks (a backslash before a newline) become plain
    newlines, and trailing newlines go."""
    if content is None:
        return None
    return content.replace("\\\n", "\n").rstrip("\n")


def contact(state: SandboxState, found: Contact) -> JSON:
    """`Contact#webhook_data`: no `type`, no times; `avatar` and `thumbnail` are both the avatar URL."""
    return {
        "account": account(state, found.account_id),
        "additional_attributes": found.additional_attributes,
        "avatar": "",
        "custom_attributes": found.custom_attributes,
        "email": found.email,
        "id": found.id,
        "identifier": found.identifier,
        "name": found.name,
        "phone_number": found.phone_number,
        "thumbnail": "",
        "blocked": found.blocked,
    }


def _sender(state: SandboxState, message: Message) -> JSON | None:
    """`sender.try(:webhook_data)` by the sender's type; null for system messages."""
    if message.sender_type == "User" and message.sender_id in state.users:
        user = state.users[message.sender_id]
        return {"id": user.id, "name": user.name, "email": user.email, "type": "user"}
    if message.sender_type == "Contact" and message.sender_id in state.contacts:
        return contact(state, state.contacts[message.sender_id])
    if message.sender_type == "AgentBot" and message.sender_id in state.agent_bots:
        bot = state.agent_bots[message.sender_id]
        return {"id": bot.id, "name": bot.name, "type": "agent_bot"}
    return None


def _contact_inbox(state: SandboxState, conversation: Conversation) -> JSON | None:
    """The raw `ContactInbox` record as `as_json` writes it (the sandbox keeps no times of its own for it: the
    contact's creation stands in; the pubsub token is a stable stand-in for the random one)."""
    found = state.contact_inboxes.get(conversation.contact_inbox_id)
    if found is None:
        return None
    created = render.iso_ms(state.contacts[found.contact_id].created_at) if found.contact_id in state.contacts else None
    return {
        "id": found.id,
        "contact_id": found.contact_id,
        "inbox_id": found.inbox_id,
        "source_id": found.source_id,
        "created_at": created,
        "updated_at": created,
        "hmac_verified": found.hmac_verified,
        "pubsub_token": hashlib.sha256(f"contact-inbox-{found.id}-{found.source_id}".encode()).hexdigest()[:24],
    }


def _meta(state: SandboxState, conversation: Conversation) -> JSON:
    assignee: JSON | None = None
    assignee_type: str | None = None
    if conversation.assignee_agent_bot_id is not None and conversation.assignee_agent_bot_id in state.agent_bots:
        assignee, assignee_type = render.bot_push(state.agent_bots[conversation.assignee_agent_bot_id]), "AgentBot"
    elif conversation.assignee_id is not None and conversation.assignee_id in state.users:
        assignee = render.user_push(state.users[conversation.assignee_id], conversation.account_id)
        assignee_type = "User"
    team = state.teams.get(conversation.team_id) if conversation.team_id is not None else None
    contact_inbox = state.contact_inboxes.get(conversation.contact_inbox_id)
    return {
        "sender": render.contact_push(state.contacts[conversation.contact_id]),
        "assignee": assignee,
        "assignee_type": assignee_type,
        "team": {"id": team.id, "name": team.name} if team else None,
        "hmac_verified": contact_inbox.hmac_verified if contact_inbox else False,
    }


def conversation(state: SandboxState, found: Conversation) -> JSON:
    """`Conversations::EventDataPresenter#webhook_data`: `push_data` plus `account`, with webhook-normalised
    messages (the last message of the `chat` scope: neither activity nor private)."""
    chat = [m for m in found.messages if m.message_type != ACTIVITY and not m.private]
    messages: list[JSON] = []
    if chat:
        last = render.message_push(state, chat[-1], found)
        last["content"] = last["processed_message_content"] = webhook_content(chat[-1].content)
        messages.append(last)
    return {
        "additional_attributes": found.additional_attributes,
        "can_reply": render.can_reply(state, found, state.clock()),
        "channel": state.inboxes[found.inbox_id].channel_type,
        "contact_inbox": _contact_inbox(state, found),
        "id": found.display_id,
        "inbox_id": found.inbox_id,
        "messages": messages,
        "labels": list(found.labels),
        "meta": _meta(state, found),
        "status": found.status,
        "custom_attributes": found.custom_attributes,
        "snoozed_until": render.iso_ms(found.snoozed_until),
        "unread_count": render.unread_count(found),
        "first_reply_created_at": render.iso_ms(found.first_reply_created_at),
        "priority": found.priority,
        "waiting_since": render.to_i(found.waiting_since),
        "agent_last_seen_at": render.to_i(found.agent_last_seen_at),
        "contact_last_seen_at": render.to_i(found.contact_last_seen_at),
        "last_activity_at": int(found.last_activity_at),
        "timestamp": int(found.last_activity_at),
        "created_at": int(found.created_at),
        "updated_at": found.updated_at,
        "account": account(state, found.account_id),
    }


def message(state: SandboxState, found: Message, in_conversation: Conversation) -> JSON:
    """`Message#webhook_data`: string `message_type`, ISO `created_at`, no `status`, `echo_id` or `updated_at`;
    `attachments` only when there are some."""
    inbox = state.inboxes[found.inbox_id]
    body: JSON = {
        "account": account(state, found.account_id),
        "additional_attributes": found.additional_attributes,
        "content_attributes": found.content_attributes,
        "content_type": found.content_type,
        "content": webhook_content(found.content),
        "conversation": conversation(state, in_conversation),
        "created_at": render.iso_ms(found.created_at),
        "id": found.id,
        "inbox": {"id": inbox.id, "name": inbox.name},
        "message_type": MESSAGE_TYPE_NAMES.get(found.message_type, str(found.message_type)),
        "private": found.private,
        "sender": _sender(state, found),
        "source_id": found.source_id,
    }
    if found.attachments:
        body["attachments"] = blobs.rendered(found.attachments)
    return body
