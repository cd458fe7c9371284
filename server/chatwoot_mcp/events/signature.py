"""Whether a webhook delivery was signed by Chatwoot with one of our secrets, and is fresh.

Chatwoot (4.12+) signs account webhooks: `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret,
"<X-Chatwoot-Timestamp>.<raw body>")>`. The signature is checked over the raw bytes as received (never a re-encoded
parse), against every configured secret (rotation: the new one first, the old one until the webhook is updated), in
constant time. Chatwoot enforces no replay window, so the receiver does: a timestamp more than MAX_AGE seconds
old, or more than MAX_SKEW ahead of our clock, is refused even with a good signature.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

__all__ = ["MAX_AGE", "MAX_SKEW", "sign", "signature_problem"]

MAX_AGE = 300.0
"""Seconds a signed delivery stays acceptable after its timestamp."""
MAX_SKEW = 60.0
"""Seconds a timestamp may lie ahead of our clock (clocks differ a little; a delivery from the future is forged)."""
PREFIX = "sha256="


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Chatwoot-Signature value Chatwoot sends for `body` at `timestamp`.

    Tests and benchmarks sign with it; the sandbox, which imports nothing of the server, has its own copy."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def signature_problem(
    secrets: Sequence[str], signature: str | None, timestamp: str | None, body: bytes, now: float | None = None
) -> str | None:
    """Why the delivery is not acceptable (a short reason for the 401 body, naming no secret), or None when it is."""
    if not signature or not timestamp:
        return "missing X-Chatwoot-Signature or X-Chatwoot-Timestamp"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "X-Chatwoot-Timestamp is not Unix seconds"
    expected = signature.strip().encode("ascii", "replace")
    matched = False
    for secret in secrets:  # every secret is tried, so the time taken says nothing about which one matched
        matched |= hmac.compare_digest(expected, sign(secret, timestamp, body).encode())
    if not matched:
        return "bad signature"
    age = (time.time() if now is None else now) - int(timestamp)
    if age > MAX_AGE:
        return "timestamp too old (replay window is 5 minutes)"
    if age < -MAX_SKEW:
        return "timestamp in the future"
    return None
