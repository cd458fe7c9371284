"""Conversations: list, count, search, filter, create, read, update, change status, assign, list their files."""

from __future__ import annotations

import re
import uuid

from starlette.responses import Response

import chatwoot_sandbox.actions as actions
import chatwoot_sandbox.filters as filters
import chatwoot_sandbox.render as render
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import NOT_AUTHORIZED, ServerError, not_found, unauthorized, unprocessable
from chatwoot_sandbox.finders import (
    Counts,
    find_conversations,
    kaminari_page,
    paginate,
    ruby_to_i,
    sort_conversations,
    visible_conversations,
)
from chatwoot_sandbox.records import CONVERSATION_STATUSES, MESSAGE_TYPES, PRIORITIES, ContactInbox, Conversation, User
from chatwoot_sandbox.routes.common import conversation_json, ok
from chatwoot_sandbox.webhooks import conversation_save, emit

_STRPTIME_SECONDS = re.compile(r"-?[0-9]+")
# PostgreSQL's `timestamp` runs from 4714-11-24 BC 00:00 (Julian day 0) up to, not including, 294277-01-01 AD.
PG_TIMESTAMP_MIN = -210_866_803_200
PG_TIMESTAMP_END = 9_224_318_016_000


def _caller_user_id(ctx: Context) -> int:
    """The user the list endpoints count `mine` for (bots never reach them)."""
    assert ctx.actor.user is not None
    return ctx.actor.user.id


def _enum(value: object, allowed: tuple[str, ...]) -> str:
    """Rails enum assignment: a known name, or ArgumentError (500)."""
    if isinstance(value, str) and value in allowed:
        return value
    raise ServerError(f"'{value}' is not a valid value")


def _priority(value: object) -> str | None:
    """A priority as the enum casts it: blank is nil, anything but low/medium/high/urgent is a 500 (even "none")."""
    if value is None or value == "":
        return None
    return _enum(value, PRIORITIES)


def _given(value: object) -> bool:
    """Ruby's truthiness of a param (`if params[:x]`): only nil and false are false; "" and 0 are true."""
    return value is not None and value is not False


def _unix_seconds(value: object) -> int:
    """`DateTime.strptime(value.to_s, '%s')`: an optional `-` and ASCII digits at the start, or Date::Error (500).

    Ruby's `%s` reads any number of digits (a Bignum) and strptime ignores whatever follows them, so "1.5" is 1 and
    "1796112000abc" is 1796112000, while "+1", " 1", "" and "tomorrow" are errors. Whether a huge value can be
    stored is `_storable`'s question.
    """
    match = _STRPTIME_SECONDS.match(_ruby_to_s(value))
    if match is None:
        raise ServerError(f"invalid date: {value!r}")
    if len(match.group()) > 30:  # far outside the database's range; and Python will not read 4300+ digits
        return -(10**30) if match.group().startswith("-") else 10**30
    return int(match.group())


def _ruby_to_s(value: object) -> str:
    """`to_s` of a JSON param, as far as strptime can tell (hashes and arrays never start with a digit)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)  # switches to an exponent (1e+16, 1e-05) exactly where Ruby's Float#to_s does
    return str(value) if isinstance(value, int | str) else ""


def _storable(seconds: int) -> float:
    """A time the database can hold, or the 500 of its `date/time field value out of range` error.

    Ruby holds any year, but PostgreSQL's `timestamp` stops at 4714 BC and 294276 AD: `save!` fails (and its
    transaction rolls back, so nothing is stored) with an error Chatwoot does not rescue.
    """
    if not PG_TIMESTAMP_MIN <= seconds < PG_TIMESTAMP_END:
        raise ServerError(f"PG::DatetimeFieldOverflow: timestamp out of range: {seconds}")
    return float(seconds)


# -- conversation collection ------------------------------------------------------------------------------------


def list_conversations(ctx: Context) -> Response:
    """conversations#index: `{"data": {"meta": 4 counts, "payload": [...]}}`."""
    result = find_conversations(ctx.state, ctx.account_id, _caller_user_id(ctx), ctx.query)
    payload = [conversation_json(ctx, c) for c in result.conversations]
    return ok({"data": {"meta": result.counts.as_json(), "payload": payload}})


def conversations_meta(ctx: Context) -> Response:
    """conversations#meta: the four counts only, without the `data` wrapper."""
    result = find_conversations(ctx.state, ctx.account_id, _caller_user_id(ctx), ctx.query)
    return ok({"meta": result.counts.as_json()})


def search_conversations(ctx: Context) -> Response:
    """conversations#search: three counts and the slim search items with the matching messages."""
    result = find_conversations(ctx.state, ctx.account_id, _caller_user_id(ctx), ctx.query)
    payload = [
        render.search_item(ctx.state, c, result.matched_messages.get(c.id, c.messages)) for c in result.conversations
    ]
    return ok({"meta": result.counts.as_json_without_assigned(), "payload": payload})


def filter_conversations(ctx: Context) -> Response:
    """conversations#filter: validated conditions, 25 per page by last activity, three counts, no `data` wrapper."""
    conditions = filters.parse_payload(ctx.body)
    filters.validate(ctx.state, ctx.account_id, conditions)
    user_id = _caller_user_id(ctx)
    matching = filters.apply(visible_conversations(ctx.state, ctx.account_id, user_id), conditions, ctx.now)
    counts = Counts.of(matching, user_id)
    page = paginate(sort_conversations(matching, None), kaminari_page(ctx.query.get("page")))
    return ok({"meta": counts.as_json_without_assigned(), "payload": [conversation_json(ctx, c) for c in page]})


def create_conversation(ctx: Context) -> Response:
    """conversations#create (`ConversationBuilder`): find or build the contact inbox, then the conversation."""
    state = ctx.state
    contact_inbox = _contact_inbox_for_create(ctx)
    inbox = state.inboxes[contact_inbox.inbox_id]
    contact = state.contacts[contact_inbox.contact_id]
    user = ctx.actor.user
    if user is not None and user.role_in(ctx.account_id) != "administrator" and user.id not in inbox.member_ids:
        raise unauthorized(NOT_AUTHORIZED)

    if ctx.param("status") not in (None, ""):
        status = _enum(ctx.param("status"), CONVERSATION_STATUSES)
    elif contact.blocked:
        status = "resolved"
    elif inbox.agent_bot_id is not None:
        status = "pending"
    else:
        status = "open"
    assignee = _account_user(ctx, ctx.param("assignee_id"))
    team = state.teams.get(ruby_to_i(ctx.param("team_id"))) if ctx.param("team_id") is not None else None
    if team is not None and team.account_id != ctx.account_id:
        team = None
    custom_attributes = ctx.param("custom_attributes")
    additional_attributes = ctx.param("additional_attributes")
    now = ctx.now
    conversation = Conversation(
        id=state.next_id(state.conversations),
        display_id=max((c.display_id for c in state.account_conversations(ctx.account_id)), default=0) + 1,
        account_id=ctx.account_id,
        inbox_id=inbox.id,
        contact_id=contact.id,
        contact_inbox_id=contact_inbox.id,
        uuid=str(uuid.uuid4()),
        created_at=now,
        updated_at=now,
        last_activity_at=now,
        status=status,
        assignee_id=assignee.id if assignee else None,
        team_id=team.id if team else None,
        custom_attributes=custom_attributes if isinstance(custom_attributes, dict) else {},
        additional_attributes=additional_attributes if isinstance(additional_attributes, dict) else {},
    )
    if status == "snoozed" and _given(ctx.param("snoozed_until")):
        conversation.snoozed_until = _storable(_unix_seconds(ctx.param("snoozed_until")))
    if team is not None:
        actions.apply_team_rules(state, conversation, team)
    state.conversations[conversation.id] = conversation
    emit(state, "conversation_created", conversation)
    message = ctx.param("message")
    if isinstance(message, dict) and message.get("content") is not None:
        actions.add_message(
            state,
            conversation,
            content=str(message["content"]),
            message_type=MESSAGE_TYPES["outgoing"],
            sender=ctx.actor.sender,
        )
    return ok(conversation_json(ctx, conversation))


def _contact_inbox_for_create(ctx: Context) -> ContactInbox:
    state = ctx.state
    source_id = ctx.param("source_id")
    source_id = str(source_id) if source_id not in (None, "") else None
    if ctx.param("inbox_id") is not None and ctx.param("contact_id") is not None:
        inbox = state.inboxes.get(ruby_to_i(ctx.param("inbox_id")))
        contact = state.contacts.get(ruby_to_i(ctx.param("contact_id")))
        if (
            inbox is None
            or inbox.account_id != ctx.account_id
            or contact is None
            or contact.account_id != ctx.account_id
        ):
            raise not_found()
        for existing in state.contact_inboxes.values():
            if existing.inbox_id != inbox.id:
                continue
            if source_id is not None and existing.source_id == source_id:
                if existing.contact_id != contact.id:
                    raise unprocessable("source_id should be unique")
                return existing
            if source_id is None and existing.contact_id == contact.id:
                return existing
        created = ContactInbox(
            id=state.next_id(state.contact_inboxes),
            contact_id=contact.id,
            inbox_id=inbox.id,
            source_id=source_id or str(uuid.uuid4()),
        )
        state.contact_inboxes[created.id] = created
        return created
    for existing in state.contact_inboxes.values():
        in_account = state.inboxes[existing.inbox_id].account_id == ctx.account_id
        if source_id is not None and existing.source_id == source_id and in_account:
            return existing
    raise not_found()


def _account_user(ctx: Context, raw_id: object) -> User | None:
    if raw_id is None:
        return None
    user = ctx.state.users.get(ruby_to_i(raw_id))
    return user if user is not None and ctx.account_id in user.memberships else None


# -- one conversation -------------------------------------------------------------------------------------------


def show_conversation(ctx: Context) -> Response:
    """conversations#show."""
    return ok(conversation_json(ctx, ctx.conversation()))


def update_conversation(ctx: Context) -> Response:
    """conversations#update: only `priority` is permitted; every other key is silently dropped."""
    conversation = ctx.conversation()
    if ctx.has("priority"):
        actions.set_priority(ctx.state, conversation, _priority(ctx.param("priority")), ctx.actor)
    return ok(conversation_json(ctx, conversation))


def toggle_status(ctx: Context) -> Response:
    """conversations#toggle_status: set or toggle the status; an agent who (re)opens a conversation takes it."""
    conversation = ctx.conversation()
    status = ctx.param("status")
    success: bool | None = True
    if ctx.actor.bot is not None and conversation.status == "pending" and status == "open":
        # Bot handoff: `bot_handoff!` is not `save!`, so the controller's @status stays nil.
        actions.change_status(ctx.state, conversation, "open", ctx.actor)
        success = None
    elif status not in (None, ""):
        new_status = _enum(status, CONVERSATION_STATUSES)
        with conversation_save(ctx.state, conversation):  # one `save!` of status and snoozed_until
            if _given(ctx.param("snoozed_until")):
                until = _unix_seconds(ctx.param("snoozed_until"))
                # Parsed whatever the status, but only a snooze keeps it: `before_save` clears it otherwise, and so
                # only a snooze writes it to the database, which refuses a time outside its range.
                if new_status == "snoozed":
                    conversation.snoozed_until = _storable(until)
            actions.change_status(ctx.state, conversation, new_status, ctx.actor)
    else:
        actions.change_status(
            ctx.state, conversation, "resolved" if conversation.status == "open" else "open", ctx.actor
        )
    user = ctx.actor.user
    if conversation.status == "open" and user is not None and user.role_in(ctx.account_id) == "agent":
        actions.assign_agent(ctx.state, conversation, user, ctx.actor)
    return ok(
        {
            "meta": {},
            "payload": {
                "success": success,
                "conversation_id": conversation.display_id,
                "current_status": conversation.status,
                "snoozed_until": render.iso_ms(conversation.snoozed_until),
            },
        }
    )


def toggle_priority(ctx: Context) -> Response:
    """conversations#toggle_priority: sets the given priority, clears it when absent or blank; empty 200."""
    conversation = ctx.conversation()
    actions.set_priority(ctx.state, conversation, _priority(ctx.param("priority")), ctx.actor)
    return Response(status_code=200)


def update_custom_attributes(ctx: Context) -> Response:
    """conversations#custom_attributes: replaces the whole hash (a missing key stores null)."""
    conversation = ctx.conversation()
    value = ctx.param("custom_attributes")
    with conversation_save(ctx.state, conversation):
        conversation.custom_attributes = value if isinstance(value, dict) else None
        actions.touch(ctx.state, conversation)
    return ok({"custom_attributes": conversation.custom_attributes})


def create_assignment(ctx: Context) -> Response:
    """conversations/assignments#create: the `assignee_id` key wins over `team_id`; unknown ids unassign."""
    conversation = ctx.conversation()
    state = ctx.state
    if ctx.param("assignee_type") == "AgentBot":
        bot = state.agent_bots.get(ruby_to_i(ctx.param("assignee_id")))
        if bot is None or bot.account_id != ctx.account_id:
            return ok(None)
        actions.assign_bot(state, conversation, bot, ctx.actor)
        return ok(render.bot_partial(bot))
    if ctx.has("assignee_id"):
        agent = _account_user(ctx, ctx.param("assignee_id"))
        actions.assign_agent(state, conversation, agent, ctx.actor)
        return ok(render.agent_partial(agent, ctx.account_id) if agent else None)
    if ctx.has("team_id"):
        team = state.teams.get(ruby_to_i(ctx.param("team_id"))) if ctx.param("team_id") is not None else None
        if team is not None and team.account_id != ctx.account_id:
            team = None
        actions.assign_team(state, conversation, team, ctx.actor)
        return ok(render.team_record(team) if team else None)
    return ok(None)


ATTACHMENTS_PER_PAGE = 100


def list_conversation_attachments(ctx: Context) -> Response:
    """conversations#attachments: the conversation's files, newest message first, 100 a page, with a total."""
    conversation = ctx.conversation()
    items = [
        (message, item)
        for message in sorted(conversation.messages, key=lambda m: (m.created_at, m.id), reverse=True)
        for item in message.attachments
    ]
    page = paginate(items, kaminari_page(ctx.query.get("page")), ATTACHMENTS_PER_PAGE)
    return ok(
        {
            "meta": {"total_count": len(items)},
            "payload": [render.conversation_attachment(ctx.state, message, item) for message, item in page],
        }
    )
