"""A fair share of MCP sessions per user, so that one user opening sessions in a loop cannot lock the others out.

Why: a stateful MCP session (streamable HTTP with `Mcp-Session-Id`, or an SSE connection) costs the process about
45 KB and a task until its client ends it or, over streamable HTTP, it has been idle for 30 minutes; and the SDK
opens at most 10 000 of them per process, for all users together, answering 503 beyond that. One user (a script
opening sessions in a loop, a client that never ends its own) could fill that, and nobody else could open one for
half an hour. So each user may hold `CHATWOOT_MCP_MAX_SESSIONS_PER_USER` sessions (default 50), counted here.

Who a user is: the request's principal, `scope["user"]` (an `AuthenticatedUser`, set by the per-user token
middleware, or by OAuth), taken as the SDK takes it when it binds a session to its owner (`principal_components`:
client, issuer, subject). This middleware therefore sits inside authentication. A request without one (a shared
bearer token, or no authentication) passes untouched: there is nobody to share between, and only the SDK's own
limit applies.

Streamable HTTP (`SessionShare`): every request passes through here, so the sessions are seen being opened (the
`Mcp-Session-Id` on the answer to a POST that carried none) and used (the header on requests), and the requests in
flight on each are counted as they enter and leave, an open GET stream included: a session with none is idle, as
the SDK reckons it for its idle expiry. When a user who holds the limit opens one more, the session of theirs that
has been idle longest (for sessions opened and left, the oldest) is ended first, the way its client would end it:
a DELETE with its id, as its owner, through the SDK's app, so the SDK terminates it and its id answers 404 from
then on. If none of theirs is idle, the new session is refused: 429, `Retry-After`, and one line of JSON-RPC error
saying why (MCP clients show that message). No other user's session is ever looked at. Sessions the SDK ended by
itself (idle expiry, a crash) are forgotten here once past the same idle timeout, and before that they are idle,
so they are the first to be "ended" (the DELETE answers 404, which frees their place just the same).

SSE (`StreamShare`): a session is its GET /sse connection, open as long as the session lives, so none is ever
idle; a user holding the limit is refused another connection the same way, until they close one.

Nothing inside the SDK is touched: what is counted is the HTTP traffic passing through, and a session is ended by
the protocol's own DELETE; `tests/server/test_team_fair_share.py` fails if the SDK stops answering these the same way.

Stateless streamable HTTP and 2026-era requests (an `MCP-Protocol-Version` of a sessionless revision) open no
session: they pass untouched, and `fair_share` leaves a stateless app unwrapped.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import principal_components
from mcp.server.streamable_http import MCP_SESSION_ID_HEADER
from mcp.server.streamable_http_manager import DEFAULT_SESSION_IDLE_TIMEOUT
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from chatwoot_mcp.config import Settings

__all__ = ["RETRY_AFTER", "SessionShare", "StreamShare", "fair_share", "principal", "refuse"]

log = logging.getLogger("chatwoot_mcp")

RETRY_AFTER = 30
"""Seconds a refused client is told to wait (`Retry-After`): a busy session is one with a call or stream open."""

SWEEP_EVERY = 60.0
"""Seconds between sweeps forgetting sessions the SDK has expired, of users who have not come back."""

_SESSION_HEADER = MCP_SESSION_ID_HEADER.encode()
_VERSION_HEADER = MCP_PROTOCOL_VERSION_HEADER.encode()
_HANDSHAKE_VERSIONS = frozenset(v.encode() for v in HANDSHAKE_PROTOCOL_VERSIONS)

Principal = tuple[str, str | None, str | None]
"""Who a session belongs to, as the SDK tells owners apart: (client, issuer, subject)."""


def fair_share(app: Any, settings: Settings) -> Any:
    """`app` (the SDK's HTTP app) behind the per-user session limit, or `app` itself when it opens no sessions."""
    limit = settings.max_sessions_per_user
    if not limit or settings.transport == "stdio" or (settings.stateless and settings.transport != "sse"):
        return app
    return StreamShare(app, limit) if settings.transport == "sse" else SessionShare(app, limit)


def principal(scope: Any) -> Principal | None:
    """The user a request acts as, as the SDK tells session owners apart; None without per-user identity."""
    user = scope.get("user")
    return principal_components(user.access_token) if isinstance(user, AuthenticatedUser) else None


@dataclass(eq=False)
class _Session:
    owner: Principal
    session_id: str
    idle_since: float
    busy: int = 0
    """Requests in flight on it, an open GET stream included (the SDK's own reckoning of idle)."""


class SessionShare:
    """ASGI middleware in front of the SDK's stateful streamable HTTP app: at most `limit` sessions per user."""

    def __init__(
        self,
        app: Any,
        limit: int,
        *,
        path: str = "/mcp",
        idle_timeout: float | None = DEFAULT_SESSION_IDLE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`path` and `idle_timeout` must be what the SDK's app was built with (its defaults are these)."""
        self.app = app
        self.limit = limit
        self.path = path
        self.idle_timeout = idle_timeout
        self._owned: dict[Principal, dict[str, _Session]] = {}
        self._opening: dict[Principal, int] = {}
        self.clock = clock
        self._next_sweep = clock() + SWEEP_EVERY

    def sessions_of(self, owner: Principal) -> list[str]:
        """The ids of `owner`'s open sessions as seen here, oldest first."""
        return list(self._owned.get(owner, {}))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        owner = principal(scope) if scope["type"] == "http" else None
        if owner is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        version = headers.get(_VERSION_HEADER)
        session_id = headers.get(_SESSION_HEADER)
        if version is not None and version not in _HANDSHAKE_VERSIONS:
            await self.app(scope, receive, send)  # a sessionless (2026-era) request
        elif session_id is not None:
            await self._use(owner, session_id.decode("latin-1"), scope, receive, send)
        elif scope.get("method") == "POST" and scope.get("path") == self.path:
            await self._open(owner, scope, receive, send)
        else:
            await self.app(scope, receive, send)  # opens nothing: the SDK answers it

    async def _use(self, owner: Principal, session_id: str, scope: Any, receive: Any, send: Any) -> None:
        session = self._owned.get(owner, {}).get(session_id)
        if session is None:  # not theirs, or not known here: the SDK answers as it would
            await self.app(scope, receive, send)
            return
        status = _Status(send)
        session.busy += 1
        try:
            await self.app(scope, receive, status.send)
        finally:
            session.busy -= 1
            session.idle_since = self.clock()
            ended = scope.get("method") == "DELETE" and status.code is not None and status.code < 300
            if ended or status.code == 404:
                self._forget(session)  # ended by its client, or gone already (expired, crashed)

    async def _open(self, owner: Principal, scope: Any, receive: Any, send: Any) -> None:
        """A request that opens a session, if the SDK accepts it: within the user's limit, or not at all."""
        self._sweep()
        owned = self._owned.get(owner, {})
        if len(owned) + self._opening.get(owner, 0) >= self.limit:
            victim = min((s for s in owned.values() if not s.busy), key=lambda s: s.idle_since, default=None)
            if victim is None:
                _log_refusal(owner, self.limit, "none is idle")
                await refuse(send, _refusal(self.limit, "and none is idle: end one or let a call finish, then retry"))
                return
            # Forgotten, and the new one counted, before anything is awaited: concurrent opens see both.
            self._forget(victim)
            self._count_opening(owner, 1)
            try:
                closed = await self._close(victim, scope)
            finally:
                self._count_opening(owner, -1)
            if not closed:
                self._owned.setdefault(owner, {})[victim.session_id] = victim
                await refuse(send, _refusal(self.limit, "and the longest idle one could not be ended: retry"), 503)
                return
            log.info(
                "ended session %s... of %s, idle %.0f s, to open another (%d per user)",
                victim.session_id[:8],
                _name(owner),
                self.clock() - victim.idle_since,
                self.limit,
            )
        await self._serve_opening(owner, scope, receive, send)

    async def _serve_opening(self, owner: Principal, scope: Any, receive: Any, send: Any) -> None:
        self._count_opening(owner, 1)
        opened: _Session | None = None

        async def watch(message: Any) -> None:
            nonlocal opened
            if message["type"] == "http.response.start" and message["status"] < 400 and opened is None:
                session_id = dict(message.get("headers") or []).get(_SESSION_HEADER)
                if session_id is not None:
                    # Counted as open from the answer's first byte: the client may use it before this returns.
                    opened = _Session(owner, session_id.decode("latin-1"), self.clock(), busy=1)
                    self._owned.setdefault(owner, {})[opened.session_id] = opened
                    self._count_opening(owner, -1)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if opened is None:
                self._count_opening(owner, -1)
            else:
                opened.busy -= 1
                opened.idle_since = self.clock()

    def _count_opening(self, owner: Principal, change: int) -> None:
        count = self._opening.get(owner, 0) + change
        if count:
            self._opening[owner] = count
        else:
            self._opening.pop(owner, None)

    async def _close(self, session: _Session, scope: Any) -> bool:
        """End `session` as its client would: DELETE with its id, as its owner (the request's principal), through
        the SDK's app, which terminates it. True when it is gone (ended now, or gone already: 404)."""
        headers = [(name, value) for name, value in scope.get("headers") or [] if name in (b"host", b"origin")]
        headers.append((_SESSION_HEADER, session.session_id.encode("latin-1")))
        delete = {**scope, "method": "DELETE", "headers": headers, "query_string": b""}
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if asked:
                return {"type": "http.disconnect"}
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}

        status = _Status(None)
        try:
            await self.app(delete, receive, status.send)
        except Exception:
            log.exception("could not end session %s... of %s", session.session_id[:8], _name(session.owner))
            return False
        if status.code not in (200, 204, 404):
            log.warning(
                "could not end session %s... of %s: %s", session.session_id[:8], _name(session.owner), status.code
            )
        return status.code in (200, 204, 404)

    def _forget(self, session: _Session) -> None:
        owned = self._owned.get(session.owner)
        if owned is not None and owned.get(session.session_id) is session:
            del owned[session.session_id]
            if not owned:
                del self._owned[session.owner]

    def _sweep(self) -> None:
        """Forget sessions idle past the SDK's idle timeout (it has ended them), at most every SWEEP_EVERY s."""
        now = self.clock()
        if self.idle_timeout is None or now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY
        for owner, owned in list(self._owned.items()):
            for session in [s for s in owned.values() if not s.busy and now - s.idle_since > self.idle_timeout]:
                del owned[session.session_id]
            if not owned:
                del self._owned[owner]


class StreamShare:
    """ASGI middleware in front of the SDK's SSE app: at most `limit` open GET /sse connections (sessions) per user."""

    def __init__(self, app: Any, limit: int, *, path: str = "/sse") -> None:
        self.app = app
        self.limit = limit
        self.path = path
        self._open: dict[Principal, int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        owner = principal(scope) if scope["type"] == "http" else None
        if owner is None or scope.get("method") != "GET" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        if self._open.get(owner, 0) >= self.limit:
            _log_refusal(owner, self.limit, "SSE")
            await refuse(send, _refusal(self.limit, "(each is an open SSE connection): close one, then retry"))
            return
        self._open[owner] = self._open.get(owner, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._open[owner] -= 1
            if not self._open[owner]:
                del self._open[owner]


class _Status:
    """A `send` that remembers the HTTP status answered (and passes every message on, when given where to)."""

    def __init__(self, send: Any) -> None:
        self._send = send
        self.code: int | None = None

    async def send(self, message: Any) -> None:
        if message["type"] == "http.response.start":
            self.code = message["status"]
        if self._send is not None:
            await self._send(message)


def _refusal(limit: int, rest: str) -> str:
    return f"you already have {limit} MCP sessions open on this server, its limit per user, {rest}"


async def refuse(send: Any, reason: str, status: int = 429) -> None:
    """Answer `status` with `Retry-After` and a one-line JSON-RPC error (which MCP clients show) saying `reason`."""
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": reason}})
    headers = [(b"content-type", b"application/json"), (b"retry-after", str(RETRY_AFTER).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})


def _name(owner: Principal) -> str:
    """How a principal is named in the log: its subject (`chatwoot-user:7`), else its client."""
    client, _issuer, subject = owner
    return subject or client


def _log_refusal(owner: Principal, limit: int, why: str) -> None:
    log.warning("refused %s another MCP session: %d open, the limit per user (%s)", _name(owner), limit, why)
