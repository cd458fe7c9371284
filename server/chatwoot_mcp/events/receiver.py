"""POST /webhooks/chatwoot: Chatwoot's signed webhooks, verified before anything is recorded.

Mounted on the HTTP transports only when a webhook secret is configured (otherwise the path does not exist: 404).
It answers in front of authentication: Chatwoot sends no bearer, and a bearer is never accepted in place of a
signature (the Authorization header is not even read). In order, a delivery is refused:
- 405 for a method other than POST;
- 413 when its body is larger than MAX_BODY (said by Content-Length before reading, or found while reading);
- 401 when X-Chatwoot-Signature, -Timestamp or -Delivery is missing, the signature matches none of the secrets
  (constant time, over the raw body), or the timestamp is over 5 minutes old or ahead of our clock;
- 400 when the body is not a JSON object; 403 when its account is not in the configured allowlist;
- 409 when its delivery id, or its signature, was seen before (a replay: the delivery id is not signed, so the
  signed bytes are remembered too), on every replica that shares the state.
Nothing is recorded for any refused delivery. A verified one is answered 200 with the number of events it made
(most deliveries make none, see `events.payloads`), 503 if the shared state cannot be reached.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from chatwoot_mcp.config import Settings
from chatwoot_mcp.events.payloads import account_of, events_of
from chatwoot_mcp.events.signature import MAX_AGE, MAX_SKEW, signature_problem
from chatwoot_mcp.state.base import StateUnavailable

__all__ = ["MAX_BODY", "PATH", "REPLAY_WINDOW", "WebhookReceiver"]

log = logging.getLogger("chatwoot_mcp.webhooks")

PATH = "/webhooks/chatwoot"
MAX_BODY = 2 * 1024 * 1024
"""Bytes a delivery may have: a 150,000-character message appears three times in its payload (content, the
conversation's last message, its processed copy)."""
REPLAY_WINDOW = MAX_AGE + MAX_SKEW + 60
"""Seconds a delivery id and signature are remembered: longer than any timestamp stays acceptable."""
ONCE_WINDOW = 600.0
"""Seconds an event two deliveries describe (a status change) is remembered as recorded."""


class WebhookReceiver:
    """ASGI middleware answering POST /webhooks/chatwoot itself; every other request passes on to `app`."""

    def __init__(self, app: Any, settings: Settings, state_of: Callable[[], Any]) -> None:
        self.app = app
        self.settings = settings
        self.state_of = state_of

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != PATH:
            await self.app(scope, receive, send)
            return
        status, body = await self._deliver(scope, receive)
        headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
        if status == 405:
            headers.append((b"allow", b"POST"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    async def _deliver(self, scope: Any, receive: Any) -> tuple[int, dict[str, Any]]:
        if scope.get("method") != "POST":
            return 405, {"error": "POST only"}
        headers = _headers(scope)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            return _refused(413, f"body over {MAX_BODY} bytes")
        raw = await _read(receive, MAX_BODY)
        if raw is None:
            return _refused(413, f"body over {MAX_BODY} bytes")
        signature, timestamp = headers.get("x-chatwoot-signature"), headers.get("x-chatwoot-timestamp")
        delivery = headers.get("x-chatwoot-delivery", "").strip()
        problem = signature_problem(self.settings.webhook_secrets, signature, timestamp, raw)
        if problem is None and not 0 < len(delivery) <= 200:
            problem = "missing X-Chatwoot-Delivery"
        if problem is not None:
            return _refused(401, problem)
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return _refused(400, "body is not a JSON object")
        account_id = account_of(payload)
        if account_id is None and len(self.settings.account_ids) == 1:
            account_id = self.settings.default_account_id  # a pre-4.15 conversation payload names no account
        if account_id is None or account_id not in self.settings.account_ids:
            return _refused(403, "account not served here")
        state = self.state_of()
        if state is None:
            return _refused(503, "not ready")
        try:
            return await self._record(state, payload, account_id, delivery, signature or "")
        except StateUnavailable:
            log.warning("webhook delivery not recorded: the shared state cannot be reached")
            return 503, {"error": "shared state unavailable"}

    async def _record(
        self, state: Any, payload: dict[str, Any], account_id: int, delivery: str, signature: str
    ) -> tuple[int, dict[str, Any]]:
        first_delivery = await state.claim("webhook:delivery:" + _digest(delivery), REPLAY_WINDOW)
        first_signature = await state.claim("webhook:signature:" + _digest(signature), REPLAY_WINDOW)
        if not (first_delivery and first_signature):
            return _refused(409, "delivery seen before (replay)")
        recorded = 0
        for draft in events_of(payload, account_id):
            once = draft.pop("once", None)
            if once is not None and not await state.claim("webhook:once:" + _digest(once), ONCE_WINDOW):
                continue  # the sibling delivery (status_changed / conversation_updated) recorded it
            await state.event_append({**draft, "data": {**draft["data"], "source": "webhook"}})
            recorded += 1
        log.debug("webhook %s: %d event(s)", payload.get("event"), recorded)
        return 200, {"status": "ok", "events": recorded}


def _refused(status: int, reason: str) -> tuple[int, dict[str, Any]]:
    log.info("webhook delivery refused (%d): %s", status, reason)
    return status, {"error": reason}


def _headers(scope: Any) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers") or ()}


async def _read(receive: Any, limit: int) -> bytes | None:
    """The request body, or None as soon as it grows past `limit` (the rest is never read)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client went away: what came is checked (and will not verify)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:40]
