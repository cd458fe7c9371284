"""Who is calling, and may they call this: the `api_access_token` header or a signed-in session, bot restrictions,
account membership; and the sessions and MFA tokens that signing in hands out.

The order is the server's: the token is checked first (unknown is rejected by `AccessTokenAuthHelper`; missing or
blank falls through to devise_token_auth, which reads the session headers `access-token`, `client` and `uid`), then
whether a bot may use this endpoint at all, then the account from the path (404 if it does not exist, 401 if the
caller is not in it).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

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
from chatwoot_sandbox.records import Account, MfaChallenge, SignInSession, User
from chatwoot_sandbox.state import SandboxState

SESSION_LIFESPAN = 60 * 86400.0
"""`config.token_lifespan = 2.months` (devise_token_auth initializer)."""
MFA_TOKEN_LIFESPAN = 300.0
"""`Mfa::TokenService`: an mfa_token is good for five minutes."""


def authenticate(state: SandboxState, headers: Mapping[str, str], *, bots_allowed: bool) -> Actor:
    """The caller behind the request's `api_access_token`, or its session headers; or the 401 the server sends."""
    token = headers.get("api_access_token")
    if token is None or not token.strip():
        session = current_session(state, headers)
        if session is None:
            raise ApiError(401, {"errors": [SIGN_IN_FIRST]})
        return Actor(user=state.users[session.user_id])
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


# -- signing in (devise_token_auth and Chatwoot's MFA helper) ------------------------------------------------


def password_user(state: SandboxState, email: object, password: object) -> User | None:
    """The user these credentials sign in, if any: the email as `User.from_email` finds it (trimmed, any case)."""
    if not isinstance(email, str) or not isinstance(password, str) or not email.strip() or not password:
        return None
    wanted = email.strip().lower()
    user = next((u for u in state.users.values() if u.email.lower() == wanted), None)
    return user if user is not None and user.password and user.password == password else None


def open_session(state: SandboxState, user: User) -> SignInSession:
    """`create_token`: a new client id and token for the user, valid for SESSION_LIFESPAN."""
    session = SignInSession(
        client=secrets.token_urlsafe(16),
        access_token=secrets.token_urlsafe(16),
        user_id=user.id,
        expiry=float(int(state.clock() + SESSION_LIFESPAN)),
    )
    state.sessions[session.client] = session
    return session


def current_session(state: SandboxState, headers: Mapping[str, str]) -> SignInSession | None:
    """`set_user_by_token`: the live session the `access-token`, `client` and `uid` headers name, if they all match."""
    session = state.sessions.get(headers.get("client") or "")
    if session is None or session.expiry <= state.clock():
        return None
    user = state.users.get(session.user_id)
    if user is None or headers.get("uid") != user.email:
        return None
    token = headers.get("access-token") or ""
    return session if secrets.compare_digest(token.encode(), session.access_token.encode()) else None


def issue_mfa_token(state: SandboxState, user: User) -> str:
    """`Mfa::TokenService#generate_token` (a JWT in Chatwoot, an opaque string here)."""
    challenge = MfaChallenge(secrets.token_urlsafe(24), user.id, state.clock() + MFA_TOKEN_LIFESPAN)
    state.mfa_challenges[challenge.token] = challenge
    return challenge.token


def mfa_token_user(state: SandboxState, token: str) -> User | None:
    """`Mfa::TokenService#verify_token`: the user of a live mfa_token (it may be used until it expires)."""
    challenge = state.mfa_challenges.get(token)
    if challenge is None or challenge.expires_at <= state.clock():
        return None
    return state.users.get(challenge.user_id)


def mfa_code_accepted(user: User, otp_code: object, backup_code: object) -> bool:
    """`Mfa::AuthenticationService#authenticate`: the OTP code if one was sent, else a backup code (used up)."""
    if isinstance(otp_code, str) and otp_code:
        return user.mfa_code is not None and otp_code == user.mfa_code
    if isinstance(backup_code, str) and backup_code in user.mfa_backup_codes:
        user.mfa_backup_codes.remove(backup_code)
        return True
    return False
