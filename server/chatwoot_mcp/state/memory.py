"""The in-process state (the default): what one machine's chatwoot-mcp processes share.

Chatwoot has no compare-and-set: its label and custom-attribute writes replace the whole set, so two writers that
read, merge and write at the same time lose one another's change. Within a process an anyio lock serialises them;
across processes (Claude Desktop and Claude Code each running a server, several stdio servers of an agent fleet)
an advisory file lock does, keyed by Chatwoot URL and record. The operating system releases a file lock when its
process dies, so a crashed server never blocks the others (no lease is needed). The reply window and the cache
live in this process only, and so do records (the OAuth server's grants: a restart signs everyone out). Servers
on other machines share no file system: they need the Redis backend.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio

from chatwoot_mcp.events.model import (
    MAX_WAIT,
    RETENTION_COUNT,
    RETENTION_SECONDS,
    START,
    Event,
    event_from_json,
    event_key,
    now_iso,
)
from chatwoot_mcp.state.base import LOCK_TIMEOUT, LockHold, SentReply, busy, local_turn

try:
    import fcntl
except ImportError:  # Windows: process-local locks only
    fcntl = None  # type: ignore[assignment]

__all__ = ["EventLog", "MemoryState", "TtlCache"]

_POLL = 0.005


class TtlCache:
    """Values in this process's memory, each forgotten after its ttl; at most `max_entries` (expired ones go first,
    then the oldest), so a stream of new keys cannot grow it without bound."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Any]] = {}

    async def cache_get(self, key: str) -> Any | None:
        hit = self._entries.get(key)
        if hit is None or time.monotonic() >= hit[0]:
            return None
        return hit[1]

    async def cache_set(self, key: str, value: Any, ttl: float) -> None:
        if key not in self._entries and len(self._entries) >= self.max_entries:
            now = time.monotonic()
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (time.monotonic() + ttl, value)

    def pop(self, key: str) -> Any | None:
        """Remove a value and return it (None when absent or expired)."""
        hit = self._entries.pop(key, None)
        return None if hit is None or time.monotonic() >= hit[0] else hit[1]


class EventLog:
    """The in-process event stream: a bounded deque (count and age), and an anyio event that wakes waiting readers
    when the next event is appended."""

    def __init__(self, max_count: int = RETENTION_COUNT, max_age: float = RETENTION_SECONDS) -> None:
        self.max_age = max_age
        self._events: deque[Event] = deque(maxlen=max_count)
        self._last = (0, -1)
        self.dropped_through = START
        """The id of the newest event dropped by the count or age limit."""
        self._arrived: anyio.Event | None = None  # made on first wait: an anyio.Event needs a running loop

    def _next_id(self) -> str:
        millis, sequence = self._last
        now = int(time.time() * 1000)
        self._last = (now, 0) if now > millis else (millis, sequence + 1)  # ordered even if the clock steps back
        return f"{self._last[0]}-{self._last[1]}"

    def _trim(self) -> None:
        cutoff = (time.time() - self.max_age) * 1000
        while self._events and event_key(self._events[0].id)[0] < cutoff:
            self.dropped_through = self._events.popleft().id

    def append(self, event_fields: Mapping[str, Any]) -> Event:
        event = event_from_json(self._next_id(), {**event_fields, "at": event_fields.get("at") or now_iso()})
        if len(self._events) == self._events.maxlen:
            self.dropped_through = self._events[0].id  # the deque drops it on append
        self._events.append(event)
        self._trim()
        if self._arrived is not None:
            self._arrived.set()
            self._arrived = None
        return event

    def _after(self, since: str | None, limit: int) -> list[Event]:
        if since is None:
            return list(self._events)[-limit:] if limit > 0 else []
        after = event_key(since)
        newer: list[Event] = []
        for event in reversed(self._events):  # readers are mostly near the end
            if event_key(event.id) <= after:
                break
            newer.append(event)
        newer.reverse()
        return newer[:limit]

    async def read(self, since: str | None, limit: int, wait: float) -> list[Event]:
        deadline = time.monotonic() + max(0.0, min(wait, MAX_WAIT))
        while True:
            self._trim()
            found = self._after(since, limit)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                return found
            since = START if since is None else since  # nothing yet: the first event to come is the answer
            if self._arrived is None:
                self._arrived = anyio.Event()
            arrived = self._arrived
            with anyio.move_on_after(remaining):
                await arrived.wait()

    def cursor(self) -> str:
        self._trim()
        return self._events[-1].id if self._events else START


class MemoryState:
    """Locks held against this process's other tasks and other processes on this host; window and cache in memory."""

    description = "in-process"

    def __init__(self, scope: str, directory: Path | None = None) -> None:
        self._scope = scope
        self._directory = directory or Path(tempfile.gettempdir()) / "chatwoot-mcp-locks"
        self._local: dict[str, anyio.Lock] = {}
        self._replies: dict[str, tuple[float, SentReply]] = {}
        self._cache = TtlCache()
        self._records: dict[str, TtlCache] = {}
        """One bounded cache per kind of record ("oauth:client", "oauth:grant", ...), so a flood of one kind (client
        registrations anyone may send) evicts only that kind, never another's (grants, tokens)."""
        self._claims = TtlCache(max_entries=100_000)
        self.events = EventLog()

    @asynccontextmanager
    async def lock(self, key: str, lease: float | None = None) -> AsyncIterator[LockHold]:
        async with local_turn(self._local, key):
            descriptor = await self._lock_file(key)
            try:
                yield LockHold()  # a process lock and a file lock have no lease to lose
            finally:
                if descriptor is not None:
                    os.close(descriptor)  # closing releases the lock

    async def _lock_file(self, key: str) -> int | None:
        if fcntl is None:
            return None
        try:
            self._directory.mkdir(mode=0o700, exist_ok=True)
            name = hashlib.sha256(f"{self._scope}|{key}".encode()).hexdigest()[:32]
            descriptor = os.open(self._directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return None  # no writable temp directory: the process lock still holds
        with anyio.move_on_after(LOCK_TIMEOUT):
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return descriptor
                except BlockingIOError:
                    await anyio.sleep(_POLL)
        os.close(descriptor)
        raise busy()

    async def get_reply(self, key: str) -> SentReply | None:
        now = time.time()
        for old in [k for k, (until, _) in self._replies.items() if now > until]:
            del self._replies[old]
        hit = self._replies.get(key)
        return hit[1] if hit is not None else None

    async def put_reply(self, key: str, reply: SentReply, window: float) -> None:
        self._replies[key] = (reply.at + window, reply)

    async def clear_reply(self, key: str) -> None:
        self._replies.pop(key, None)

    async def cache_get(self, key: str) -> Any | None:
        return await self._cache.cache_get(key)

    async def cache_set(self, key: str, value: Any, ttl: float) -> None:
        await self._cache.cache_set(key, value, ttl)

    def _kind(self, key: str) -> TtlCache:
        kind = ":".join(key.split(":", 2)[:2])
        cache = self._records.get(kind)
        if cache is None:
            cache = self._records[kind] = TtlCache(max_entries=100_000)
        return cache

    async def record_get(self, key: str) -> Any | None:
        return await self._kind(key).cache_get(key)

    async def record_put(self, key: str, value: Any, ttl: float) -> None:
        await self._kind(key).cache_set(key, value, ttl)

    async def record_take(self, key: str) -> Any | None:
        return self._kind(key).pop(key)  # no await between the read and the removal: atomic in this process

    async def record_delete(self, *keys: str) -> None:
        for key in keys:
            self._kind(key).pop(key)

    async def claim(self, key: str, ttl: float) -> bool:
        if await self._claims.cache_get(key) is not None:
            return False
        await self._claims.cache_set(key, True, ttl)  # no await between the look and the set that yields
        return True

    async def event_append(self, event_fields: Mapping[str, Any]) -> Event:
        return self.events.append(event_fields)

    async def event_read(self, since: str | None, limit: int, wait: float) -> list[Event]:
        return await self.events.read(since, limit, wait)

    async def event_cursor(self) -> str:
        return self.events.cursor()

    async def event_dropped_through(self) -> str:
        self.events.cursor()  # trims by age first
        return self.events.dropped_through

    async def check(self) -> None:
        return None

    async def aclose(self) -> None:
        return None
