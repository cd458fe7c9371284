"""The one interface to the state chatwoot-mcp keeps across tool calls.

Guards ask it for a write lock, the duplicate-reply window and a small cache; they never know which backend
they have. The in-process backend (`memory`) serves one machine; the Redis backend (`redis`) lets several
workers or replicas share it. A write that cannot reach the state is refused (`StateUnavailable`: nothing was
written); a read that cannot reach it goes on without it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import anyio

from chatwoot_mcp.edges.errors import Refusal

if TYPE_CHECKING:
    from chatwoot_mcp.events.model import Event

__all__ = ["LOCK_LEASE", "LOCK_TIMEOUT", "LockHold", "SentReply", "State", "StateUnavailable", "busy", "local_turn"]

LOCK_TIMEOUT = 30.0
"""Seconds to wait for another writer of the same record before refusing."""
LOCK_LEASE = 15.0
"""Seconds a shared lock outlives a worker that died holding it (it is renewed while its holder lives)."""


@dataclass
class SentReply:
    """A reply in the duplicate window: when it was sent, and whether it is known to have reached Chatwoot."""

    at: float
    """time.time() when it was sent (compared with Chatwoot's created_at, so wall-clock time)."""
    certain: bool
    """False while its outcome is unknown (an error after sending): the next identical reply looks first."""


@dataclass
class LockHold:
    """A held lock, as its holder sees it once the block is over."""

    lost: bool = False
    """The lease ran out before the holder let go (the shared state stopped renewing it): another writer may have
    held the record meanwhile, so a read-modify-write in the block may have crossed theirs."""

    def warning(self, earlier: str | None, check_with: str) -> str | None:
        """`earlier` (a write's own warning, if any), followed by what a lost lock means for it."""
        if not self.lost:
            return earlier
        lapse = (
            "The write lock lapsed while this call ran (the shared state did not renew it), so another chatwoot-mcp "
            f"process may have written the same record at the same moment; check it again with {check_with}."
        )
        return f"{earlier} {lapse}" if earlier else lapse


class StateUnavailable(Refusal):
    """The shared state cannot be reached, so a write was refused before anything was written."""


class State(Protocol):
    """Locks, the duplicate-reply window, a cache, records and the event stream, shared by every call this backend
    reaches.

    Records are what must not be lost or guessed (the OAuth server's clients, grants and tokens): reading or
    writing one raises StateUnavailable when the state cannot be reached, and taking one is atomic.

    Keys are plain strings built by the caller; a key derived from a secret or customer text is hashed by the
    caller first. Cached values are JSON-able.
    """

    description: str
    """Where the state lives, for messages and /readyz ("in-process", "redis at host:port"); never a password."""

    def lock(self, key: str, lease: float | None = None) -> AbstractAsyncContextManager[LockHold]:
        """Hold `key` against every other writer this backend reaches; the LockHold says afterwards whether it held.

        Raises a Refusal when another writer holds it for over LOCK_TIMEOUT, StateUnavailable when the state
        cannot be reached. A shared lock is released `lease` seconds after its holder dies.
        """
        ...

    async def get_reply(self, key: str) -> SentReply | None:
        """The reply with this key still in its window (raises StateUnavailable)."""
        ...

    async def put_reply(self, key: str, reply: SentReply, window: float) -> None:
        """Remember `reply` until `reply.at + window` (raises StateUnavailable)."""
        ...

    async def clear_reply(self, key: str) -> None:
        """Forget the reply with this key (raises StateUnavailable)."""
        ...

    async def cache_get(self, key: str) -> Any | None:
        """The cached value, or None when absent, expired or the state is unreachable."""
        ...

    async def cache_set(self, key: str, value: Any, ttl: float) -> None:
        """Cache a JSON-able value for `ttl` seconds (best effort: an unreachable state is ignored)."""
        ...

    async def record_get(self, key: str) -> Any | None:
        """A kept record (raises StateUnavailable: unlike the cache, a record is never guessed at)."""
        ...

    async def record_put(self, key: str, value: Any, ttl: float) -> None:
        """Keep a JSON-able record for `ttl` seconds (raises StateUnavailable)."""
        ...

    async def record_take(self, key: str) -> Any | None:
        """Remove a record and return it, atomically: of two callers taking the same key, one gets it."""
        ...

    async def record_delete(self, *keys: str) -> None:
        """Forget these records (raises StateUnavailable)."""
        ...

    async def claim(self, key: str, ttl: float) -> bool:
        """True for the first caller to claim `key` within `ttl` seconds, False for every later one, atomically
        across everything this backend reaches (a webhook's delivery id; one poller per interval). Raises
        StateUnavailable."""
        ...

    async def event_append(self, event_fields: Mapping[str, Any]) -> Event:
        """Append an event (`kind`, `account_id`, `conversation_id`, `data`, optionally `at`) to the stream and
        return it with its id; the stream keeps at most RETENTION_COUNT events, none older than RETENTION_SECONDS.
        Raises StateUnavailable."""
        ...

    async def event_read(self, since: str | None, limit: int, wait: float) -> list[Event]:
        """Up to `limit` events after the id `since`, oldest first; `since=None`: the newest `limit` events.

        When there are none yet, waits up to `wait` seconds (at most MAX_WAIT) for the first new one and returns
        as soon as it is appended (by any process this backend reaches). Raises StateUnavailable.
        """
        ...

    async def event_cursor(self) -> str:
        """The id of the newest event (START when there is none): reading after it gets only events to come."""
        ...

    async def event_dropped_through(self) -> str:
        """The id of the newest event the retention limit removed (START when none was): a reader whose cursor is
        older has missed events."""
        ...

    async def check(self) -> None:
        """Raise StateUnavailable if the state cannot be reached now (before a write; for /readyz)."""
        ...

    async def aclose(self) -> None:
        """Release connections (the server's lifespan ends)."""
        ...


@asynccontextmanager
async def local_turn(locks: dict[str, anyio.Lock], key: str) -> AsyncIterator[None]:
    """Wait for this process's other writers of `key` first (at most LOCK_TIMEOUT): tasks queue here, so each
    process has one contender for the host-wide or shared lock at a time."""
    local = locks.setdefault(key, anyio.Lock())
    with anyio.move_on_after(LOCK_TIMEOUT) as waiting:
        await local.acquire()
    if waiting.cancelled_caught:
        raise busy()
    try:
        yield
    finally:
        local.release()


def busy(waited: float = LOCK_TIMEOUT) -> Refusal:
    """The refusal for a record another writer holds for too long."""
    return Refusal(
        f"Another writer has held this record for over {waited:.0f} s, so nothing was written. Try again in a minute."
    )
