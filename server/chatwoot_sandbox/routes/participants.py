"""A conversation's participants (watchers): list, add, replace and remove them."""

from __future__ import annotations

from starlette.responses import Response

import chatwoot_sandbox.render as render
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import ServerError
from chatwoot_sandbox.records import Conversation
from chatwoot_sandbox.routes.common import ok


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
