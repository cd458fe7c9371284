"""Signing in as a person (email and password, then MFA if it is on), reading who signed in, signing out.

These are the web app's endpoints (devise_token_auth), not the API's. They never send the client's API token (a
client built only for them may have an empty one): a session authenticates with its own three headers.

A sign-in carries a password or a one-time code, so it is sent once: never retried, not even when the connection
provably failed (asking the person again is the caller's decision), and its body stays out of reprs, logs and
error messages.
"""

from __future__ import annotations

from typing import Any

from chatwoot_client._exceptions import ChatwootAPIError, ChatwootResponseError
from chatwoot_client._request import Answer, APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from
from chatwoot_client.types import DeviseSession, Profile, SignIn

__all__ = ["AsyncAuthResource", "AuthResource"]

SIGN_IN_PATH = "/auth/sign_in"
SIGN_OUT_PATH = "/auth/sign_out"
PROFILE_PATH = "/api/v1/profile"
MFA_SETUP_REQUIRED = "Two-factor authentication must be set up in Chatwoot before signing in here"


def _sign_in_request(body: dict[str, str]) -> APIRequest:
    return APIRequest(
        "POST", SIGN_IN_PATH, json=body, idempotent=False, retryable=False, api_token=False, full_answer=True
    )


def _session_request(method: str, path: str, session: DeviseSession) -> APIRequest:
    return APIRequest(method, path, idempotent=method == "GET", api_token=False, headers=session.headers())


def _session(answer: Answer) -> DeviseSession:
    """The session a successful sign-in's headers describe."""
    headers = answer.headers
    if not all(headers.get(name) for name in ("access-token", "client", "uid")):
        raise ChatwootResponseError(
            answer.status_code, "no session headers (access-token, client, uid)", method="POST", path=SIGN_IN_PATH
        )
    fields = {"access_token": headers["access-token"], "client": headers["client"], "uid": headers["uid"]}
    return DeviseSession.model_validate({**fields, "expiry": headers.get("expiry")})


def _mfa_setup_required(body: dict[str, Any]) -> ChatwootAPIError:
    """Chatwoot requires MFA of this user, who has not set it up: that happens in Chatwoot's own sign-in page.

    The body's setup token and OTP secret are left out of the error.
    """
    words = body.get("error")
    description = words if isinstance(words, str) and words else MFA_SETUP_REQUIRED
    return ChatwootAPIError(206, description, method="POST", path=SIGN_IN_PATH, body={"mfa_setup_required": True})


def sign_in_op(email: str, password: str) -> Operation[SignIn]:
    answer: Answer = yield _sign_in_request({"email": email, "password": password})
    if answer.status_code == 206:
        body = answer.body
        if body.get("mfa_setup_required"):
            raise _mfa_setup_required(body)
        return SignIn(mfa_token=body["mfa_token"])
    data = answer.body.get("data") if isinstance(answer.body, dict) else None
    user = Profile.model_validate(data) if isinstance(data, dict) else None
    return SignIn(session=_session(answer), user=user)


def verify_mfa_op(mfa_token: str, otp_code: str | None, backup_code: str | None) -> Operation[DeviseSession]:
    if (otp_code is None) == (backup_code is None):
        raise ValueError("pass either otp_code or backup_code")
    body = {"mfa_token": mfa_token}
    body.update({"otp_code": otp_code} if otp_code is not None else {"backup_code": backup_code or ""})
    answer: Answer = yield _sign_in_request(body)
    return _session(answer)


def profile_op(session: DeviseSession) -> Operation[Profile]:
    body = yield _session_request("GET", PROFILE_PATH, session)
    return Profile.model_validate(body)


def sign_out_op(session: DeviseSession) -> Operation[None]:
    yield _session_request("DELETE", SIGN_OUT_PATH, session)


class AsyncAuthResource(AsyncResource):
    async def sign_in(self, email: str, password: str) -> SignIn:
        """Sign in with an email and password (`POST /auth/sign_in`), sent once and never retried.

        Returns a `SignIn` with a `session`, or, when the user has MFA on, an `mfa_token` for `verify_mfa`. Wrong
        credentials raise ChatwootAuthError (401). A user whom Chatwoot requires to set up MFA first gets a
        ChatwootAPIError with `status_code` 206: that setup happens in Chatwoot itself.

        Parameters
        ----------
        email
            The user's email.
        password
            The user's password; it appears in no log, repr or error.
        """
        return await self._client.run(sign_in_op(email, password))

    async def verify_mfa(
        self, mfa_token: str, otp_code: str | None = None, *, backup_code: str | None = None
    ) -> DeviseSession:
        """Finish an MFA sign-in with the code from the user's authenticator app (or a backup code); sent once.

        A wrong code raises ChatwootValidationError (400, the token stays usable); an expired or unknown
        `mfa_token` raises ChatwootAuthError (401: sign in again).

        Parameters
        ----------
        mfa_token
            `SignIn.mfa_token` from `sign_in`, valid for five minutes.
        otp_code
            The six-digit code; give this or `backup_code`.
        backup_code
            One of the user's backup codes (each works once).
        """
        return await self._client.run(verify_mfa_op(mfa_token, otp_code, backup_code))

    async def profile(self, session: DeviseSession) -> Profile:
        """The signed-in user (`GET /api/v1/profile` with the session's headers); `access_token` is their API token.

        A session that ended (signed out, expired) raises ChatwootAuthError.

        Parameters
        ----------
        session
            A session from `sign_in` or `verify_mfa`.
        """
        return await self._client.run(profile_op(session))

    async def sign_out(self, session: DeviseSession) -> None:
        """End the session (`DELETE /auth/sign_out`); its headers stop working. The API token is unaffected.

        A session that had already ended raises ChatwootNotFoundError (404).

        Parameters
        ----------
        session
            The session to end.
        """
        await self._client.run(sign_out_op(session))


class AuthResource(SyncResource):
    @docs_from(AsyncAuthResource.sign_in)
    def sign_in(self, email: str, password: str) -> SignIn:
        return self._client.run(sign_in_op(email, password))

    @docs_from(AsyncAuthResource.verify_mfa)
    def verify_mfa(
        self, mfa_token: str, otp_code: str | None = None, *, backup_code: str | None = None
    ) -> DeviseSession:
        return self._client.run(verify_mfa_op(mfa_token, otp_code, backup_code))

    @docs_from(AsyncAuthResource.profile)
    def profile(self, session: DeviseSession) -> Profile:
        return self._client.run(profile_op(session))

    @docs_from(AsyncAuthResource.sign_out)
    def sign_out(self, session: DeviseSession) -> None:
        self._client.run(sign_out_op(session))
