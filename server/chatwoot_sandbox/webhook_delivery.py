"""How the sandbox POSTs a webhook: signed as Chatwoot 4.12+ signs it, tried once, failures logged and swallowed.

The `Outbox` on every `SandboxState` (`state.outbox`) is the one seam a test or an embedding server sets:

    state.outbox.transport = httpx2.ASGITransport(app=receiver)   # deliver in-process; None: over the network
    state.outbox.timeout = 5.0                                     # WEBHOOK_TIMEOUT, seconds (the default)
    await state.webhooks_idle()                                    # every queued event built, sent and answered
    state.outbox.sent                                              # what was tried: `Delivery` records, oldest first

Like `lib/webhooks/trigger.rb`: one POST per delivery with `Content-Type`/`Accept: application/json`,
`X-Chatwoot-Delivery` (a uuid4), `X-Chatwoot-Timestamp` (unix seconds) and `X-Chatwoot-Signature`
(`sha256=` + hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed with the webhook's secret). A non-2xx answer or a
transport error is logged and that is the end of it: no retry, the response body is ignored. The SSRF filter of
4.14+ (loopback and private targets refused) is not emulated: the sandbox delivers to loopback, which is its use.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections import deque
from dataclasses import dataclass, field

import httpx2

__all__ = [
    "ALLOWED_EVENTS",
    "DEFAULT_SUBSCRIPTIONS",
    "DEFAULT_TIMEOUT",
    "Delivery",
    "Outbox",
    "encode",
    "new_secret",
    "signature",
]

log = logging.getLogger("chatwoot_sandbox")

ALLOWED_EVENTS: tuple[str, ...] = (
    "conversation_status_changed",
    "conversation_updated",
    "conversation_created",
    "contact_created",
    "contact_updated",
    "message_created",
    "message_updated",
    "webwidget_triggered",
    "inbox_created",
    "inbox_updated",
    "conversation_typing_on",
    "conversation_typing_off",
)
"""`Webhook::ALLOWED_WEBHOOK_EVENTS`."""
DEFAULT_SUBSCRIPTIONS: tuple[str, ...] = ALLOWED_EVENTS[:8]
"""The `subscriptions` column default (db/schema.rb): no typing and no inbox events."""
DEFAULT_TIMEOUT = 5.0
"""`WEBHOOK_TIMEOUT`'s default, seconds, for connecting and for reading."""
SENT_KEPT = 1000
"""How many `Delivery` records `Outbox.sent` keeps."""

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def new_secret() -> str:
    """`has_secure_token :secret`: `SecureRandom.base58(24)`."""
    return "".join(secrets.choice(_BASE58) for _ in range(24))


def encode(payload: dict[str, object]) -> bytes:
    """`payload.to_json` with ActiveSupport's encoder: compact, UTF-8, and `<`, `>`, `&`, U+2028, U+2029 written as
    `\\uXXXX` (`escape_html_entities_in_json`, on by default in Rails). These characters only ever occur inside JSON
    strings, so replacing them in the text is exact."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _HTML_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text.encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`X-Chatwoot-Signature`: `sha256=` + lowercase hex HMAC-SHA256(secret, "<timestamp>.<raw body>")."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass
class Delivery:
    """One POST the sandbox tried: to which webhook, for which event, and how it ended (`status` of the answer, or
    `error` when there was none or it was not 2xx)."""

    webhook_id: int
    url: str
    event: str
    delivery_id: str
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Outbox:
    """Where webhook POSTs go, how long each may take, and what became of them (see the module docstring)."""

    transport: httpx2.AsyncBaseTransport | None = None
    """None: httpx2's network transport. Any `httpx2.AsyncBaseTransport` instead (ASGITransport, MockTransport)."""
    timeout: float = DEFAULT_TIMEOUT
    sent: deque[Delivery] = field(default_factory=lambda: deque(maxlen=SENT_KEPT))
    in_flight: int = 0
    """Deliveries started and not yet answered (or failed)."""
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)

    def send(self, webhook_id: int, url: str, secret: str, event: str, body: bytes, timestamp: str) -> None:
        """Start one signed POST of `body` to `url`; returns at once when an event loop runs (the POST is a task on
        it), else delivers before returning."""
        delivery = Delivery(webhook_id, url, event, str(uuid.uuid4()))
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Chatwoot-Delivery": delivery.delivery_id,
            "X-Chatwoot-Timestamp": timestamp,
            "X-Chatwoot-Signature": signature(secret, timestamp, body),
        }
        self.in_flight += 1
        attempt = self._post(delivery, body, headers)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(attempt)
            return
        task = loop.create_task(attempt)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, delivery: Delivery, body: bytes, headers: dict[str, str]) -> None:
        try:
            async with httpx2.AsyncClient(transport=self.transport, timeout=httpx2.Timeout(self.timeout)) as http:
                response = await http.post(delivery.url, content=body, headers=headers)
            delivery.status = response.status_code
            if not 200 <= response.status_code < 300:
                delivery.error = f"{response.status_code} {response.reason_phrase}".strip()
        except Exception as error:  # Trigger#execute rescues StandardError: logged, never retried
            delivery.error = f"{type(error).__name__}: {error}"
        finally:
            self.in_flight -= 1
            self.sent.append(delivery)
        if delivery.error is not None:  # the host only: a webhook URL may carry a token in its path or query
            host = _host(delivery.url)
            event, error = delivery.event, delivery.error
            log.warning("sandbox webhook %s %s to %s failed: %s", delivery.webhook_id, event, host, error)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_tasks"] = set()  # tasks belong to a running loop; a copy of the state starts with none
        return state


def _host(url: str) -> str:
    try:
        return httpx2.URL(url).host or "?"
    except Exception:  # the URL only had to contain "http:" to be accepted
        return "?"
