"""JSON shapes, copied from Chatwoot's jbuilder views and `push_event_data` methods.

Each function names the view it copies. The quirks are deliberate: ints for most times but a float `updated_at`,
`0` for unset `*_last_seen_at`, ISO strings with milliseconds for `snoozed_until`, keys that are absent rather than
null (`meta.assignee`, `meta.team`, `echo_id`, `attachments`), and two different message shapes (the `_message`
partial for message endpoints, `push_event_data` inside conversations). The help center's shapes are in
`render_help_center.py`.
"""

from __future__ import annotations

import math

import chatwoot_sandbox.blobs as blobs
from chatwoot_sandbox.records import (
    INCOMING,
    AgentBot,
    CannedResponse,
    Contact,
    ContactInbox,
    Conversation,
    Inbox,
    Label,
    Message,
    Team,
    User,
)
from chatwoot_sandbox.state import SandboxState

JSON = dict[str, object]
UNREAD_CAP = 10
WHATSAPP_REPLY_WINDOW = 24 * 60 * 60


def iso_ms(timestamp: float | None) -> str | None:
    """A time as Rails serialises it in JSON: `strftime("%FT%T.%3N")` in UTC, then `Z` (`TimeWithZone#as_json`).

    It works for every year the database can hold (4714 BC to 294276 AD), which Python's datetime cannot, so the
    calendar is computed here: proleptic Gregorian, as Ruby's Time and PostgreSQL both use. Ruby's `%Y` pads the year
    to four digits and writes negative years with a sign, numbering astronomically (year 0 is 1 BC): year 18 is
    "0018", 1 BC is "0000", 2 BC is "-0001", and 10000 is "10000". `%3N` truncates to milliseconds.
    """
    if timestamp is None:
        return None
    seconds = math.floor(timestamp)
    micros = round((timestamp - seconds) * 1_000_000)  # as datetime.fromtimestamp rounds
    seconds, micros = seconds + micros // 1_000_000, micros % 1_000_000
    days, second_of_day = divmod(seconds, 86_400)
    year, month, day = _civil_from_days(days)
    hour, rest = divmod(second_of_day, 3600)
    minute, second = divmod(rest, 60)
    year_text = f"{year:04d}" if year >= 0 else f"{year:05d}"
    return f"{year_text}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{micros // 1000:03d}Z"


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of the day `days` after 1970-01-01, proleptic Gregorian, for any integer.

    Howard Hinnant's `civil_from_days`: count in 400-year eras (146097 days each) from 0000-03-01, so that the leap
    day falls at the end of each counted year.
    """
    shifted = days + 719_468
    era = shifted // 146_097
    day_of_era = shifted - era * 146_097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_index + 2) // 5 + 1
    month = month_index + 3 if month_index < 10 else month_index - 9
    return year_of_era + era * 400 + (month <= 2), month, day


def to_i(timestamp: float | None) -> int:
    """`nil.to_i` is 0: the conversation view's way of writing an unset time."""
    return int(timestamp) if timestamp is not None else 0


# -- people -----------------------------------------------------------------------------------------------------


def contact_partial(contact: Contact) -> JSON:
    """`api/v1/models/_contact`: the conversation's `meta.sender`."""
    body: JSON = {
        "additional_attributes": contact.additional_attributes,
        "availability_status": "offline",
        "email": contact.email,
        "id": contact.id,
        "name": contact.name,
        "phone_number": contact.phone_number,
        "blocked": contact.blocked,
        "identifier": contact.identifier,
        "thumbnail": "",
        "custom_attributes": contact.custom_attributes,
    }
    if contact.last_activity_at is not None:
        body["last_activity_at"] = int(contact.last_activity_at)
    body["created_at"] = int(contact.created_at)
    return body


def contact_push(contact: Contact) -> JSON:
    """`Contact#push_event_data`: a contact as a message sender and in the messages index meta."""
    return {
        "additional_attributes": contact.additional_attributes,
        "custom_attributes": contact.custom_attributes,
        "email": contact.email,
        "id": contact.id,
        "identifier": contact.identifier,
        "name": contact.name,
        "phone_number": contact.phone_number,
        "thumbnail": "",
        "blocked": contact.blocked,
        "type": "contact",
    }


def availability(user: User, account_id: int) -> str:
    membership = user.memberships.get(account_id)
    return membership.availability if membership else "offline"


def agent_partial(user: User, account_id: int) -> JSON:
    """`api/v1/models/_agent`: agents index items, `meta.assignee`, and the assignments response."""
    membership = user.memberships.get(account_id)
    return {
        "id": user.id,
        "account_id": account_id,
        "availability_status": availability(user, account_id),
        "auto_offline": membership.auto_offline if membership else True,
        "confirmed": user.confirmed,
        "email": user.email,
        "provider": "email",
        "available_name": user.available_name,
        "name": user.name,
        "role": membership.role if membership else "agent",
        "thumbnail": "",
    }


def user_push(user: User, account_id: int) -> JSON:
    """`User#push_event_data`: a user as a message sender and as the messages index `meta.assignee`."""
    return {
        "id": user.id,
        "name": user.name,
        "available_name": user.available_name,
        "avatar_url": "",
        "type": "user",
        "availability_status": availability(user, account_id),
        "thumbnail": "",
    }


def bot_push(bot: AgentBot) -> JSON:
    """`AgentBot#push_event_data`: a bot as a message sender."""
    return {"id": bot.id, "name": bot.name, "avatar_url": "", "type": "agent_bot"}


def bot_partial(bot: AgentBot) -> JSON:
    """`api/v1/models/_agent_bot` (slim): a bot as `meta.assignee` and as the assignments response."""
    return {
        "id": bot.id,
        "name": bot.name,
        "description": bot.description,
        "thumbnail": "",
        "outgoing_url": bot.outgoing_url,
        "bot_type": bot.bot_type,
    }


def team_partial(team: Team, viewer_id: int | None) -> JSON:
    """`api/v1/models/_team`: teams index items and `meta.team`; `is_member` is about the caller."""
    return {
        "id": team.id,
        "name": team.name,
        "description": team.description,
        "allow_auto_assign": team.allow_auto_assign,
        "account_id": team.account_id,
        "is_member": viewer_id in team.member_ids,
    }


def team_record(team: Team) -> JSON:
    """`render json: @team`: the raw record the assignments endpoint returns (ISO times, no `is_member`)."""
    return {
        "id": team.id,
        "name": team.name,
        "description": team.description,
        "allow_auto_assign": team.allow_auto_assign,
        "account_id": team.account_id,
        "created_at": iso_ms(team.created_at),
        "updated_at": iso_ms(team.updated_at),
    }


def profile(state: SandboxState, user: User) -> JSON:
    """`api/v1/models/_user` as served by GET /profile: the user plus every account membership."""
    first = next(iter(user.memberships.values()), None)
    return {
        "access_token": user.access_token,
        "account_id": first.account_id if first else None,
        "available_name": user.available_name,
        "avatar_url": "",
        "confirmed": user.confirmed,
        "display_name": user.display_name,
        "message_signature": user.message_signature,
        "email": user.email,
        "id": user.id,
        "inviter_id": first.inviter_id if first else None,
        "name": user.name,
        "provider": "email",
        "pubsub_token": user.pubsub_token,
        "role": first.role if first else None,
        "ui_settings": user.ui_settings,
        "uid": user.email,
        "type": None,
        "accounts": [
            {
                "id": membership.account_id,
                "name": state.accounts[membership.account_id].name,
                "status": state.accounts[membership.account_id].status,
                "active_at": iso_ms(membership.active_at),
                "role": membership.role,
                "permissions": [membership.role],
                "availability": membership.availability,
                "availability_status": membership.availability,
                "auto_offline": membership.auto_offline,
            }
            for membership in user.memberships.values()
        ],
    }


def signed_in(state: SandboxState, user: User) -> JSON:
    """`devise/_auth` as a successful sign-in renders it: the user under `data`, without the API token."""
    data = profile(state, user)
    del data["access_token"]
    return {"data": data}


# -- account resources ------------------------------------------------------------------------------------------


def inbox(inbox: Inbox) -> JSON:
    """`api/v1/models/_inbox` (the common fields, plus the channel's own from `Inbox.details`)."""
    body: JSON = {
        "id": inbox.id,
        "avatar_url": "",
        "channel_id": inbox.channel_id,
        "name": inbox.name,
        "channel_type": inbox.channel_type,
        "greeting_enabled": False,
        "greeting_message": "",
        "working_hours_enabled": False,
        "enable_email_collect": True,
        "csat_survey_enabled": inbox.channel_type == "Channel::WebWidget",
        "enable_auto_assignment": True,
        "auto_assignment_config": {},
        "out_of_office_message": "We're away right now and will reply first thing tomorrow.",
        "working_hours": [],
        "timezone": "UTC",
        "callback_webhook_url": "",
        "allow_messages_after_resolved": True,
        "lock_to_single_conversation": False,
        "sender_name_type": "friendly",
        "business_name": "Acme",
    }
    body.update(inbox.details)
    return body


def label(label: Label) -> JSON:
    """`api/v1/accounts/labels/index` items."""
    return {
        "id": label.id,
        "title": label.title,
        "description": label.description,
        "color": label.color,
        "show_on_sidebar": label.show_on_sidebar,
    }


# -- messages ---------------------------------------------------------------------------------------------------


def _sender(state: SandboxState, message: Message) -> JSON | None:
    if message.sender_id is None:
        return None
    if message.sender_type == "User" and message.sender_id in state.users:
        return user_push(state.users[message.sender_id], message.account_id)
    if message.sender_type == "Contact" and message.sender_id in state.contacts:
        return contact_push(state.contacts[message.sender_id])
    if message.sender_type == "AgentBot" and message.sender_id in state.agent_bots:
        return bot_push(state.agent_bots[message.sender_id])
    return None


def message(state: SandboxState, message: Message, conversation: Conversation) -> JSON:
    """`api/v1/models/_message`: messages index items and the create response."""
    body: JSON = {
        "id": message.id,
        "content": message.content,
        "inbox_id": message.inbox_id,
        "conversation_id": conversation.display_id,
        "message_type": message.message_type,
        "content_type": message.content_type,
        "status": message.status,
        "content_attributes": message.content_attributes,
        "created_at": int(message.created_at),
        "private": message.private,
        "source_id": message.source_id,
    }
    if message.echo_id:
        body["echo_id"] = message.echo_id
    sender = _sender(state, message)
    if sender is not None:
        body["sender"] = sender
    if message.attachments:
        body["attachments"] = blobs.rendered(message.attachments)
    return body


def conversation_attachment(state: SandboxState, message: Message, item: dict[str, object]) -> JSON:
    """`api/v1/models/_attachment` (conversations#attachments): the file, its message's time and sender, no
    content_type."""
    keys = ("id", "message_id", "thumb_url", "data_url", "file_size", "file_type", "extension", "width", "height")
    body: JSON = {key: item.get(key) for key in keys}
    body = blobs.rendered([body])[0]
    body["created_at"] = int(message.created_at)
    body["sender"] = _sender(state, message)
    return body


def unread_count(conversation: Conversation) -> int:
    """Incoming messages newer than the agent's last visit (all of them if never seen), capped at 10."""
    seen = conversation.agent_last_seen_at
    unread = [m for m in conversation.messages if m.message_type == INCOMING and (seen is None or m.created_at > seen)]
    return min(len(unread), UNREAD_CAP)


def message_push(state: SandboxState, message: Message, conversation: Conversation) -> JSON:
    """`Message#push_event_data`: every column, plus the conversation summary; used inside conversation JSON."""
    contact_inbox = state.contact_inboxes.get(conversation.contact_inbox_id)
    body: JSON = {
        "id": message.id,
        "content": message.content,
        "account_id": message.account_id,
        "inbox_id": message.inbox_id,
        "conversation_id": conversation.display_id,
        "message_type": message.message_type,
        "created_at": int(message.created_at),
        "updated_at": iso_ms(message.updated_at),
        "private": message.private,
        "status": message.status,
        "source_id": message.source_id,
        "content_type": message.content_type,
        "content_attributes": message.content_attributes,
        "sender_type": message.sender_type,
        "sender_id": message.sender_id,
        "external_source_ids": message.external_source_ids,
        "additional_attributes": message.additional_attributes,
        "processed_message_content": message.content,
        "sentiment": {},
        "conversation": {
            "assignee_id": conversation.assignee_id,
            "unread_count": unread_count(conversation),
            "last_activity_at": int(conversation.last_activity_at),
            "contact_inbox": {"source_id": contact_inbox.source_id if contact_inbox else None},
        },
    }
    if message.echo_id:
        body["echo_id"] = message.echo_id
    if message.attachments:
        body["attachments"] = blobs.rendered(message.attachments)
    sender = _sender(state, message)
    if sender is not None:
        body["sender"] = sender
    return body


# -- conversations ----------------------------------------------------------------------------------------------


def can_reply(state: SandboxState, conversation: Conversation, now: float) -> bool:
    """WhatsApp only allows free-form replies within 24 hours of the customer's last message; others always."""
    if state.inboxes[conversation.inbox_id].channel_type != "Channel::Whatsapp":
        return True
    incoming = [m.created_at for m in conversation.messages if m.message_type == INCOMING]
    return bool(incoming) and now - max(incoming) < WHATSAPP_REPLY_WINDOW


def conversation(state: SandboxState, conversation: Conversation, viewer_id: int | None, now: float) -> JSON:
    """`api/v1/conversations/partials/_conversation`: show, index/filter items, create, update."""
    inbox_record = state.inboxes[conversation.inbox_id]
    contact_inbox = state.contact_inboxes.get(conversation.contact_inbox_id)
    meta: JSON = {
        "sender": contact_partial(state.contacts[conversation.contact_id]),
        "channel": inbox_record.channel_type,
    }
    if conversation.assignee_agent_bot_id is not None and conversation.assignee_agent_bot_id in state.agent_bots:
        meta["assignee"] = bot_partial(state.agent_bots[conversation.assignee_agent_bot_id])
        meta["assignee_type"] = "AgentBot"
    elif conversation.assignee_id is not None and conversation.assignee_id in state.users:
        meta["assignee"] = agent_partial(state.users[conversation.assignee_id], conversation.account_id)
        meta["assignee_type"] = "User"
    if conversation.team_id is not None and conversation.team_id in state.teams:
        meta["team"] = team_partial(state.teams[conversation.team_id], viewer_id)
    meta["hmac_verified"] = contact_inbox.hmac_verified if contact_inbox else False

    messages = conversation.messages
    last_non_activity = next((m for m in reversed(messages) if m.message_type != 2), None)
    return {
        "meta": meta,
        "id": conversation.display_id,
        "messages": [message_push(state, messages[-1], conversation)] if messages else [],
        "account_id": conversation.account_id,
        "uuid": conversation.uuid,
        "additional_attributes": conversation.additional_attributes,
        "agent_last_seen_at": to_i(conversation.agent_last_seen_at),
        "assignee_last_seen_at": to_i(conversation.assignee_last_seen_at),
        "can_reply": can_reply(state, conversation, now),
        "contact_last_seen_at": to_i(conversation.contact_last_seen_at),
        "custom_attributes": conversation.custom_attributes,
        "inbox_id": conversation.inbox_id,
        "labels": list(conversation.labels),
        "muted": state.contacts[conversation.contact_id].blocked,
        "snoozed_until": iso_ms(conversation.snoozed_until),
        "status": conversation.status,
        "created_at": int(conversation.created_at),
        "updated_at": conversation.updated_at,
        "timestamp": int(conversation.last_activity_at),
        "first_reply_created_at": to_i(conversation.first_reply_created_at),
        "unread_count": unread_count(conversation),
        "last_non_activity_message": (
            message_push(state, last_non_activity, conversation) if last_non_activity else None
        ),
        "last_activity_at": int(conversation.last_activity_at),
        "priority": conversation.priority,
        "waiting_since": to_i(conversation.waiting_since),
        "sla_policy_id": None,
    }


def search_item(state: SandboxState, conversation: Conversation, messages: list[Message]) -> JSON:
    """`api/v1/models/_conversation`: the slim shape of /conversations/search, with only the matching messages."""
    contact = state.contacts[conversation.contact_id]
    inbox_record = state.inboxes[conversation.inbox_id]
    return {
        "id": conversation.display_id,
        "uuid": conversation.uuid,
        "created_at": int(conversation.created_at),
        "contact": {"id": contact.id, "name": contact.name},
        "inbox": {"id": inbox_record.id, "name": inbox_record.name, "channel_type": inbox_record.channel_type},
        "messages": [
            {
                "content": m.content,
                "id": m.id,
                "sender_name": _sender_name(state, m),
                "message_type": m.message_type,
                "created_at": int(m.created_at),
            }
            for m in messages
        ],
        "account_id": conversation.account_id,
    }


def _sender_name(state: SandboxState, message: Message) -> str | None:
    sender = _sender(state, message)
    name = sender.get("name") if sender else None
    return name if isinstance(name, str) else None


def messages_meta(state: SandboxState, conversation: Conversation) -> JSON:
    """`api/v1/accounts/conversations/messages/index` meta: note the ISO (not int) `*_last_seen_at` here."""
    meta: JSON = {
        "labels": list(conversation.labels),
        "additional_attributes": conversation.additional_attributes,
        "contact": contact_push(state.contacts[conversation.contact_id]),
    }
    if conversation.assignee_id is not None and conversation.assignee_id in state.users:
        meta["assignee"] = user_push(state.users[conversation.assignee_id], conversation.account_id)
    meta["agent_last_seen_at"] = iso_ms(conversation.agent_last_seen_at)
    meta["assignee_last_seen_at"] = iso_ms(conversation.assignee_last_seen_at)
    return meta


def contact_inbox(state: SandboxState, contact_inbox: ContactInbox) -> JSON:
    """An item of a contact's `contact_inboxes`: `{source_id, inbox: api/v1/models/_inbox_slim}`."""
    found = state.inboxes[contact_inbox.inbox_id]
    return {
        "source_id": contact_inbox.source_id,
        "inbox": {
            "id": found.id,
            "avatar_url": "",
            "channel_id": found.channel_id,
            "name": found.name,
            "channel_type": found.channel_type,
            "provider": None,
        },
    }


def contact(state: SandboxState, contact: Contact, *, with_contact_inboxes: bool = True) -> JSON:
    """`api/v1/models/_contact` as the /contacts endpoints render it: with `contact_inboxes` unless turned off."""
    body = contact_partial(contact)
    if with_contact_inboxes:
        body["contact_inboxes"] = [
            contact_inbox(state, ci) for ci in state.contact_inboxes.values() if ci.contact_id == contact.id
        ]
    return body


def canned_response(canned: CannedResponse) -> JSON:
    """`render json: @canned_response`: ActiveRecord's as_json in column order, ISO times, placeholders unrendered."""
    return {
        "id": canned.id,
        "account_id": canned.account_id,
        "short_code": canned.short_code,
        "content": canned.content,
        "created_at": iso_ms(canned.created_at),
        "updated_at": iso_ms(canned.updated_at),
    }
