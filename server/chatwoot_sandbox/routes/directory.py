"""Who and what is in an account: the token's profile, agents, teams, inboxes and labels."""

from __future__ import annotations

from starlette.responses import Response

import chatwoot_sandbox.render as render
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.routes.common import ok


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
