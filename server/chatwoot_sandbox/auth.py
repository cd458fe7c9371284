"""Who is calling, and may they call this: the `api_access_token` header, bot restrictions, account membership.

The order is the server's: the token is checked first (missing/blank falls through to devise, unknown is rejected
by `AccessTokenAuthHelper`), then whether a bot may use this endpoint at all, then the account from the path
(404 if it does not exist, 401 if the caller is not in it).
"""

from __future__ import annotations

from chatwoot_sandbox.actions import Actor
from chatwoot_sandbox.errors import (
    BOT_NOT_ALLOWED,
    BOT_NOT_IN_ACCOUNT,
    INVALID_TOKEN,
    NOT_ACCOUNT_MEMBER,
    SIGN_IN_FIRST,
    ApiError,
    not_found,
    unauthorized,
)
from chatwoot_sandbox.finders import ruby_to_i
from chatwoot_sandbox.records import Account
from chatwoot_sandbox.state import SandboxState


def authenticate(state: SandboxState, token: str | None, *, bots_allowed: bool) -> Actor:
    """The caller behind the token, or the 401 the server sends."""
    if token is None or not token.strip():
        raise ApiError(401, {"errors": [SIGN_IN_FIRST]})
    for user in state.users.values():
        if user.access_token == token:
            return Actor(user=user)
    for bot in state.agent_bots.values():
        if bot.access_token == token:
            if not bots_allowed:
                raise unauthorized(BOT_NOT_ALLOWED)
            return Actor(bot=bot)
    raise unauthorized(INVALID_TOKEN)


def current_account(state: SandboxState, actor: Actor, raw_account_id: str) -> Account:
    """`EnsureCurrentAccountHelper`: the account must exist and the caller must belong to it."""
    account = state.accounts.get(ruby_to_i(raw_account_id))
    if account is None:
        raise not_found()
    if account.status == "suspended":
        raise unauthorized("Account is suspended")
    if actor.user is not None and account.id not in actor.user.memberships:
        raise unauthorized(NOT_ACCOUNT_MEMBER)
    if actor.bot is not None and actor.bot.account_id != account.id:
        raise unauthorized(BOT_NOT_IN_ACCOUNT)
    return account
