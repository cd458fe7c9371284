"""Signing a user in to Chatwoot on the consent page: with their access token, or with email and password.

Either way the result is the user's Chatwoot access token and profile, checked with `/profile` before anything
is issued. A password is sent to Chatwoot once and never kept or logged; the Chatwoot session that signing in
created is signed out right after the access token is read from it, so no browser-style session is left behind.
With two-factor authentication Chatwoot answers with a short-lived MFA token, and the page asks for the code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx2

from chatwoot_client import (
    AsyncChatwootClient,
    ChatwootAPIError,
    ChatwootAuthError,
    ChatwootConnectionError,
    ChatwootError,
    ChatwootValidationError,
)
from chatwoot_client.types import DeviseSession, Profile

__all__ = ["NeedsCode", "SignInFailed", "SignedIn", "check_token", "sign_in", "sign_in_with_code"]

log = logging.getLogger("chatwoot_mcp")


class SignInFailed(Exception):
    """What the consent page tells the user (one plain sentence; never a token or a password)."""


@dataclass(frozen=True)
class SignedIn:
    profile: Profile
    token: str = field(repr=False)


@dataclass(frozen=True)
class NeedsCode:
    """Chatwoot asks for the second factor; `mfa_token` (valid for minutes) goes with the code."""

    mfa_token: str = field(repr=False)


def _client(base_url: str, http: httpx2.AsyncClient, token: str = "") -> AsyncChatwootClient:
    return AsyncChatwootClient(base_url, token, 15.0, max_retries=1, http_client=http)


def _unreachable(error: ChatwootError) -> SignInFailed:
    if isinstance(error, ChatwootConnectionError):
        return SignInFailed("Chatwoot could not be reached. Try again in a moment.")
    log.warning("signing in failed: Chatwoot answered %s", getattr(error, "status_code", "unexpectedly"))
    return SignInFailed("Chatwoot did not answer as expected. Try again in a moment.")


async def check_token(base_url: str, http: httpx2.AsyncClient, token: str) -> SignedIn:
    """The profile behind a pasted access token (raises SignInFailed)."""
    token = token.strip()
    if not token or not token.isascii() or not token.isprintable() or len(token) > 200:
        raise SignInFailed("That is not a Chatwoot access token. Copy it from your Profile settings in Chatwoot.")
    try:
        profile = await _client(base_url, http, token).profile.get()
    except ChatwootAuthError:
        raise SignInFailed(
            "Chatwoot did not accept that access token. Copy it again from your Profile settings."
        ) from None
    except ChatwootError as error:
        raise _unreachable(error) from None
    return SignedIn(profile, token)


async def sign_in(base_url: str, http: httpx2.AsyncClient, email: str, password: str) -> SignedIn | NeedsCode:
    """Email and password to Chatwoot's sign-in (once); then its access token, and the session signed out."""
    if not email.strip() or not password:
        raise SignInFailed("Enter your Chatwoot email and password.")
    try:
        answer = await _client(base_url, http).auth.sign_in(email.strip(), password)
    except (ChatwootAuthError, ChatwootValidationError):
        raise SignInFailed("Chatwoot did not accept that email and password.") from None
    except ChatwootAPIError as error:
        if error.status_code == 206:  # two-factor setup is pending: only Chatwoot itself can do that
            raise SignInFailed("Set up two-factor authentication in Chatwoot first: sign in there once.") from None
        raise _unreachable(error) from None
    except ChatwootError as error:
        raise _unreachable(error) from None
    if answer.mfa_token is not None:
        return NeedsCode(answer.mfa_token)
    assert answer.session is not None
    return await _token_of(base_url, http, answer.session)


async def sign_in_with_code(base_url: str, http: httpx2.AsyncClient, mfa_token: str, code: str) -> SignedIn:
    """The second factor: the code from the user's authenticator app (or a backup code)."""
    code = code.strip().replace(" ", "")
    if not code:
        raise SignInFailed("Enter the code from your authenticator app.")
    try:
        session = await _client(base_url, http).auth.verify_mfa(mfa_token, code)
    except ChatwootValidationError:
        raise SignInFailed("That code is not right. Enter the current code from your authenticator app.") from None
    except ChatwootAuthError:
        raise SignInFailed("The sign-in took too long. Start again with your email and password.") from None
    except ChatwootError as error:
        raise _unreachable(error) from None
    return await _token_of(base_url, http, session)


async def _token_of(base_url: str, http: httpx2.AsyncClient, session: DeviseSession) -> SignedIn:
    auth = _client(base_url, http).auth
    try:
        profile = await auth.profile(session)
    except ChatwootError as error:
        raise _unreachable(error) from None
    finally:
        try:
            await auth.sign_out(session)
        except ChatwootError as error:  # the session expires on its own; the token is still the user's
            log.warning("could not sign the consent page's Chatwoot session out (%s)", type(error).__name__)
    if not profile.access_token:
        raise SignInFailed("Chatwoot did not hand out an access token for this user; paste one instead.")
    return SignedIn(profile, profile.access_token)
