"""The composer's one-time token: "the click is the confirmation, and only a click can confirm".

When the conversation view renders a conversation (`app_conversation`), the server mints a random token bound to
what the person is looking at: who they are (the Chatwoot user the request acts as), the account, the conversation,
the newest message a person wrote in it at that moment, and a hash of the exact reply text shown in the composer.
The token travels only in the result's `_meta` (which hosts hand to the view, never to the model), and Send hands it
back with the text (`app_send_reply`). The server takes it atomically from the shared state (single use, so replicas
agree), and refuses when anything it was bound to differs, saying what. Editing the text in the composer trades the
token for one bound to the new text (`app_review_reply`), so the text sent is always the text the person saw.

Only a hash of the token is stored (the state never holds a usable token), with its binding and its expiry. A token
that was taken leaves a marker behind for the rest of its life, so a second Send is told "already used" rather than
"unknown".
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.state import State

__all__ = ["TOKEN_TTL", "Binding", "Issued", "issue", "take", "text_digest"]

TOKEN_TTL = 30 * 60.0
"""Seconds a token can be used: long enough to read a conversation and edit a reply, short enough to go stale."""
_KEPT = 2 * TOKEN_TTL
"""How long the state keeps a token's record (and a spent marker): past its expiry, to say "expired", not "unknown"."""


@dataclass(frozen=True)
class Binding:
    """What a token confirms."""

    user: str
    """The Chatwoot user the request acts as ("user:4"), from its per-user token or OAuth grant, else the server's."""
    account_id: int
    conversation_id: int
    newest_message_id: int | None
    """The newest message a person wrote (customer or agent, not notes or activity) when the view rendered."""
    text_sha256: str


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: str
    """ISO 8601, UTC."""

    def meta(self) -> dict[str, str]:
        return {"token": self.token, "expires_at": self.expires_at}


def _now() -> float:
    return time.time()


def text_digest(text: str) -> str:
    """The hash a token binds: of the exact text (a changed space is another text; the person saw this one)."""
    return hashlib.sha256(text.encode()).hexdigest()


def _key(token: str, kind: str = "token") -> str:
    return f"composer:{kind}:{hashlib.sha256(token.encode()).hexdigest()}"


async def issue(state: State, binding: Binding) -> Issued:
    """A new token for `binding` (raises StateUnavailable when the state cannot keep it)."""
    token = secrets.token_urlsafe(32)
    expires = _now() + TOKEN_TTL
    await state.record_put(_key(token), {**asdict(binding), "expires": expires}, _KEPT)
    at = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Issued(token=token, expires_at=at)


async def take(state: State, token: str, nothing: str) -> Binding:
    """The binding of `token`, which is spent by this call whatever happens next; a Refusal (ending with `nothing`)
    when it was already used, has expired or was never issued here."""
    record = await state.record_take(_key(token))
    if record is None:
        if await state.record_get(_key(token, "spent")) is not None:
            raise Refusal(f"This reply was already sent or reviewed with this confirmation (it works once). {nothing}")
        raise Refusal(f"This confirmation is not known here (it may be older than its life). {nothing}")
    await state.record_put(_key(token, "spent"), True, _KEPT)
    if record.pop("expires") < _now():
        raise Refusal(f"This confirmation expired ({TOKEN_TTL / 60:.0f} minutes after the view was shown). {nothing}")
    return Binding(**record)
