"""Signing in and out as a person: devise_token_auth's sessions endpoints, as Chatwoot overrides them for MFA.

`POST /auth/sign_in` takes an email and password, or, as the second step for a user with MFA on, the `mfa_token`
the first step gave and a code. Success is 200 with the session in the `access-token`, `client` and `uid` headers
and the user under `data`, without the API token (`GET /api/v1/profile` with those headers has it).
`DELETE /auth/sign_out` ends the session its headers name. Neither endpoint reads `api_access_token`.

Not emulated: finishing an MFA setup through the API (`mfa_setup_token`, answered as an expired token), session
limits, device verification, SSO tokens.
"""

from __future__ import annotations

import base64
import secrets

from starlette.responses import JSONResponse, Response

import chatwoot_sandbox.render as render
from chatwoot_sandbox.auth import (
    current_session,
    issue_mfa_token,
    mfa_code_accepted,
    mfa_token_user,
    open_session,
    password_user,
)
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import (
    BAD_CREDENTIALS,
    INVALID_MFA_CODE,
    INVALID_MFA_TOKEN,
    MFA_SETUP_REQUIRED,
    NOT_SIGNED_IN,
    ApiError,
    unauthorized,
)
from chatwoot_sandbox.records import User
from chatwoot_sandbox.routes.common import ok

PARTIAL_CONTENT = 206


def sign_in(ctx: Context) -> Response:
    """devise_overrides/sessions#create: the MFA step when an `mfa_token` is sent, else email and password."""
    if _present(ctx.param("mfa_setup_token")):
        raise unauthorized(INVALID_MFA_TOKEN)
    if _present(ctx.param("mfa_token")):
        return _verify_mfa(ctx)
    user = password_user(ctx.state, _credential(ctx, "email"), _credential(ctx, "password"))
    if user is None:
        raise ApiError(401, {"success": False, "errors": [BAD_CREDENTIALS]})
    if user.mfa_code is not None:
        body = {"mfa_required": True, "mfa_token": issue_mfa_token(ctx.state, user)}
        return JSONResponse(body, status_code=PARTIAL_CONTENT)
    if user.mfa_setup_pending:
        return JSONResponse(_mfa_setup(user), status_code=PARTIAL_CONTENT)
    return _signed_in(ctx, user)


def sign_out(ctx: Context) -> Response:
    """devise_token_auth sessions#destroy: forget the session the headers name; 404 if they name none."""
    session = current_session(ctx.state, ctx.headers)
    if session is None:
        raise ApiError(404, {"success": False, "errors": [NOT_SIGNED_IN]})
    del ctx.state.sessions[session.client]
    return ok({"success": True})


def _verify_mfa(ctx: Context) -> Response:
    """MfaAuthenticationHelper#handle_mfa_verification: 401 for a token it cannot verify, 400 for a wrong code."""
    token = ctx.param("mfa_token")
    user = mfa_token_user(ctx.state, token) if isinstance(token, str) else None
    if user is None:
        raise unauthorized(INVALID_MFA_TOKEN)
    if not mfa_code_accepted(user, ctx.param("otp_code"), ctx.param("backup_code")):
        raise ApiError(400, {"error": INVALID_MFA_CODE})
    return _signed_in(ctx, user)


def _signed_in(ctx: Context, user: User) -> Response:
    """render_create_success: the new session's headers (devise_token_auth's `build_auth_headers`) and the user."""
    session = open_session(ctx.state, user)
    headers = {
        "access-token": session.access_token,
        "token-type": "Bearer",
        "client": session.client,
        "expiry": str(int(session.expiry)),
        "uid": user.email,
    }
    return JSONResponse(render.signed_in(ctx.state, user), headers=headers)


def _mfa_setup(user: User) -> dict[str, object]:
    """handle_mfa_setup_required: what the user needs to set MFA up (a fresh secret; the sandbox keeps none)."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    return {
        "mfa_setup_required": True,
        "mfa_setup_token": secrets.token_urlsafe(24),
        "provisioning_url": f"otpauth://totp/Chatwoot:{user.email}?secret={secret}&issuer=Chatwoot",
        "secret": secret,
        "error": MFA_SETUP_REQUIRED,
    }


def _credential(ctx: Context, name: str) -> object:
    """`merge_credential_headers`: the parameter, or else a header of that name."""
    value = ctx.param(name)
    return value if value is not None else ctx.headers.get(name)


def _present(value: object) -> bool:
    """Rails' `present?`: not nil, false, empty or only whitespace."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value is not False and value != [] and value != {}
