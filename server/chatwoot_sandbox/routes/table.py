"""The endpoints: one function per controller action, and the table that routes to them.

Each handler receives a `Context` (already authenticated and account-checked) and returns a response; the server's
error cases are raised as `ApiError`/`ServerError`. The comments name the Rails controller action being copied.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse, Response

import chatwoot_sandbox.actions as actions
import chatwoot_sandbox.contact_filters as contact_filters
import chatwoot_sandbox.filters as filters
import chatwoot_sandbox.liquid as liquid
import chatwoot_sandbox.render as render
import chatwoot_sandbox.render_help_center as render_help_center
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import NOT_AUTHORIZED, ServerError, not_found, unauthorized, unprocessable
from chatwoot_sandbox.finders import (
    ARTICLES_PER_PAGE,
    CONTACT_CONVERSATIONS_LIMIT,
    CONTACTS_PER_PAGE,
    SEARCH_ARTICLES_PER_PAGE,
    Counts,
    account_contacts,
    find_conversations,
    find_messages,
    ilike,
    ilike_starts,
    kaminari_page,
    paginate,
    ruby_to_i,
    search_contacts,
    sort_contacts,
    sort_conversations,
    split_labels,
    text_search,
    visible_conversations,
)
from chatwoot_sandbox.records import (
    CONTENT_TYPES,
    CONVERSATION_STATUSES,
    INCOMING,
    MESSAGE_TYPES,
    OUTGOING,
    PRIORITIES,
    TEMPLATE,
    Article,
    CannedResponse,
    Contact,
    ContactInbox,
    Conversation,
    Portal,
    User,
)

MAX_CONTENT_LENGTH = 150_000
_FALSE_STRINGS = {"", "0", "f", "false", "off", "F", "FALSE", "OFF"}
_STRPTIME_SECONDS = re.compile(r"-?[0-9]+")
# PostgreSQL's `timestamp` runs from 4714-11-24 BC 00:00 (Julian day 0) up to, not including, 294277-01-01 AD.
PG_TIMESTAMP_MIN = -210_866_803_200
PG_TIMESTAMP_END = 9_224_318_016_000

Handler = Callable[[Context], Response]


@dataclass(frozen=True)
class Endpoint:
    methods: tuple[str, ...]
    path: str
    handler: Handler
    bots_allowed: bool = False
    """Whether an AgentBot token may call it (`BOT_ACCESSIBLE_ENDPOINTS`)."""


def ok(body: object) -> Response:
    return JSONResponse(body)


def _conversation_json(ctx: Context, conversation: Conversation) -> dict[str, object]:
    return render.conversation(ctx.state, conversation, ctx.actor.user_id, ctx.now)


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


def _boolean(value: object) -> bool:
    """ActiveModel's boolean cast."""
    if value is None or value is False or value == 0:
        return False
    return not (isinstance(value, str) and value in _FALSE_STRINGS)


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


# -- profile and account resources ------------------------------------------------------------------------------


def show_profile(ctx: Context) -> Response:
    """profiles#show."""
    assert ctx.actor.user is not None
    return ok(render.profile(ctx.state, ctx.actor.user))


def list_agents(ctx: Context) -> Response:
    """agents#index: a bare JSON array, ordered by name."""
    users = sorted(ctx.state.account_users(ctx.account_id), key=lambda u: u.name.lower())
    return ok([render.agent_partial(u, ctx.account_id) for u in users])


def list_teams(ctx: Context) -> Response:
    """teams#index: a bare JSON array; `is_member` is about the caller."""
    return ok([render.team_partial(t, ctx.actor.user_id) for t in ctx.state.account_teams(ctx.account_id)])


def list_inboxes(ctx: Context) -> Response:
    """inboxes#index: `{"payload": [...]}`; agents see only the inboxes they are members of."""
    user = ctx.actor.user
    inboxes = [
        i
        for i in ctx.state.account_inboxes(ctx.account_id)
        if user is None or user.role_in(ctx.account_id) == "administrator" or user.id in i.member_ids
    ]
    return ok({"payload": [render.inbox(i) for i in inboxes]})


def list_labels(ctx: Context) -> Response:
    """labels#index: `{"payload": [...]}`."""
    return ok({"payload": [render.label(label) for label in ctx.state.account_labels(ctx.account_id)]})


# -- conversation collection ------------------------------------------------------------------------------------


def list_conversations(ctx: Context) -> Response:
    """conversations#index: `{"data": {"meta": 4 counts, "payload": [...]}}`."""
    result = find_conversations(ctx.state, ctx.account_id, _caller_user_id(ctx), ctx.query)
    payload = [_conversation_json(ctx, c) for c in result.conversations]
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
    return ok({"meta": counts.as_json_without_assigned(), "payload": [_conversation_json(ctx, c) for c in page]})


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
    message = ctx.param("message")
    if isinstance(message, dict) and message.get("content") is not None:
        actions.add_message(
            state,
            conversation,
            content=str(message["content"]),
            message_type=MESSAGE_TYPES["outgoing"],
            sender=ctx.actor.sender,
        )
    return ok(_conversation_json(ctx, conversation))


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
    return ok(_conversation_json(ctx, ctx.conversation()))


def update_conversation(ctx: Context) -> Response:
    """conversations#update: only `priority` is permitted; every other key is silently dropped."""
    conversation = ctx.conversation()
    if ctx.has("priority"):
        actions.set_priority(ctx.state, conversation, _priority(ctx.param("priority")), ctx.actor)
    return ok(_conversation_json(ctx, conversation))


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


def list_conversation_labels(ctx: Context) -> Response:
    """conversations/labels#index."""
    return ok({"payload": list(ctx.conversation().labels)})


def replace_conversation_labels(ctx: Context) -> Response:
    """conversations/labels#create: REPLACES the label set; a missing or empty `labels` clears it."""
    conversation = ctx.conversation()
    raw = ctx.param("labels")
    values = [str(v) for v in raw if v is not None] if isinstance(raw, list) else [] if raw is None else [str(raw)]
    actions.replace_labels(ctx.state, conversation, split_labels(values), ctx.actor)
    return ok({"payload": list(conversation.labels)})


def list_messages(ctx: Context) -> Response:
    """conversations/messages#index: meta about the conversation, and a page of messages (see `find_messages`)."""
    conversation = ctx.conversation()
    messages = find_messages(conversation, ctx.query)
    return ok(
        {
            "meta": render.messages_meta(ctx.state, conversation),
            "payload": [render.message(ctx.state, m, conversation) for m in messages],
        }
    )


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


def create_message(ctx: Context) -> Response:
    """conversations/messages#create (`MessageBuilder`): every failure is a 422 `{"error": message}`."""
    conversation = ctx.conversation()
    inbox = ctx.state.inboxes[conversation.inbox_id]
    message_type = ctx.param("message_type") or "outgoing"
    if message_type == "incoming" and inbox.channel_type != "Channel::Api":
        raise unprocessable("Incoming messages are only allowed in Api inboxes")
    if not isinstance(message_type, str) or message_type not in MESSAGE_TYPES:
        raise unprocessable(f"'{message_type}' is not a valid message_type")
    content_type = ctx.param("content_type") or "text"
    if not isinstance(content_type, str) or content_type not in CONTENT_TYPES:
        raise unprocessable(f"'{content_type}' is not a valid content_type")
    raw_content = ctx.param("content")
    content = None if raw_content is None else str(raw_content)
    if content is not None and len(content) > MAX_CONTENT_LENGTH:
        raise unprocessable(f"Validation failed: Content is too long (maximum is {MAX_CONTENT_LENGTH} characters)")
    type_code = MESSAGE_TYPES[message_type]
    if content and type_code in (OUTGOING, TEMPLATE):
        # Liquidable#process_liquid_in_content: the server fills in {{contact.name}} & co. (see liquid.py).
        content = liquid.render(ctx.state, conversation, content, ctx.actor.user_id)
    if type_code == INCOMING:
        sender: tuple[str, int] | None = ("Contact", conversation.contact_id)
    elif message_type == "activity":
        sender = None
    else:
        sender = ctx.actor.sender
    echo_id = ctx.param("echo_id")
    source_id = ctx.param("source_id")
    message = actions.add_message(
        ctx.state,
        conversation,
        content=content,
        message_type=type_code,
        sender=sender,
        private=_boolean(ctx.param("private")),
        content_type=content_type,
        content_attributes=_content_attributes(ctx.param("content_attributes")),
        echo_id=str(echo_id) if echo_id not in (None, "") else None,
        source_id=str(source_id) if source_id not in (None, "") else None,
    )
    return ok(render.message(ctx.state, message, conversation))


def _content_attributes(value: object) -> dict[str, object]:
    """`content_attributes` may come as an object or as a JSON string holding one."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


# -- contacts ---------------------------------------------------------------------------------------------------


def _current_page(ctx: Context) -> object:
    """`params[:page] || 1`: the raw string when `page` was sent, else the integer 1."""
    page = ctx.param("page")
    return page if page is not None else 1


def _with_contact_inboxes(ctx: Context) -> bool:
    """`include_contact_inboxes`: on when absent; when present, only the exact string "true" keeps it on."""
    return not ctx.has("include_contact_inboxes") or ctx.param("include_contact_inboxes") in ("true", True)


def _contacts_json(ctx: Context, contacts: list[Contact]) -> list[object]:
    inboxes = _with_contact_inboxes(ctx)
    return [render.contact(ctx.state, c, with_contact_inboxes=inboxes) for c in contacts]


def _sort_param(ctx: Context) -> str | None:
    sort = ctx.param("sort")
    return sort if isinstance(sort, str) else None


def _resolved_contacts(ctx: Context) -> list[Contact]:
    return [c for c in account_contacts(ctx.state, ctx.account_id) if c.resolved]


def list_contacts(ctx: Context) -> Response:
    """contacts#index: resolved contacts only, 15 per page, `meta.count` the total; `labels` is any-of."""
    contacts = _resolved_contacts(ctx)
    wanted = split_labels(
        [str(v) for v in ctx.query.getlist("labels[]")] + [str(v) for v in ctx.query.getlist("labels")]
    )
    if wanted:
        lowered = {w.lower() for w in wanted}
        contacts = [c for c in contacts if any(label.lower() in lowered for label in c.labels)]
    contacts = sort_contacts(contacts, _sort_param(ctx))
    page = paginate(contacts, kaminari_page(ctx.param("page")), CONTACTS_PER_PAGE)
    meta = {"count": len(contacts), "current_page": _current_page(ctx)}
    return ok({"meta": meta, "payload": _contacts_json(ctx, page)})


def search_contacts_endpoint(ctx: Context) -> Response:
    """contacts#search (≥4.11): all contacts; 15 per page by offset; `meta.count` is this page's rows + has_more."""
    raw_q = ctx.param("q")
    q = str(raw_q).strip() if raw_q is not None else ""
    if not q:
        if ctx.state.blank_contact_search_is_422:
            raise unprocessable("Specify search string with parameter q")
        return ok({"meta": {"count": None, "current_page": 1, "has_more": None}, "payload": []})
    page = ruby_to_i(ctx.param("page")) if ctx.has("page") else 1
    if page < 1:
        raise ServerError("PG::InvalidRowCountInResultOffsetClause: OFFSET must not be negative")
    found = sort_contacts(search_contacts(account_contacts(ctx.state, ctx.account_id), q), _sort_param(ctx))
    rows = found[(page - 1) * CONTACTS_PER_PAGE : page * CONTACTS_PER_PAGE + 1]
    shown = rows[:CONTACTS_PER_PAGE]
    meta = {"count": len(shown), "current_page": _current_page(ctx), "has_more": len(rows) > CONTACTS_PER_PAGE}
    return ok({"meta": meta, "payload": _contacts_json(ctx, shown)})


def filter_contacts(ctx: Context) -> Response:
    """contacts#filter: validated conditions over resolved contacts, 15 per page, `meta.count` the total."""
    conditions = contact_filters.parse_payload(ctx.body)
    contact_filters.validate(ctx.state, ctx.account_id, conditions)
    matching = contact_filters.apply(_resolved_contacts(ctx), conditions, ctx.now)
    matching = sort_contacts(matching, _sort_param(ctx))
    page = paginate(matching, kaminari_page(ctx.param("page")), CONTACTS_PER_PAGE)
    meta = {"count": len(matching), "current_page": _current_page(ctx)}
    return ok({"meta": meta, "payload": _contacts_json(ctx, page)})


def _contact(ctx: Context) -> Contact:
    """`Current.account.contacts.find(id)`: 404 for an unknown id or another account's contact. No policy check."""
    found = ctx.state.contacts.get(ruby_to_i(ctx.path_params["contact_id"]))
    if found is None or found.account_id != ctx.account_id:
        raise not_found()
    return found


def show_contact(ctx: Context) -> Response:
    """contacts#show: `{"payload": contact}`; any member may read any contact."""
    return ok({"payload": render.contact(ctx.state, _contact(ctx), with_contact_inboxes=_with_contact_inboxes(ctx))})


def contact_conversations(ctx: Context) -> Response:
    """contacts/conversations#index: at most 20 by last activity, no meta, `page` ignored.

    Agents see only conversations in inboxes they are members of (team membership does not count here).
    """
    contact = _contact(ctx)
    conversations = [c for c in ctx.state.account_conversations(ctx.account_id) if c.contact_id == contact.id]
    user = ctx.actor.user
    if user is not None and user.role_in(ctx.account_id) != "administrator":
        conversations = [c for c in conversations if user.id in ctx.state.inboxes[c.inbox_id].member_ids]
    conversations.sort(key=lambda c: c.last_activity_at, reverse=True)
    return ok({"payload": [_conversation_json(ctx, c) for c in conversations[:CONTACT_CONVERSATIONS_LIMIT]]})


def list_contact_labels(ctx: Context) -> Response:
    """contacts/labels#index."""
    return ok({"payload": list(_contact(ctx).labels)})


def replace_contact_labels(ctx: Context) -> Response:
    """contacts/labels#create: REPLACES the set; missing or empty `labels` clears it; labels are not validated."""
    contact = _contact(ctx)
    raw = ctx.param("labels")
    values = [str(v) for v in raw if v is not None] if isinstance(raw, list) else [] if raw is None else [str(raw)]
    contact.labels = split_labels(values)
    return ok({"payload": list(contact.labels)})


# -- participants (watchers) -----------------------------------------------------------------------------------


def _participants_json(ctx: Context, user_ids: list[int]) -> list[object]:
    return [render.agent_partial(ctx.state.users[i], ctx.account_id) for i in user_ids]


def _user_ids(ctx: Context) -> list[object]:
    """`params[:user_ids]`; missing is `nil - [...]` on the server, a NoMethodError (500)."""
    raw = ctx.param("user_ids")
    if not isinstance(raw, list):
        raise ServerError("undefined method `-' for nil")
    return raw


def _assignable(ctx: Context, conversation: Conversation, user_id: int) -> bool:
    """`inbox.assignable_agents`: the inbox's members and the account's administrators (teams do not count)."""
    user = ctx.state.users[user_id]
    role = user.role_in(ctx.account_id)
    return role == "administrator" or (
        role is not None and user_id in ctx.state.inboxes[conversation.inbox_id].member_ids
    )


def _known_user_id(ctx: Context, value: object) -> int | None:
    """An id as Ruby compares it: only a JSON integer can equal a user id (a string never does)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def list_participants(ctx: Context) -> Response:
    """conversations/participants#show: a bare array of agents."""
    conversation = ctx.conversation()
    return ok(_participants_json(ctx, conversation.participant_ids))


def add_participants(ctx: Context) -> Response:
    """conversations/participants#create: `find_or_create_by` each id not yet present; answers only those ids.

    An id that fails validation (not an inbox member or administrator) is not saved but still echoed back; an id
    of no user renders a nil user, a 500. "Not yet present" is Ruby's `Array#-`, so a string id ("5") is always
    new: it is echoed even when that agent already watches (find_or_create_by casts it and finds the record).
    """
    conversation = ctx.conversation()
    new: list[int] = []
    for value in _user_ids(ctx):
        exact = _known_user_id(ctx, value)
        user_id = exact if exact is not None else _cast_id(value)
        if user_id is None or user_id not in ctx.state.users:
            raise ServerError("undefined method for nil (no such user)")
        if exact is not None and (user_id in conversation.participant_ids or user_id in new):
            continue
        new.append(user_id)
    for user_id in new:
        if user_id not in conversation.participant_ids and _assignable(ctx, conversation, user_id):
            conversation.participant_ids.append(user_id)
    return ok(_participants_json(ctx, new))


def _cast_id(value: object) -> int | None:
    """ActiveRecord's integer cast of a non-integer id: a numeric string is its number, anything else nil."""
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value.strip())
    return None


def replace_participants(ctx: Context) -> Response:
    """conversations/participants#update: REPLACE the set with `user_ids`; answers the full list."""
    conversation = ctx.conversation()
    wanted = [_known_user_id(ctx, v) for v in _user_ids(ctx)]
    keep = [i for i in conversation.participant_ids if i in wanted]
    for user_id in wanted:
        if user_id is None or user_id not in ctx.state.users:
            raise ServerError("undefined method for nil (no such user)")
        if user_id not in keep and _assignable(ctx, conversation, user_id):
            keep.append(user_id)
    conversation.participant_ids = keep
    return ok(_participants_json(ctx, keep))


def remove_participants(ctx: Context) -> Response:
    """conversations/participants#destroy: remove those ids (unknown ones ignored); 200 with an empty body."""
    conversation = ctx.conversation()
    unwanted = {_known_user_id(ctx, v) for v in _user_ids(ctx)}
    conversation.participant_ids = [i for i in conversation.participant_ids if i not in unwanted]
    return Response(status_code=200)


# -- canned responses -------------------------------------------------------------------------------------------


def _canned_relevance(canned: CannedResponse, search: str) -> float:
    """canned_responses#index's ORDER BY CASE: short_code starts with > short_code contains > content contains."""
    if ilike_starts(search, canned.short_code):
        return 1.0
    if ilike(search, canned.short_code):
        return 0.5
    return 0.2


def list_canned_responses(ctx: Context) -> Response:
    """canned_responses#index: a bare array, unpaginated, no role check; `search` (not `q`) on short_code/content."""
    canned = [c for c in ctx.state.canned_responses.values() if c.account_id == ctx.account_id]
    search = ctx.param("search")
    if search is not None:
        text = str(search)
        canned = [c for c in canned if ilike(text, c.short_code) or ilike(text, c.content)]
        canned.sort(key=lambda c: _canned_relevance(c, text), reverse=True)
    return ok([render.canned_response(c) for c in canned])


# -- help center ------------------------------------------------------------------------------------------------


def _is_admin(ctx: Context) -> bool:
    user = ctx.actor.user
    return user is not None and user.role_in(ctx.account_id) == "administrator"


def _portal(ctx: Context) -> Portal | None:
    slug = ctx.path_params["portal_slug"]
    return next((p for p in ctx.state.portals.values() if p.account_id == ctx.account_id and p.slug == slug), None)


def list_portals(ctx: Context) -> Response:
    """portals#index: every portal (archived too), unpaginated; the per-portal article counts are 0/null here."""
    portals = sorted((p for p in ctx.state.portals.values() if p.account_id == ctx.account_id), key=lambda p: p.id)
    return ok(
        {
            "payload": [render_help_center.portal(ctx.state, p, with_counts=False) for p in portals],
            "meta": {"current_page": 1, "portals_count": len(portals)},
        }
    )


def show_portal(ctx: Context) -> Response:
    """portals#show: real counts. An unknown slug is `nil.articles` (find_by, not find_by!): a 500, not a 404."""
    portal = _portal(ctx)
    if portal is None:
        raise ServerError("undefined method `articles' for nil")
    return ok(render_help_center.portal(ctx.state, portal, with_counts=True))


def _portal_or_404(ctx: Context) -> Portal:
    portal = _portal(ctx)
    if portal is None:
        raise not_found()
    return portal


def list_articles(ctx: Context) -> Response:
    """articles#index: any member; filters, 25 per page by updated_at DESC (position ASC with a category), even
    when searching; the meta counts ignore the status and author filters."""
    portal = _portal_or_404(ctx)
    everything = [a for a in ctx.state.articles.values() if a.portal_id == portal.id]
    articles = list(everything)
    locale = ctx.param("locale")
    if locale:
        articles = [a for a in articles if a.locale == locale]
    category_slug = ctx.param("category_slug")
    if category_slug:
        wanted = {c.id for c in ctx.state.categories.values() if c.portal_id == portal.id and c.slug == category_slug}
        articles = [a for a in articles if a.category_id in wanted]
    counted = list(articles)
    query = ctx.param("query")
    if query:
        articles = text_search(articles, str(query))
    status = ctx.param("status")
    if status:
        articles = [a for a in articles if a.status == status]
    author_id = ctx.param("author_id")
    if author_id:
        articles = [a for a in articles if a.author_id == ruby_to_i(author_id)]
    if category_slug:
        articles.sort(key=lambda a: a.position)
    else:
        articles.sort(key=lambda a: a.updated_at, reverse=True)
    page = paginate(articles, kaminari_page(ctx.param("page")), ARTICLES_PER_PAGE)
    # `mine_articles_count` is left out: the view adds it only when devise's `current_user` is set, which token
    # auth probably leaves nil (chatwoot-api-contacts.md §6 calls it unverified; we follow the code's reading).
    meta = {
        "all_articles_count": len(everything),
        "archived_articles_count": sum(a.status == "archived" for a in counted),
        "articles_count": len(counted),
        "current_page": _current_page(ctx),
        "draft_articles_count": sum(a.status == "draft" for a in counted),
        "published_count": sum(a.status == "published" for a in counted),
    }
    return ok({"payload": [render_help_center.article(ctx.state, a) for a in page], "meta": meta})


def show_article(ctx: Context) -> Response:
    """articles#show: administrators only (ArticlePolicy#show?), so agents get 401; `{id}` is the numeric id."""
    portal = _portal_or_404(ctx)
    if not _is_admin(ctx):
        raise unauthorized(NOT_AUTHORIZED)
    found: Article | None = ctx.state.articles.get(ruby_to_i(ctx.path_params["article_id"]))
    if found is None or found.portal_id != portal.id:
        raise not_found()
    return ok({"payload": render_help_center.article(ctx.state, found)})


def search_articles(ctx: Context) -> Response:
    """search#articles: every portal of the account and every status (drafts too), by rank, 15 per page."""
    articles = [a for a in ctx.state.articles.values() if a.account_id == ctx.account_id]
    found = text_search(articles, str(ctx.param("q") or ""))
    page = paginate(found, kaminari_page(ctx.param("page")), SEARCH_ARTICLES_PER_PAGE)
    return ok({"payload": {"articles": [render_help_center.search_article(ctx.state, a) for a in page]}})


ACCOUNT = "/api/v1/accounts/{account_id}"
CONVERSATION = ACCOUNT + "/conversations/{conversation_id}"
CONTACT = ACCOUNT + "/contacts/{contact_id}"

ENDPOINTS: list[Endpoint] = [
    Endpoint(("GET",), "/api/v1/profile", show_profile),
    Endpoint(("GET",), ACCOUNT + "/agents", list_agents),
    Endpoint(("GET",), ACCOUNT + "/teams", list_teams),
    Endpoint(("GET",), ACCOUNT + "/inboxes", list_inboxes),
    Endpoint(("GET",), ACCOUNT + "/labels", list_labels),
    Endpoint(("GET",), ACCOUNT + "/conversations/meta", conversations_meta),
    Endpoint(("GET",), ACCOUNT + "/conversations/search", search_conversations),
    Endpoint(("POST",), ACCOUNT + "/conversations/filter", filter_conversations),
    Endpoint(("GET",), ACCOUNT + "/conversations", list_conversations),
    Endpoint(("POST",), ACCOUNT + "/conversations", create_conversation, bots_allowed=True),
    Endpoint(("GET",), CONVERSATION, show_conversation),
    Endpoint(("PATCH", "PUT"), CONVERSATION, update_conversation, bots_allowed=True),
    Endpoint(("POST",), CONVERSATION + "/toggle_status", toggle_status, bots_allowed=True),
    Endpoint(("POST",), CONVERSATION + "/toggle_priority", toggle_priority, bots_allowed=True),
    Endpoint(("POST",), CONVERSATION + "/custom_attributes", update_custom_attributes, bots_allowed=True),
    Endpoint(("POST",), CONVERSATION + "/assignments", create_assignment, bots_allowed=True),
    Endpoint(("GET",), CONVERSATION + "/labels", list_conversation_labels),
    Endpoint(("POST",), CONVERSATION + "/labels", replace_conversation_labels),
    Endpoint(("GET",), CONVERSATION + "/messages", list_messages),
    Endpoint(("GET",), CONVERSATION + "/attachments", list_conversation_attachments),
    Endpoint(("POST",), CONVERSATION + "/messages", create_message, bots_allowed=True),
    Endpoint(("GET",), CONVERSATION + "/participants", list_participants),
    Endpoint(("POST",), CONVERSATION + "/participants", add_participants),
    Endpoint(("PATCH", "PUT"), CONVERSATION + "/participants", replace_participants),
    Endpoint(("DELETE",), CONVERSATION + "/participants", remove_participants),
    Endpoint(("GET",), ACCOUNT + "/canned_responses", list_canned_responses),
    Endpoint(("GET",), ACCOUNT + "/portals", list_portals),
    Endpoint(("GET",), ACCOUNT + "/portals/{portal_slug}", show_portal),
    Endpoint(("GET",), ACCOUNT + "/portals/{portal_slug}/articles", list_articles),
    Endpoint(("GET",), ACCOUNT + "/portals/{portal_slug}/articles/{article_id}", show_article),
    Endpoint(("GET",), ACCOUNT + "/search/articles", search_articles),
    Endpoint(("GET",), ACCOUNT + "/contacts", list_contacts),
    Endpoint(("GET",), ACCOUNT + "/contacts/search", search_contacts_endpoint),
    Endpoint(("POST",), ACCOUNT + "/contacts/filter", filter_contacts),
    Endpoint(("GET",), CONTACT, show_contact),
    Endpoint(("GET",), CONTACT + "/conversations", contact_conversations),
    Endpoint(("GET",), CONTACT + "/labels", list_contact_labels),
    Endpoint(("POST",), CONTACT + "/labels", replace_contact_labels),
]
