"""When to retry a request and how long to wait: pure rules, no I/O, so they can be tested as tables."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC

__all__ = ["RetryPolicy", "parse_retry_after", "retry_delay", "should_retry_status"]

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
    """Retry throttling always (rack-attack refused it before Chatwoot ran it); other failures only if repeatable."""
    if status_code == 429:
        return True
    return idempotent and status_code in RETRYABLE_STATUSES
