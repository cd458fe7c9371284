"""The pure retry rules: how long to wait, what a Retry-After header means, and which statuses to retry."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_client._retry import (
    MAX_RETRY_AFTER,
    RETRYABLE_STATUSES,
    RetryPolicy,
    never_sent,
    parse_retry_after,
    retry_delay,
    should_retry_status,
)

POLICY = RetryPolicy(max_retries=5, initial_delay=0.5, max_delay=8.0)


@pytest.mark.parametrize(
    ("attempt", "retry_after", "jitter", "expected"),
    [
        # no jitter: doubling from initial_delay
        (1, None, 0.0, 0.5),
        (2, None, 0.0, 1.0),
        (3, None, 0.0, 2.0),
        (4, None, 0.0, 4.0),
        (5, None, 0.0, 8.0),
        # full jitter takes up to a quarter off
        (1, None, 0.999999, 0.375),
        (3, None, 0.999999, 1.5),
        (5, None, 0.999999, 6.0),
        (2, None, 0.5, 0.875),
        # the cap holds however many attempts
        (6, None, 0.0, 8.0),
        (30, None, 0.0, 8.0),
        (30, None, 0.999999, 6.0),
        # the server's hint wins, unjittered and uncapped by the backoff bounds
        (1, 3.0, 0.0, 3.0),
        (4, 3.0, 0.999999, 3.0),
        (1, 12.0, 0.5, 12.0),
        (5, 0.001, 0.5, 0.001),
    ],
)
def test_retry_delay(attempt: int, retry_after: float | None, jitter: float, expected: float) -> None:
    assert retry_delay(attempt, retry_after, POLICY, jitter) == pytest.approx(expected, rel=1e-5)


def test_retry_delay_respects_a_small_policy() -> None:
    policy = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.01)
    delays = [retry_delay(attempt, None, policy, 0.0) for attempt in range(1, 7)]
    assert delays == pytest.approx([0.001, 0.002, 0.004, 0.008, 0.01, 0.01])


def test_retry_delay_jitter_spreads_clients_apart() -> None:
    delays = {retry_delay(2, None, POLICY, jitter / 10) for jitter in range(10)}
    assert len(delays) == 10
    assert all(0.75 < delay <= 1.0 for delay in delays)


def test_default_policy_is_bounded() -> None:
    policy = RetryPolicy()
    assert policy.max_retries >= 1
    assert 0 < policy.initial_delay <= policy.max_delay
    assert retry_delay(100, None, policy, 0.0) == policy.max_delay


NOW = 1_760_000_000.0  # 2025-10-09T08:53:20Z


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": " 3 "}, 3.0),
        ({"retry-after": "60"}, 60.0),
        ({"retry-after": "61"}, None),
        ({"retry-after": "3600"}, None),
        ({"retry-after": "0"}, None),
        ({"retry-after": "-5"}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "Thu, 32 Foo 2025 99:99:99 GMT"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        # HTTP dates, relative to NOW
        ({"retry-after": "Thu, 09 Oct 2025 08:53:30 GMT"}, 10.0),
        ({"retry-after": "Thu, 09 Oct 2025 08:53:30 -0000"}, 10.0),
        ({"retry-after": "Thu, 09 Oct 2025 10:53:30 +0200"}, 10.0),
        ({"retry-after": "Thu, 09 Oct 2025 08:53:20 GMT"}, None),
        ({"retry-after": "Thu, 09 Oct 2025 08:50:00 GMT"}, None),
        ({"retry-after": "Thu, 09 Oct 2025 09:53:20 GMT"}, None),
        # milliseconds win over seconds when usable
        ({"retry-after-ms": "1"}, 0.001),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "60000"}, 60.0),
        ({"retry-after-ms": "60001"}, None),
        ({"retry-after-ms": "0", "retry-after": "4"}, 4.0),
        ({"retry-after-ms": "-10", "retry-after": "4"}, 4.0),
        ({"retry-after-ms": "junk", "retry-after": "4"}, 4.0),
        ({"retry-after-ms": "junk"}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    parsed = parse_retry_after(headers, now=NOW)
    if expected is None:
        assert parsed is None
    else:
        assert parsed == pytest.approx(expected)


def test_parse_retry_after_never_exceeds_the_cap() -> None:
    for seconds in range(0, 200, 7):
        parsed = parse_retry_after({"retry-after": str(seconds)}, now=NOW)
        assert parsed is None or 0 < parsed <= MAX_RETRY_AFTER


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried_when_idempotent(status: int) -> None:
    assert should_retry_status(status, idempotent=True)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_failures_that_may_have_run_are_not_retried_for_non_idempotent_writes(status: int) -> None:
    assert not should_retry_status(status, idempotent=False)


def test_throttling_is_not_retried_for_non_idempotent_writes() -> None:
    """A 429 is no proof that Chatwoot did not run the request.

    rack-attack itself refuses before Rails runs anything, but a proxy or load balancer in front of Chatwoot can
    answer 429 after Rails stored the message; sending it again would send the customer the reply twice.
    """
    assert not should_retry_status(429, idempotent=False)
    assert should_retry_status(429, idempotent=True)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx2.ConnectError, True),
        (httpx2.ConnectTimeout, True),
        (httpx2.PoolTimeout, True),
        (httpx2.ReadTimeout, False),
        (httpx2.WriteTimeout, False),
        (httpx2.ReadError, False),
        (httpx2.WriteError, False),
        (httpx2.RemoteProtocolError, False),
        (httpx2.LocalProtocolError, False),
        (httpx2.ProxyError, False),
    ],
)
def test_only_failing_to_get_a_connection_proves_nothing_was_sent(
    error: type[httpx2.TransportError], expected: bool
) -> None:
    assert never_sent(error("scripted")) is expected


@pytest.mark.parametrize("status", [200, 204, 301, 400, 401, 403, 404, 409, 422, 501, 505])
@pytest.mark.parametrize("idempotent", [True, False])
def test_other_statuses_are_never_retried(status: int, idempotent: bool) -> None:
    assert status not in RETRYABLE_STATUSES
    assert not should_retry_status(status, idempotent=idempotent)
