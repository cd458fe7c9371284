"""Signing in to Chatwoot as a person: the session devise_token_auth hands out, and the sign-in's two outcomes.

A session is not the API token. It is the three headers the web app sends (`access-token`, `client`, `uid`), good
for about two months or until sign-out; with it the client can read the user's profile, whose `access_token` is
the API token. Both secrets stay out of `repr()` and `model_dump()`.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from chatwoot_client.types._base import ChatwootModel, Timestamp
from chatwoot_client.types.directory import Profile

__all__ = ["DeviseSession", "SignIn"]


class DeviseSession(ChatwootModel):
    """A signed-in session: devise_token_auth's `access-token`, `client` and `uid` headers.

    `uid` is the user's email as Chatwoot stores it; `expiry` is when the session ends, if the server said.
    """

    access_token: str = Field(exclude=True, repr=False)
    client: str
    uid: str
    expiry: Timestamp = None

    def headers(self) -> dict[str, str]:
        """The headers that authenticate a request as this session."""
        return {"access-token": self.access_token, "client": self.client, "uid": self.uid}


class SignIn(ChatwootModel):
    """What a password sign-in gave: a `session`, or an `mfa_token` for the second step (exactly one is set).

    With MFA on, pass the `mfa_token` (valid for five minutes) and the user's code to `auth.verify_mfa`. `user` is
    the signed-in user as the sign-in answer describes them (None on the MFA step); the API token is not
    always among its fields, so read it from `auth.profile(session)`.
    """

    session: DeviseSession | None = None
    mfa_token: str | None = Field(default=None, exclude=True, repr=False)
    user: Profile | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        if (self.session is None) == (self.mfa_token is None):
            raise ValueError("a sign-in has either a session or an mfa_token")
        return self
