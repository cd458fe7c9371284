"""When to retry a request and how long to wait: pure rules, no I/O, so they can be tested as tables.

The rule that matters most: a request that is not idempotent (creating a conversation or a message) is sent again
only when it provably never reached Chatwoot. Any answer, even a 429 or a 5xx, and any failure after the
connection was made may come after Chatwoot stored it, and sending it again would send the customer the reply twice.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC

import httpx2

__all__ = ["RetryPolicy", "never_sent", "parse_retry_after", "retry_delay", "should_retry_status"]

DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry and the backoff bounds, in seconds."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = INITIAL_RETRY_DELAY
    max_delay: float = MAX_RETRY_DELAY


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Read `retry-after-ms` or `Retry-After` (seconds or an HTTP date) as seconds, if usable.

    Values outside (0, 60] are ignored: a server asking for minutes is better answered by an error
    than by a request that hangs. Chatwoot's rack-attack sends no such header; proxies in front of it may.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            seconds = float(raw_ms) / 1000
        except ValueError:
            seconds = None
        if seconds is not None and 0 < seconds <= MAX_RETRY_AFTER:
            return seconds
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):  # not a number and not an HTTP date
            return None
        if parsed.tzinfo is None:  # "-0000": HTTP dates are UTC
            parsed = parsed.replace(tzinfo=UTC)
        seconds = parsed.timestamp() - (time.time() if now is None else now)
    return seconds if 0 < seconds <= MAX_RETRY_AFTER else None


def retry_delay(attempt: int, retry_after: float | None, policy: RetryPolicy, jitter: float) -> float:
    """Seconds to wait before retry number `attempt` (1-based).

    `retry_after` (from the server) wins when present. Otherwise the delay doubles from
    `policy.initial_delay` up to `policy.max_delay`, and `jitter` in [0, 1) takes up to a quarter off it
    so that many clients throttled together do not come back in lockstep.
    """
    if retry_after is not None:
        return retry_after
    base = min(policy.initial_delay * 2 ** (attempt - 1), policy.max_delay)
    return base * (1 - 0.25 * jitter)


def should_retry_status(status_code: int, *, idempotent: bool) -> bool:
    """Retry throttling and server failures, but only for requests that are safe to repeat.

    Not even a 429 is retried for the others: rack-attack refuses before Rails runs the request, but a proxy or
    load balancer in front of Chatwoot can answer 429 (or 502, 504) after Rails has stored the message.
    """
    return idempotent and status_code in RETRYABLE_STATUSES


def never_sent(error: httpx2.TransportError) -> bool:
    """Whether a transport failure proves that the request never reached Chatwoot.

    Only a failure to get a connection does: connecting failed or timed out, or no pooled connection became free
    in time. Everything later (a read or write timeout, a reset, a malformed answer) may come after Chatwoot
    received the request.
    """
    return isinstance(error, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout)
