"""The Redis state: locks, the reply window and the cache shared by every worker and replica.

Only imported when `--state redis://...` is chosen. A lock is a key set with NX and a lease (PX) holding a random
token; its holder renews the lease while it lives and releases it with a compare-and-delete script, so a worker
that dies holding a lock blocks the others for at most the lease, and a worker whose lease ran out never deletes
a lock another worker has since taken. Replies in the duplicate window, cached values and records are keys that
expire; a record is taken with GETDEL. Events are one stream (XADD MAXLEN ~, trimmed by age with XTRIM MINID ~),
read with XREAD BLOCK on a connection of its own whose timeout outlasts the longest wait.
Every key is prefixed with a hash of the Chatwoot URL, so servers of several Chatwoots can share one Redis.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import anyio
from redis import asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

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
from chatwoot_mcp.state.base import LOCK_LEASE, LOCK_TIMEOUT, LockHold, SentReply, StateUnavailable, busy, local_turn

__all__ = ["AUDIT_STREAM", "RedisState", "describe_url"]

log = logging.getLogger("chatwoot_mcp")

AUDIT_STREAM = "chatwoot-mcp:audit"
"""The stream `--audit-log redis` appends to."""

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
"""
_FIRST_POLL = 0.002
_LAST_POLL = 0.02


def describe_url(url: str) -> str:
    """ "redis at host:port" for messages: never the password or user name in the URL."""
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return f"redis at {parsed.path}"
    return f"redis at {parsed.hostname or 'localhost'}:{parsed.port or 6379}"


class RedisState:
    """The shared state in Redis (`redis.asyncio`); see the module docstring for the lock protocol."""

    def __init__(self, url: str, scope: str, lease: float = LOCK_LEASE) -> None:
        self.description = describe_url(url)
        self.lease = lease
        self.redis: aioredis.Redis = aioredis.Redis.from_url(
            url, socket_connect_timeout=2.0, socket_timeout=5.0, health_check_interval=30
        )
        self._prefix = f"chatwoot-mcp:{hashlib.sha256(scope.encode()).hexdigest()[:12]}:"
        self._local: dict[str, anyio.Lock] = {}
        self._url = url
        self._blocking: aioredis.Redis | None = None
        self._events = self._prefix + "events"

    def _unavailable(self, error: Exception) -> StateUnavailable:
        return StateUnavailable(
            f"The shared state ({self.description}) cannot be reached ({type(error).__name__}), so nothing was "
            "written. Reads still work; try the write again once Redis is back (the server's /readyz says when)."
        )

    @asynccontextmanager
    async def lock(self, key: str, lease: float | None = None) -> AsyncIterator[LockHold]:
        lease = lease or self.lease
        async with local_turn(self._local, key):  # one poller of Redis per key and process, not one per task
            name, token = self._prefix + "lock:" + key, secrets.token_hex(16)
            hold = _RedisHold(renewed_at=await self._acquire(name, token, lease))
            renewal = asyncio.create_task(self._renew(name, token, lease, hold))
            try:
                yield hold
            finally:
                renewal.cancel()
                with anyio.CancelScope(shield=True):
                    await self._release(name, token, lease, hold)

    async def _acquire(self, name: str, token: str, lease: float) -> float:
        """Wait for the lock; return when the SET that took it was sent (its lease runs from no earlier)."""
        deadline = time.monotonic() + LOCK_TIMEOUT
        pause = _FIRST_POLL
        while True:
            sent = time.monotonic()
            try:
                if await self.redis.set(name, token, nx=True, px=int(lease * 1000)):
                    return sent
            except (RedisError, OSError) as error:
                raise self._unavailable(error) from None
            if time.monotonic() > deadline:
                raise busy()
            await anyio.sleep(pause)
            pause = min(pause * 2, _LAST_POLL)

    async def _renew(self, name: str, token: str, lease: float, hold: _RedisHold) -> None:
        """Extend the lease every third of it while the lock is held."""
        while True:
            await anyio.sleep(lease / 3)
            sent = time.monotonic()
            try:
                kept = await self.redis.eval(_RENEW, 1, name, token, str(int(lease * 1000)))  # type: ignore[misc]
            except (RedisError, OSError) as error:
                log.warning("could not renew a write lock in %s: %s", self.description, type(error).__name__)
                continue
            if not kept:
                hold.lost = True
                log.warning("a write lock's lease ran out while held (%s); the call says so", name)
                return
            hold.renewed_at = sent

    async def _release(self, name: str, token: str, lease: float, hold: _RedisHold) -> None:
        try:
            released = await self.redis.eval(_RELEASE, 1, name, token)  # type: ignore[misc]
        except (RedisError, OSError) as error:  # the lease ends it anyway
            log.warning("could not release a write lock in %s: %s", self.description, type(error).__name__)
            released = time.monotonic() - hold.renewed_at < lease  # unknown: lost only if the lease has run out
        if not released:
            hold.lost = True  # the key was gone or another writer's: our lease had run out before we let go

    async def get_reply(self, key: str) -> SentReply | None:
        try:
            raw = await self.redis.get(self._prefix + "reply:" + key)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None
        if raw is None:
            return None
        data = json.loads(raw)
        return SentReply(at=float(data["at"]), certain=bool(data["certain"]))

    async def put_reply(self, key: str, reply: SentReply, window: float) -> None:
        value = json.dumps({"at": reply.at, "certain": reply.certain})
        until = int((reply.at + window) * 1000)
        try:
            await self.redis.set(self._prefix + "reply:" + key, value, pxat=until)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None

    async def clear_reply(self, key: str) -> None:
        try:
            await self.redis.delete(self._prefix + "reply:" + key)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None

    async def cache_get(self, key: str) -> Any | None:
        try:
            raw = await self.redis.get(self._prefix + "cache:" + key)
        except (RedisError, OSError):
            return None  # reads go on: the caller fetches
        return None if raw is None else json.loads(raw)

    async def cache_set(self, key: str, value: Any, ttl: float) -> None:
        with suppress(RedisError, OSError):
            await self.redis.set(self._prefix + "cache:" + key, json.dumps(value), px=max(1, int(ttl * 1000)))

    async def record_get(self, key: str) -> Any | None:
        try:
            raw = await self.redis.get(self._prefix + "record:" + key)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None
        return None if raw is None else json.loads(raw)

    async def record_put(self, key: str, value: Any, ttl: float) -> None:
        try:
            await self.redis.set(self._prefix + "record:" + key, json.dumps(value), px=max(1, int(ttl * 1000)))
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None

    async def record_take(self, key: str) -> Any | None:
        try:
            raw = await self.redis.getdel(self._prefix + "record:" + key)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None
        return None if raw is None else json.loads(raw)

    async def record_delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            await self.redis.delete(*(self._prefix + "record:" + key for key in keys))
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None

    async def claim(self, key: str, ttl: float) -> bool:
        try:
            return bool(await self.redis.set(self._prefix + "claim:" + key, "1", nx=True, px=max(1, int(ttl * 1000))))
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None

    async def event_append(self, event_fields: Mapping[str, Any]) -> Event:
        fields = {**event_fields, "at": event_fields.get("at") or now_iso()}
        oldest = int((time.time() - RETENTION_SECONDS) * 1000)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xadd(self._events, {"e": json.dumps(fields)}, maxlen=RETENTION_COUNT, approximate=True)
                pipe.xtrim(self._events, minid=f"{oldest}-0", approximate=True)
                added, _ = await pipe.execute()
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None
        return event_from_json(_text(added), fields)

    async def event_read(self, since: str | None, limit: int, wait: float) -> list[Event]:
        wait = max(0.0, min(wait, MAX_WAIT))
        try:
            if since is None:
                newest: Any = await self.redis.xrevrange(self._events, count=limit)
                found = _events(reversed(newest or []))
                if found or wait <= 0:
                    return found
                since = START  # nothing yet: the first event to come is the answer
            answer: Any
            if wait <= 0:
                answer = await self.redis.xread({self._events: since}, count=limit)
            else:
                answer = await self._blocking_client().xread(
                    {self._events: since}, count=limit, block=max(1, int(wait * 1000))
                )
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None
        return _events(entry for _, entries in answer or () for entry in entries)

    def _blocking_client(self) -> aioredis.Redis:
        if self._blocking is None:
            self._blocking = aioredis.Redis.from_url(
                self._url, socket_connect_timeout=2.0, socket_timeout=MAX_WAIT + 10, health_check_interval=30
            )
        return self._blocking

    async def event_cursor(self) -> str:
        try:
            newest: Any = await self.redis.xrevrange(self._events, count=1)
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None
        return _text(newest[0][0]) if newest else START

    async def event_dropped_through(self) -> str:
        # A trim does not say what it removed, but Redis 7 counts the entries ever added: when more were added than
        # the stream holds, the removed ones all came before its first entry, so "just before the first entry" is
        # the answer (a reader whose cursor is exactly the last removed event is told events may be missing).
        # Events past the age limit that a lazy trim has not removed yet are not counted here (list_events compares
        # a cursor with the age limit itself).
        try:
            info: Any = await self.redis.xinfo_stream(self._events)
        except ResponseError:
            return START  # no stream yet: nothing was ever dropped
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None
        added, first = info.get("entries-added"), info.get("first-entry")
        if not isinstance(added, int) or added <= int(info.get("length") or 0) or not first:
            return START  # nothing removed (or a Redis before 7, which does not count)
        millis, sequence = event_key(_text(first[0]))
        return f"{millis}-{sequence - 1}" if sequence > 0 else f"{millis - 1}-{2**64 - 1}"

    async def check(self) -> None:
        try:
            await self.redis.ping()  # type: ignore[misc]
        except (RedisError, OSError) as error:
            raise self._unavailable(error) from None

    async def append_audit(self, line: str) -> None:
        """Append one audit line to the AUDIT_STREAM stream (capped near 100,000 entries)."""
        await self.redis.xadd(AUDIT_STREAM, {"line": line}, maxlen=100_000, approximate=True)

    async def aclose(self) -> None:
        if self._blocking is not None:
            await self._blocking.aclose()
        await self.redis.aclose()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _events(entries: Any) -> list[Event]:
    """Stream entries (id, {b"e": json}) as Events, without those older than the retention (MINID trims lazily)."""
    oldest = (time.time() - RETENTION_SECONDS) * 1000
    found = []
    for entry_id, values in entries:
        event_id = _text(entry_id)
        if event_key(event_id)[0] >= oldest:
            found.append(event_from_json(event_id, json.loads(values[b"e"])))
    return found


@dataclass
class _RedisHold(LockHold):
    renewed_at: float = 0.0
    """time.monotonic() when the command that last set the lease was sent: it runs `lease` seconds from no earlier."""
