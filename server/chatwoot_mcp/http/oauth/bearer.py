"""The resource server's door: every MCP request carries an access token this server issued, for this resource.

Any other bearer (a Chatwoot token, a token of another server, an expired or revoked one) gets 401 with the
`WWW-Authenticate` challenge that starts a host's OAuth flow; a tool call outside the granted scopes gets 403
`insufficient_scope` naming the scope to ask for. A known token is answered from this process's memory (a hash
and a dictionary lookup); on a miss, one read of the shared state finds its record, and the Chatwoot token
sealed in it is opened to act as its user, exactly as `--auth chatwoot-token` does with a pasted one.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken

from chatwoot_mcp.context import REQUEST_SCOPES, REQUEST_USER
from chatwoot_mcp.http.auth import AuthRefused, UserSession, UserSessions, bearer_token, profile_key
from chatwoot_mcp.http.oauth.provider import subject_of
from chatwoot_mcp.http.oauth.sealing import SealingError, token_hash
from chatwoot_mcp.http.oauth.store import AccessRecord, GrantStore
from chatwoot_mcp.state import StateUnavailable
from chatwoot_mcp.state.memory import TtlCache
from chatwoot_mcp.surface.scopes import SCOPES, scopes_text

__all__ = ["KNOWN_TTL", "OAuthBearerMiddleware"]

log = logging.getLogger("chatwoot_mcp")

KNOWN_TTL = 15.0
"""Seconds a verified token is trusted from memory: a grant revoked on another replica ends here within this."""
MAX_PEEK = 1024 * 1024
"""The most of a request body read to learn which tool it calls (larger calls are checked by the server)."""


@dataclass(frozen=True)
class _Known:
    record: AccessRecord
    session: UserSession
    until: float
    granted: frozenset[str]
    principal: AuthenticatedUser
    """The user as the SDK's session checks know principals (the subject, never the token)."""


class OAuthBearerMiddleware:
    """ASGI: admit requests with a valid access token of ours, acting as its user within its scopes."""

    def __init__(
        self,
        app: Any,
        store: GrantStore,
        sessions: UserSessions,
        issuer: str,
        resource: str,
        metadata_url: str,
        scope_of_tool: Callable[[str], str | None],
    ) -> None:
        self.app = app
        self.store = store
        self.sessions = sessions
        self.issuer = issuer
        self.resource = resource
        self.metadata_url = metadata_url
        self.scope_of_tool = scope_of_tool
        self._known = TtlCache(max_entries=10_000)
        self._by_grant: dict[str, set[str]] = {}
        self._by_chatwoot_token: dict[str, set[str]] = {}
        store.on_revoke.append(self.forget_grant)
        sessions.on_forget.append(self.forget_chatwoot_token)

    def forget_grant(self, grant_id: str) -> None:
        for key in self._by_grant.pop(grant_id, set()):
            self._known.pop(key)

    def forget_chatwoot_token(self, profile: str) -> None:
        for key in self._by_chatwoot_token.pop(profile, set()):
            self._known.pop(key)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        if token is None:
            await self._challenge(send, 401, None, "send an access token from this server's OAuth flow")
            return
        try:
            known = await self._verify(token)
        except AuthRefused as refused:
            error = "invalid_token" if refused.status == 401 else None
            await self._challenge(send, refused.status, error, refused.reason)
            return
        granted = known.granted
        if len(granted) < len(SCOPES):
            needed, receive = await self._tool_scope(scope, receive)
            if needed is not None and needed not in granted:
                await self._challenge(
                    send,
                    403,
                    "insufficient_scope",
                    f"this tool needs the {needed} permission, which was not granted",
                    scopes_text(granted | {needed}),
                )
                return
        scope[REQUEST_USER] = known.session
        scope[REQUEST_SCOPES] = granted
        scope["user"] = known.principal
        await self.app(scope, receive, send)

    async def _verify(self, token: str) -> _Known:
        key = token_hash(token)
        known: _Known | None = await self._known.cache_get(key)
        now = time.time()
        if known is not None and known.record.expires_at > now:
            return known
        if not token.startswith("cwm_at_") or len(token) > 100:
            raise AuthRefused(401, "this server accepts only access tokens it issued itself (sign in again)")
        try:
            record = await self.store.access(token)
        except StateUnavailable:
            raise AuthRefused(503, "the server's shared state cannot be reached; try again shortly") from None
        if record is None or record.expires_at <= now:
            raise AuthRefused(401, "the access token has expired or was revoked")
        if record.resource != self.resource:
            raise AuthRefused(401, f"the access token was issued for another resource, not {self.resource}")
        try:
            chatwoot_token = self.store.chatwoot_token(record)
        except SealingError:
            log.warning("an access token's Chatwoot token could not be opened (was CHATWOOT_MCP_STATE_KEY changed?)")
            raise AuthRefused(401, "sign in again: the server can no longer read this grant") from None
        try:
            session = await self.sessions.session_for(chatwoot_token)
        except AuthRefused as refused:
            if refused.status == 401:  # the user reset their Chatwoot token: the grant is worth nothing now
                await self.store.revoke_grant(record.grant_id)
                raise AuthRefused(401, "Chatwoot no longer accepts this user's token: sign in again") from None
            raise
        subject = subject_of(record.user_id)
        principal = AuthenticatedUser(
            AccessToken(
                token=subject,  # the SDK's auth context may show it: the subject, never the token
                client_id=record.client_id,
                scopes=record.scopes,
                expires_at=record.expires_at,
                resource=record.resource,
                subject=subject,
                claims={"iss": self.issuer},
            )
        )
        known = _Known(record, session, min(record.expires_at, now + KNOWN_TTL), frozenset(record.scopes), principal)
        await self._known.cache_set(key, known, known.until - now)
        self._by_grant.setdefault(record.grant_id, set()).add(key)
        self._by_chatwoot_token.setdefault(profile_key(chatwoot_token), set()).add(key)
        return known

    async def _tool_scope(self, scope: Any, receive: Any) -> tuple[str | None, Any]:
        """The scope the request's tool call needs (None: not a tool call), and a `receive` that replays the body."""
        headers = dict(scope.get("headers") or [])
        method = headers.get(b"mcp-method")
        if method is not None:  # 2026-07-28 names the call in headers (the SDK checks they match the body)
            if method != b"tools/call":
                return None, receive
            name = headers.get(b"mcp-name", b"").decode("utf-8", "replace")
            return self.scope_of_tool(name), receive
        if scope.get("method") != "POST":
            return None, receive
        messages: list[Any] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if not message.get("more_body", False) or size > MAX_PEEK:
                break
        replay = _replay(messages, receive)
        last = messages[-1]
        if last["type"] != "http.request" or last.get("more_body", False):
            return None, replay  # not the whole body: the server's own check still refuses an ungranted tool
        try:
            payload = json.loads(b"".join(message.get("body", b"") for message in messages))
        except ValueError:
            return None, replay
        calls = payload if isinstance(payload, list) else [payload]
        for call in calls:
            if isinstance(call, dict) and call.get("method") == "tools/call" and isinstance(call.get("params"), dict):
                needed = self.scope_of_tool(str(call["params"].get("name", "")))
                if needed is not None:
                    return needed, replay
        return None, replay

    async def _challenge(
        self, send: Any, status: int, error: str | None, description: str, scope: str | None = None
    ) -> None:
        parts = [f'resource_metadata="{self.metadata_url}"', f'scope="{scope or scopes_text(SCOPES)}"']
        if error:
            parts[:0] = [f'error="{error}"', f'error_description="{description.replace(chr(34), chr(39))}"']
        headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
        if status in (401, 403):
            headers.append((b"www-authenticate", ("Bearer " + ", ".join(parts)).encode()))
        body = {"error": error or ("invalid_request" if status < 500 else "temporarily_unavailable")}
        body["error_description"] = description
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})


def _replay(messages: list[Any], receive: Any) -> Any:
    """A `receive` that hands over the messages already read first, then whatever else the client sends."""
    queue = list(messages)

    async def replaying() -> Any:
        return queue.pop(0) if queue else await receive()

    return replaying
