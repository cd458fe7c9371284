"""Macros: list, create, show, update, delete, and execute (in the background, a moment after the answer).

Copied from `macros_controller.rb` and `macro_policy.rb`, quirks included: an unknown id is a 404 with an EMPTY body
on show, a 500 on update and destroy, and a 200 on execute (the job gets nil and fails out of sight); agents keep
only personal macros; an administrator's create or update without `visibility` stores NULL; execute never asks
whether the caller may see the conversations.
"""

from __future__ import annotations

from starlette.responses import Response

import chatwoot_sandbox.render as render
from chatwoot_sandbox.automation import MACRO_ACTIONS, run_macro
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import NOT_AUTHORIZED, ApiError, ServerError, unauthorized
from chatwoot_sandbox.finders import ruby_to_i
from chatwoot_sandbox.records import Macro, User
from chatwoot_sandbox.routes.common import ok

VISIBILITIES = ("personal", "global")


def macro_json(ctx: Context, macro: Macro) -> dict[str, object]:
    """`api/v1/models/_macro`: `created_by`/`updated_by` as agent partials, `files` left out when empty."""
    body: dict[str, object] = {
        "id": macro.id,
        "name": macro.name,
        "visibility": macro.visibility,
    }
    for key, user_id in (("created_by", macro.created_by_id), ("updated_by", macro.updated_by_id)):
        user = ctx.state.users.get(user_id)
        if user is not None:
            body[key] = render.agent_partial(user, macro.account_id)
    body["account_id"] = macro.account_id
    body["actions"] = [dict(action) for action in macro.actions]
    return body


def _user(ctx: Context) -> User:
    assert ctx.actor.user is not None  # bot tokens are refused before the handler (not BOT_ACCESSIBLE)
    return ctx.actor.user


def _is_admin(ctx: Context) -> bool:
    return _user(ctx).role_in(ctx.account_id) == "administrator"


def _found(ctx: Context) -> Macro | None:
    """`Current.account.macros.find_by(id:)`: None for an unknown id (and the policy check is then skipped)."""
    macro = ctx.state.macros.get(ruby_to_i(ctx.path_params["macro_id"]))
    return macro if macro is not None and macro.account_id == ctx.account_id else None


def _may_see(ctx: Context, macro: Macro) -> bool:
    """show? and execute?: global, or the caller's own."""
    return macro.visibility == "global" or macro.created_by_id == _user(ctx).id


def _may_change(ctx: Context, macro: Macro) -> bool:
    """update? and destroy?: a global macro by administrators only (its agent author included), a personal one by
    its author only."""
    if macro.visibility == "global":
        return _is_admin(ctx)
    return macro.created_by_id == _user(ctx).id


def _visibility(ctx: Context) -> str | None:
    """`set_visibility`: agents always get personal; an administrator's value is stored as sent (absent: NULL), and a
    value the enum does not know is an ArgumentError (500)."""
    if not _is_admin(ctx):
        return "personal"
    value = ctx.param("visibility")
    if value is None:
        return None
    if value not in VISIBILITIES:
        raise ServerError(f"'{value}' is not a valid visibility")
    return str(value)


def _actions(ctx: Context) -> list[dict[str, object]]:
    """The submitted actions, validated like `Macro#validate_actions` (a hash in `error`) and the attachment check."""
    raw = ctx.param("actions")
    items = raw if isinstance(raw, list) else []
    actions: list[dict[str, object]] = []
    unsupported: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        name = str(item.get("action_name"))
        params = item.get("action_params")
        if name not in MACRO_ACTIONS:
            unsupported.append(name)
        elif name == "send_attachment" and not _known_blobs(ctx, params):
            raise ApiError(422, {"error": "Invalid attachment"})
        actions.append({"action_name": name, "action_params": list(params) if isinstance(params, list) else []})
    if unsupported:
        message = f"Macro execution actions {', '.join(unsupported)} not supported."
        raise ApiError(422, {"error": {"actions": [message]}})
    return actions


def _known_blobs(ctx: Context, params: object) -> bool:
    return isinstance(params, list) and bool(params) and all(str(key) in ctx.state.blobs for key in params)


def list_macros(ctx: Context) -> Response:
    """macros#index: global macros and the caller's own personal ones, by id (never others' personal ones)."""
    user = _user(ctx)
    macros = [
        macro
        for macro in sorted(ctx.state.macros.values(), key=lambda m: m.id)
        if macro.account_id == ctx.account_id
        and (macro.visibility == "global" or (macro.visibility == "personal" and macro.created_by_id == user.id))
    ]
    return ok({"payload": [macro_json(ctx, macro) for macro in macros]})


def create_macro(ctx: Context) -> Response:
    """macros#create."""
    actions = _actions(ctx)
    visibility = _visibility(ctx)
    name = ctx.param("name")
    if name is None:
        raise ServerError('null value in column "name" violates not-null constraint')
    now = ctx.now
    user = _user(ctx)
    macro = Macro(
        ctx.state.next_id(ctx.state.macros), ctx.account_id, str(name), visibility, actions, user.id, user.id, now, now
    )
    ctx.state.macros[macro.id] = macro
    return ok({"payload": macro_json(ctx, macro)})


def show_macro(ctx: Context) -> Response:
    """macros#show: an unknown id is a 404 with an empty body."""
    macro = _found(ctx)
    if macro is None:
        return Response(status_code=404)
    if not _may_see(ctx, macro):
        raise unauthorized(NOT_AUTHORIZED)
    return ok({"payload": macro_json(ctx, macro)})


def update_macro(ctx: Context) -> Response:
    """macros#update: an unknown id is a NoMethodError (500)."""
    macro = _found(ctx)
    if macro is None:
        raise ServerError("undefined method for nil")
    if not _may_change(ctx, macro):
        raise unauthorized(NOT_AUTHORIZED)
    actions = _actions(ctx) if ctx.has("actions") else macro.actions
    macro.visibility = _visibility(ctx)
    if ctx.param("name") is not None:
        macro.name = str(ctx.param("name"))
    macro.actions = actions
    macro.updated_by_id = _user(ctx).id
    macro.updated_at = ctx.now
    return ok({"payload": macro_json(ctx, macro)})


def delete_macro(ctx: Context) -> Response:
    """macros#destroy: `head :ok`; an unknown id is a 500."""
    macro = _found(ctx)
    if macro is None:
        raise ServerError("undefined method for nil")
    if not _may_change(ctx, macro):
        raise unauthorized(NOT_AUTHORIZED)
    del ctx.state.macros[macro.id]
    return Response(status_code=200)


def execute_macro(ctx: Context) -> Response:
    """macros#execute: `head :ok` at once; `MacrosExecutionJob` does the work a moment later."""
    macro = _found(ctx)
    if macro is not None and not _may_see(ctx, macro):
        raise unauthorized(NOT_AUTHORIZED)
    state, account_id, user = ctx.state, ctx.account_id, _user(ctx)
    macro_id = macro.id if macro is not None else -1
    ids = ctx.param("conversation_ids")
    state.enqueue_job(f"macro {macro_id}", lambda: run_macro(state, account_id, macro_id, ids, user))
    return Response(status_code=200)
