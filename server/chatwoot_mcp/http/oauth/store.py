"""What the OAuth server remembers, in the shared state: clients, pending consents, grants, codes and tokens.

Tokens and codes are stored under their SHA-256 only, and the Chatwoot token a user signed in with only sealed
(`sealing`), so a dump of the state yields nothing usable. A grant is one user's consent to one client; every
code, access token and refresh token it issues is listed on it, so revoking it (a replayed code, a reused
refresh token, /revoke, Chatwoot refusing the token) ends all of them at once. An access token's record carries
what a call needs (user, scopes, audience, the sealed token), so verifying one is a single read.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from chatwoot_mcp.http.oauth.sealing import Sealer, token_hash
from chatwoot_mcp.state import State, StateUnavailable

__all__ = [
    "ACCESS_TTL",
    "CODE_TTL",
    "PENDING_TTL",
    "REFRESH_TTL",
    "AccessRecord",
    "CodeRecord",
    "GrantStore",
    "Pending",
    "RefreshRecord",
]

ACCESS_TTL = 3600
"""Seconds an access token lives (a host refreshes it without asking the user)."""
REFRESH_TTL = 30 * 24 * 3600
"""Seconds a refresh token lives unused; each use rotates it and starts a new period."""
CODE_TTL = 60
"""Seconds an authorization code can be exchanged."""
PENDING_TTL = 600
"""Seconds a consent page stays usable."""
SPENT_TTL = 24 * 3600
"""Seconds a used code or rotated refresh token is remembered, so that presenting it again revokes its grant."""
CLIENT_TTL = 400 * 24 * 3600
"""Seconds a dynamically registered client is kept once a user has consented to it (hosts register again when
told the client is unknown)."""
UNUSED_CLIENT_TTL = 24 * 3600
"""Seconds a registration nobody has consented to is kept: anyone may register, so a flood of registrations
lasts a day, not a year."""


@dataclass
class Pending:
    """An authorization request waiting for the user's consent (the consent page's `request` id names it)."""

    client_id: str
    client_name: str
    redirect_uri: str
    redirect_uri_provided_explicitly: bool
    state: str | None
    code_challenge: str
    scopes: list[str]
    resource: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    tries: int = 0
    """Failed sign-ins so far on this consent page."""
    mfa_token: str | None = None
    """Once Chatwoot asked for the second factor: its short-lived token for the code step, sealed (never the
    password, which is sent to Chatwoot once and never kept)."""


@dataclass
class CodeRecord:
    grant_id: str
    client_id: str
    scopes: list[str]
    code_challenge: str
    redirect_uri: str
    redirect_uri_provided_explicitly: bool
    resource: str
    expires_at: float
    user_id: int


@dataclass
class AccessRecord:
    grant_id: str
    client_id: str
    scopes: list[str]
    resource: str
    expires_at: int
    user_id: int
    sealed_token: str


@dataclass
class RefreshRecord:
    grant_id: str
    client_id: str
    scopes: list[str]
    resource: str
    expires_at: int
    user_id: int


Spendable = TypeVar("Spendable", CodeRecord, RefreshRecord)


class GrantStore:
    """Every OAuth record, behind the server's State (in-process or Redis)."""

    def __init__(self, state_of: Callable[[], State | None], sealer: Sealer) -> None:
        """`state_of` gives the server's state once its lifespan has opened it."""
        self._state_of = state_of
        self.sealer = sealer
        self.on_revoke: list[Callable[[str], None]] = []
        """Called with a grant's id when it is revoked here (a process's caches of its tokens forget them)."""

    @property
    def state(self) -> State:
        state = self._state_of()
        if state is None:
            raise StateUnavailable("the server has not finished starting; try again in a moment")
        return state

    # -- clients ----------------------------------------------------------------------------------------------------

    async def client(self, client_id: str) -> dict[str, Any] | None:
        return await self.state.record_get("oauth:client:" + token_hash(client_id))

    async def save_client(self, client_id: str, info: dict[str, Any], ttl: float = UNUSED_CLIENT_TTL) -> None:
        await self.state.record_put("oauth:client:" + token_hash(client_id), info, ttl)

    # -- consent ----------------------------------------------------------------------------------------------------

    async def open_pending(self, pending: Pending) -> str:
        request_id = secrets.token_urlsafe(24)
        await self.state.record_put("oauth:pending:" + token_hash(request_id), asdict(pending), PENDING_TTL)
        return request_id

    async def pending(self, request_id: str) -> Pending | None:
        found = await self.state.record_get("oauth:pending:" + token_hash(request_id))
        return Pending(**found) if isinstance(found, dict) else None

    async def update_pending(self, request_id: str, pending: Pending) -> None:
        await self.state.record_put("oauth:pending:" + token_hash(request_id), asdict(pending), PENDING_TTL)

    async def take_pending(self, request_id: str) -> Pending | None:
        """The pending request, removed: a consent completes once (a second submission finds nothing)."""
        found = await self.state.record_take("oauth:pending:" + token_hash(request_id))
        return Pending(**found) if isinstance(found, dict) else None

    async def claim_state(self, client_id: str, state: str) -> bool:
        """Whether `state` is new for this client (a client reusing one is refused: it is single-use)."""
        key = "oauth:state:" + token_hash(f"{client_id}\x00{state}")
        async with self.state.lock(key):
            if await self.state.record_get(key) is not None:
                return False
            await self.state.record_put(key, 1, SPENT_TTL)
        return True

    # -- grants and codes -------------------------------------------------------------------------------------------

    async def grant(
        self, *, client_id: str, user_id: int, scopes: list[str], chatwoot_token: str, pending: Pending
    ) -> str:
        """A new grant and its authorization code (returned)."""
        grant_id = secrets.token_urlsafe(18)
        code = "cwm_code_" + secrets.token_urlsafe(32)
        sealed = self.sealer.seal(chatwoot_token, grant_id)
        record = CodeRecord(
            grant_id=grant_id,
            client_id=client_id,
            scopes=scopes,
            code_challenge=pending.code_challenge,
            redirect_uri=pending.redirect_uri,
            redirect_uri_provided_explicitly=pending.redirect_uri_provided_explicitly,
            resource=pending.resource,
            expires_at=time.time() + CODE_TTL,
            user_id=user_id,
        )
        registered = await self.client(client_id)
        if registered is not None:  # a user consented to it: keep the registration for as long as hosts use one
            await self.save_client(client_id, registered, CLIENT_TTL)
        grant = {"client_id": client_id, "user_id": user_id, "sealed_token": sealed, "tokens": [], "at": time.time()}
        await self.state.record_put("oauth:grant:" + grant_id, grant, CODE_TTL + SPENT_TTL)
        await self.state.record_put("oauth:code:" + token_hash(code), asdict(record), CODE_TTL)
        return code

    async def code(self, code: str) -> CodeRecord | None:
        """The code's record; a code already exchanged revokes what it issued and is not found."""
        return await self._unspent("code", code, CodeRecord)

    async def take_code(self, code: str) -> CodeRecord | None:
        """The code, exchanged once: of two simultaneous exchanges, one gets it; the code is remembered as spent."""
        return await self._spend("code", code, CodeRecord)

    # -- tokens -----------------------------------------------------------------------------------------------------

    async def mint(self, grant_id: str, client_id: str, scopes: list[str], resource: str) -> tuple[str, str, int]:
        """A new access token and refresh token for the grant: (access, refresh, access lifetime in seconds).

        Raises LookupError when the grant is gone (revoked meanwhile)."""
        async with self.state.lock("oauth:grant:" + grant_id):
            grant = await self.state.record_get("oauth:grant:" + grant_id)
            if not isinstance(grant, dict):
                raise LookupError("the grant was revoked")
            access = "cwm_at_" + secrets.token_urlsafe(32)
            refresh = "cwm_rt_" + secrets.token_urlsafe(32)
            now = int(time.time())
            user_id = int(grant["user_id"])
            access_record = AccessRecord(
                grant_id, client_id, scopes, resource, now + ACCESS_TTL, user_id, grant["sealed_token"]
            )
            refresh_record = RefreshRecord(grant_id, client_id, scopes, resource, now + REFRESH_TTL, user_id)
            access_key, refresh_key = "oauth:access:" + token_hash(access), "oauth:refresh:" + token_hash(refresh)
            live = [key for key in grant["tokens"] if key.startswith(("oauth:access:", "oauth:refresh:"))]
            grant["tokens"] = [*live[-20:], access_key, refresh_key]
            await self.state.record_put(access_key, asdict(access_record), ACCESS_TTL)
            await self.state.record_put(refresh_key, asdict(refresh_record), REFRESH_TTL)
            await self.state.record_put("oauth:grant:" + grant_id, grant, REFRESH_TTL + SPENT_TTL)
        return access, refresh, ACCESS_TTL

    async def access(self, token: str) -> AccessRecord | None:
        found = await self.state.record_get("oauth:access:" + token_hash(token))
        return AccessRecord(**found) if isinstance(found, dict) else None

    async def refresh(self, token: str) -> RefreshRecord | None:
        """The refresh token's record; one already rotated out revokes its whole grant and is not found."""
        return await self._unspent("refresh", token, RefreshRecord)

    async def take_refresh(self, token: str) -> RefreshRecord | None:
        """The refresh token, used once: it is rotated out (and remembered, so a second use revokes the grant)."""
        return await self._spend("refresh", token, RefreshRecord)

    async def _unspent(self, kind: str, secret: str, model: type[Spendable]) -> Spendable | None:
        """A single-use record, if it is still unused; presenting one already used revokes its grant (a replay
        means the secret leaked: whatever it issued is ended)."""
        key = token_hash(secret)
        found = await self.state.record_get(f"oauth:{kind}:{key}")
        if isinstance(found, dict):
            return model(**found)
        spent = await self.state.record_get(f"oauth:spent-{kind}:{key}")
        if isinstance(spent, str):
            await self.revoke_grant(spent)
        return None

    async def _spend(self, kind: str, secret: str, model: type[Spendable]) -> Spendable | None:
        """A single-use record, taken atomically (of two simultaneous uses one gets it) and remembered as spent."""
        key = token_hash(secret)
        found = await self.state.record_take(f"oauth:{kind}:{key}")
        if not isinstance(found, dict):
            return None
        record = model(**found)
        await self.state.record_put(f"oauth:spent-{kind}:{key}", record.grant_id, SPENT_TTL)
        return record

    async def revoke_grant(self, grant_id: str) -> None:
        """End the grant and every token it issued."""
        grant = await self.state.record_take("oauth:grant:" + grant_id)
        if isinstance(grant, dict):
            await self.state.record_delete(*grant.get("tokens", []))
        for forget in self.on_revoke:
            forget(grant_id)

    def chatwoot_token(self, record: AccessRecord) -> str:
        """The Chatwoot token behind an access token (raises SealingError for a record no key opens)."""
        return self.sealer.open(record.sealed_token, record.grant_id)
