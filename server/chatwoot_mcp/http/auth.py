"""Per-user identity over HTTP (`--auth chatwoot-token`): each request acts as the user whose Chatwoot token it carries.

The server holds no Chatwoot token of its own. Every HTTP request sends `Authorization: Bearer <the user's Chatwoot
access token>`; the middleware asks Chatwoot's `/profile` who that is (remembered for PROFILE_TTL seconds under a
hash of the token, never the token), and leaves a `UserSession` in the ASGI scope: a client acting as that user (one
per token, all on the server's one connection pool), their directory cache, and their `Identity` with the accounts
they belong to within the configured allowlist. `context.tool_context` hands tools a ToolContext built from it.

A missing or refused token gets 401 with `WWW-Authenticate: Bearer` and one line saying why; a user in none of the
served accounts gets 403. No answer and no log line contains a token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
import httpx2
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.request_state import RequestStateSecurity

from chatwoot_client import AsyncChatwootClient, ChatwootAuthError, ChatwootConnectionError, ChatwootError
from chatwoot_mcp.config import Settings
from chatwoot_mcp.context import REQUEST_USER, Directory
from chatwoot_mcp.identity import Identity
from chatwoot_mcp.state.memory import TtlCache

__all__ = [
    "PROFILE_TTL",
    "AuthRefused",
    "ChatwootTokenMiddleware",
    "ProfileCache",
    "UserSession",
    "UserSessions",
    "bearer_token",
    "profile_key",
    "request_principal",
    "request_state_security",
]

log = logging.getLogger("chatwoot_mcp")

PROFILE_TTL = 60.0
"""Seconds a token's profile is trusted before Chatwoot is asked again (so a revoked token works this long at most)."""

REFUSAL_TTL = 5.0
"""Seconds a refused token is answered without asking Chatwoot again."""

MAX_USERS = 1024
"""Clients (and directory caches) kept for this many recent tokens; older ones are rebuilt when next used."""


def profile_key(token: str) -> str:
    """The cache key for a token's profile: a SHA-256 of it, so no cache (nor Redis) ever holds a token."""
    return "profile:" + hashlib.sha256(token.encode()).hexdigest()


class ProfileCache(Protocol):
    """Where profiles are remembered: the server's shared state (`state.State` has these two), or this process."""

    async def cache_get(self, key: str) -> Any | None: ...

    async def cache_set(self, key: str, value: Any, ttl: float) -> None: ...


class AuthRefused(Exception):
    """The request may not go on: its HTTP status and a one-line reason (never containing the token)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class UserSession:
    """Who a request acts as, and the client that acts as them."""

    identity: Identity
    client: AsyncChatwootClient
    directory: Directory
    token: str = field(repr=False)
    recheck: Callable[[], Awaitable[None]] | None = field(default=None, repr=False, compare=False)
    """Forget what is known of this token, so the next request asks Chatwoot again (a call was refused with 401:
    the user may have reset their token)."""


class UserSessions:
    """One AsyncChatwootClient (and directory cache) per token, all on one shared HTTP client and its pool."""

    def __init__(
        self,
        settings: Settings,
        http: httpx2.AsyncClient,
        cache_of: Callable[[], ProfileCache | None] | None = None,
        *,
        ttl: float = PROFILE_TTL,
    ) -> None:
        """`cache_of` gives the server's shared state once its lifespan has opened it (None before, or without)."""
        self.settings = settings
        self.http = http
        self.ttl = ttl
        self._cache_of = cache_of
        self._memory = TtlCache()
        self._sessions: OrderedDict[str, UserSession] = OrderedDict()
        self._asking: dict[str, anyio.Lock] = {}
        self.on_forget: list[Callable[[str], None]] = []
        """Called with a token's profile key when it is forgotten (caches in front of this one drop it too)."""

    async def session_for(self, token: str | None) -> UserSession:
        """The session for `token`, asking Chatwoot who it is when not known; raises AuthRefused."""
        if not token:
            raise AuthRefused(401, "send your Chatwoot access token as 'Authorization: Bearer <token>'")
        if not token.isascii() or not token.isprintable():
            raise AuthRefused(401, "the bearer token is not a Chatwoot access token (unprintable characters)")
        key = profile_key(token)
        refused = await self._memory.cache_get("refused:" + key)
        if refused is not None:
            raise AuthRefused(*refused)
        cache = (self._cache_of() if self._cache_of is not None else None) or self._memory
        known = _profile(await cache.cache_get(key))
        if known is None:
            # One question to Chatwoot per token at a time: the calls a client opens with all wait for it.
            lock = self._asking.setdefault(key, anyio.Lock())
            try:
                async with lock:
                    known = _profile(await cache.cache_get(key))
                    if known is None:
                        known = await self._ask_chatwoot(token, key)
                        await cache.cache_set(key, known, self.ttl)
            finally:
                if not lock.locked() and not lock.statistics().tasks_waiting:
                    self._asking.pop(key, None)
        member_of = set(known["member_of"])  # the whole list: servers with other allowlists may share the cache
        accounts = tuple(a for a in self.settings.account_ids if a in member_of)
        identity = Identity(known["user_id"], known["name"], accounts)
        if not identity.account_ids:
            served = ", ".join(map(str, self.settings.account_ids))
            raise AuthRefused(403, f"your Chatwoot user is not a member of any account this server serves ({served})")
        return self._session(key, token, identity)

    def _session(self, key: str, token: str, identity: Identity) -> UserSession:
        session = self._sessions.get(key)
        if session is None or session.identity != identity:
            client = AsyncChatwootClient(self.settings.base_url, token, http_client=self.http)

            async def recheck() -> None:
                await self.forget(key)

            session = UserSession(identity, client, Directory(client), token, recheck)
            self._sessions[key] = session
            if len(self._sessions) > MAX_USERS:
                self._sessions.popitem(last=False)
        self._sessions.move_to_end(key)
        return session

    async def forget(self, key: str) -> None:
        """Drop the token behind `key` (its profile key) from every cache: the next request asks Chatwoot."""
        self._sessions.pop(key, None)
        self._memory.pop(key)
        cache = self._cache_of() if self._cache_of is not None else None
        if cache is not None:
            await cache.cache_set(key, {"forgotten": True}, 1.0)  # not a profile: read as unknown
        for listener in self.on_forget:
            listener(key)

    async def _ask_chatwoot(self, token: str, key: str) -> dict[str, Any]:
        client = AsyncChatwootClient(self.settings.base_url, token, 15.0, max_retries=1, http_client=self.http)
        try:
            profile = await client.profile.get()
        except ChatwootAuthError:
            reason = "Chatwoot refused this token: copy your access token from Chatwoot's Profile settings"
            # Remembered briefly (in this process only), so a client retrying a bad token does not flood Chatwoot.
            await self._memory.cache_set("refused:" + key, (401, reason), REFUSAL_TTL)
            raise AuthRefused(401, reason) from None
        except ChatwootConnectionError:
            raise AuthRefused(503, "Chatwoot could not be reached to check the token; try again shortly") from None
        except ChatwootError as error:
            log.warning("the token check failed: Chatwoot answered %s", getattr(error, "status_code", "unexpectedly"))
            raise AuthRefused(502, "Chatwoot did not answer the token check; try again shortly") from None
        member_of = sorted(account.id for account in profile.accounts)
        return {"user_id": profile.id, "name": profile.name or str(profile.id), "member_of": member_of}


class ChatwootTokenMiddleware:
    """ASGI middleware: each HTTP request must carry a token Chatwoot accepts, and then acts as that token's user."""

    def __init__(self, app: Any, sessions: UserSessions) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            session = await self.sessions.session_for(bearer_token(scope))
        except AuthRefused as refused:
            await _refuse(send, refused.status, refused.reason)
            return
        scope[REQUEST_USER] = session
        # The SDK binds an MCP session (SSE, stateful streamable HTTP) to the principal in scope["user"] that
        # opened it, and refuses its messages from any other: without one, another user who learnt a session id
        # could post calls whose results stream to the session's owner.
        scope["user"] = _principal(session)
        await self.app(scope, receive, send)


def _principal(session: UserSession) -> AuthenticatedUser:
    """The user as the SDK's session checks know principals (no token in it: the SDK's auth context may show it)."""
    subject = f"chatwoot-user:{session.identity.user_id}"
    return AuthenticatedUser(AccessToken(token=subject, client_id="chatwoot-mcp", scopes=[], subject=subject))


def _profile(cached: Any) -> dict[str, Any] | None:
    """A cached profile, or None when absent or of another shape (written by another version of the server)."""
    if not isinstance(cached, dict) or not isinstance(cached.get("user_id"), int):
        return None
    if not isinstance(cached.get("name"), str) or not isinstance(cached.get("member_of"), list):
        return None
    return cached


def bearer_token(scope: Any) -> str | None:
    """The credentials of an `Authorization: Bearer ...` header (None without one, or for another scheme)."""
    for name, value in scope.get("headers") or []:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() or None if scheme.lower() == "bearer" else None
    return None


async def _refuse(send: Any, status: int, reason: str) -> None:
    headers = [(b"content-type", b"application/json")]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="chatwoot-mcp"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps({"error": reason}).encode()})


def request_principal(ctx: Any) -> str | None:
    """Whom sealed request state (elicitation answers) is bound to: the request's Chatwoot user, if any."""
    scope = getattr(ctx.request, "scope", None)
    user = scope.get(REQUEST_USER) if isinstance(scope, dict) else None
    return f"chatwoot-user:{user.identity.user_id}" if isinstance(user, UserSession) else None


def request_state_security(settings: Settings) -> RequestStateSecurity | None:
    """The sealing of request state: keys from CHATWOOT_MCP_STATE_KEY (the same on every worker, or a worker cannot
    open what another sealed), bound to the calling user with per-user tokens. None: the SDK's per-process key."""
    if not settings.state_keys and not settings.per_user:
        return None
    keys = list(settings.state_keys) or [os.urandom(32)]
    return RequestStateSecurity(keys=keys, bind_principal=request_principal)
