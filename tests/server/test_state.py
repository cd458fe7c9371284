"""The state interface, the same tests for both backends: in-process (always) and Redis (a real redis-server).

What a guard relies on: a lock admits one writer at a time and refuses after a while, the reply window remembers a
reply until its window ends, the cache forgets after its ttl. The Redis backend also: a lock outlives its lease
while its holder lives (renewed), dies with a holder that stops renewing, and an unreachable Redis refuses writes
(without showing the URL's password) while reads go on.
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import pytest

from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.state import MemoryState, SentReply, State, StateUnavailable
from chatwoot_mcp.state.redis import RedisState

from .redis_support import RedisServer, redis_server

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path, anyio_backend: str) -> AsyncIterator[State]:
    scope = f"https://chatwoot.test/{tmp_path.name}"  # a fresh key space per test
    if request.param == "memory":
        yield MemoryState(scope, directory=tmp_path)
        return
    server: RedisServer = request.getfixturevalue("redis")
    state = RedisState(server.url, scope, lease=1.0)
    try:
        yield state
    finally:
        await state.aclose()


def short_timeout(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    for module in ("chatwoot_mcp.state.base", "chatwoot_mcp.state.memory", "chatwoot_mcp.state.redis"):
        monkeypatch.setattr(f"{module}.LOCK_TIMEOUT", seconds)


async def test_a_lock_admits_one_writer_at_a_time(backend: State) -> None:
    trace: list[str] = []

    async def writer(name: str) -> None:
        async with backend.lock("labels:conversation:1:7"):
            trace.append(f"{name} in")
            await anyio.sleep(0.05)
            trace.append(f"{name} out")

    async with anyio.create_task_group() as group:
        for name in "abc":
            group.start_soon(writer, name)
    assert [entry.split()[1] for entry in trace] == ["in", "out"] * 3, trace
    assert [trace[i].split()[0] for i in range(0, 6, 2)] == [trace[i].split()[0] for i in range(1, 6, 2)]


async def test_locks_of_different_records_do_not_wait_for_each_other(backend: State) -> None:
    async with backend.lock("conversation:1:7"):
        with anyio.fail_after(2):
            async with backend.lock("conversation:1:8"):
                pass


async def test_a_lock_held_too_long_is_refused_saying_nothing_was_written(
    backend: State, monkeypatch: pytest.MonkeyPatch
) -> None:
    short_timeout(monkeypatch, 0.3)
    held = anyio.Event()
    release = anyio.Event()

    async def holder() -> None:
        async with backend.lock("conversation:1:7"):
            held.set()
            await release.wait()

    async with anyio.create_task_group() as group:
        group.start_soon(holder)
        await held.wait()
        with pytest.raises(Refusal, match="nothing was written"):
            async with backend.lock("conversation:1:7"):
                pytest.fail("entered a lock another writer holds")
        release.set()


async def test_the_reply_window_remembers_until_it_ends(backend: State) -> None:
    now = time.time()
    await backend.put_reply("1:7:abc", SentReply(at=now, certain=False), 600)
    assert await backend.get_reply("1:7:abc") == SentReply(at=now, certain=False)
    await backend.put_reply("1:7:abc", SentReply(at=now, certain=True), 600)
    assert await backend.get_reply("1:7:abc") == SentReply(at=now, certain=True)
    assert await backend.get_reply("1:8:abc") is None
    await backend.clear_reply("1:7:abc")
    assert await backend.get_reply("1:7:abc") is None

    await backend.put_reply("1:7:old", SentReply(at=now - 599.7, certain=True), 600)
    assert await backend.get_reply("1:7:old") is not None
    await anyio.sleep(0.5)
    assert await backend.get_reply("1:7:old") is None, "a reply outside its window is forgotten"


async def test_the_cache_forgets_after_its_ttl(backend: State) -> None:
    assert await backend.cache_get("directory:labels:1") is None
    await backend.cache_set("directory:labels:1", [{"title": "billing"}], 0.3)
    assert await backend.cache_get("directory:labels:1") == [{"title": "billing"}]
    await anyio.sleep(0.4)
    assert await backend.cache_get("directory:labels:1") is None


async def test_a_record_is_kept_until_its_ttl_and_taken_once(backend: State) -> None:
    """What the OAuth server relies on: a record is there until its ttl, and of many takers of one record
    (a code presented twice at once, on two workers) exactly one gets it."""
    assert await backend.record_get("oauth:code:x") is None
    await backend.record_put("oauth:code:x", {"grant": "g1"}, 5)
    assert await backend.record_get("oauth:code:x") == {"grant": "g1"}
    taken: list[object] = []

    async def take() -> None:
        taken.append(await backend.record_take("oauth:code:x"))

    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(take)
    assert sorted(map(str, taken)) == ["None"] * 7 + ["{'grant': 'g1'}"]
    assert await backend.record_get("oauth:code:x") is None
    await backend.record_put("oauth:grant:a", 1, 0.3)
    await backend.record_put("oauth:grant:b", 2, 5)
    await backend.record_put("oauth:grant:c", 3, 5)
    await backend.record_delete("oauth:grant:b", "oauth:grant:missing")
    assert await backend.record_get("oauth:grant:b") is None and await backend.record_get("oauth:grant:c") == 3
    await anyio.sleep(0.4)
    assert await backend.record_get("oauth:grant:a") is None, "a record is forgotten after its ttl"
    assert await backend.record_take("oauth:grant:a") is None


async def test_a_redis_lock_is_renewed_while_held_beyond_its_lease(redis: RedisServer, anyio_backend: str) -> None:
    first, second = (RedisState(redis.url, "https://renewal.test", lease=0.6) for _ in range(2))  # two "workers"
    trace: list[str] = []

    async def hold(state: RedisState, name: str, seconds: float) -> None:
        async with state.lock("conversation:1:7"):
            trace.append(f"{name} in")
            await anyio.sleep(seconds)
            trace.append(f"{name} out")

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(hold, first, "first", 2.0)  # over three leases
            await anyio.sleep(0.1)
            group.start_soon(hold, second, "second", 0)
        assert trace == ["first in", "first out", "second in", "second out"]
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_redis_lock_whose_holder_stopped_renewing_frees_after_the_lease(
    redis: RedisServer, anyio_backend: str
) -> None:
    state = RedisState(redis.url, "https://lease.test", lease=5.0)
    try:
        # What a worker killed while holding the lock leaves behind: the key with its token and lease, no renewal.
        name = state._prefix + "lock:conversation:1:7"
        await state.redis.set(name, "dead-worker", px=700)
        started = time.monotonic()
        async with state.lock("conversation:1:7"):
            waited = time.monotonic() - started
        assert 0.4 < waited < 1.5, waited
    finally:
        await state.aclose()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_an_unreachable_redis_refuses_writes_and_lets_reads_go_on(anyio_backend: str) -> None:
    state = RedisState(f"redis://:pa55word-canary@127.0.0.1:{_closed_port()}/0", "https://down.test")
    try:
        with pytest.raises(StateUnavailable) as refused:
            async with state.lock("conversation:1:7"):
                pytest.fail("entered a lock without Redis")
        text = str(refused.value)
        assert "nothing was written" in text and "redis at 127.0.0.1" in text
        assert "pa55word-canary" not in text
        with pytest.raises(StateUnavailable):
            await state.get_reply("1:7:abc")
        with pytest.raises(StateUnavailable):
            await state.check()
        for record_call in (
            state.record_get("oauth:grant:g"),
            state.record_put("oauth:grant:g", {}, 5),
            state.record_take("oauth:code:c"),
            state.record_delete("oauth:grant:g"),
        ):
            with pytest.raises(StateUnavailable):  # a record is never guessed at: no grant is lost or invented
                await record_call
        assert await state.cache_get("directory:labels:1") is None  # a read: the caller fetches instead
        await state.cache_set("directory:labels:1", [], 60)  # best effort, no error
    finally:
        await state.aclose()


def test_state_settings_are_checked_without_showing_a_password() -> None:
    from chatwoot_mcp.config import ConfigError

    from .conftest import make_settings

    assert make_settings().state_url is None  # in-process by default
    assert make_settings(CHATWOOT_MCP_STATE="redis://:pw@cache:6379/0", CHATWOOT_MCP_STATE_LEASE="2").state_lease == 2
    with pytest.raises(ConfigError) as wrong:
        make_settings(CHATWOOT_MCP_STATE="http://user:hunter2-canary@cache:6379", CHATWOOT_MCP_STATE_LEASE="0")
    assert "must be a Redis URL" in str(wrong.value) and "hunter2-canary" not in str(wrong.value)
    assert "CHATWOOT_MCP_STATE_LEASE" in str(wrong.value)
    with pytest.raises(ConfigError, match="port that is not a number") as bad_port:
        make_settings(CHATWOOT_MCP_STATE="redis://:hunter2-canary@cache:63x9/0")
    assert "hunter2-canary" not in str(bad_port.value)
    with pytest.raises(ConfigError, match="set CHATWOOT_MCP_STATE too"):
        make_settings(CHATWOOT_MCP_AUDIT_LOG="redis")


def test_the_state_url_password_is_a_secret_scrubbed_like_the_tokens() -> None:
    from chatwoot_mcp.edges.redaction import redact

    from .conftest import make_settings

    settings = make_settings(CHATWOOT_MCP_STATE="redis://:hunter2-canary-pw@cache:6379/0")
    assert "hunter2-canary-pw" in settings.secrets
    assert "hunter2-canary-pw" not in redact("connecting with hunter2-canary-pw", settings.secrets)
    short = make_settings(CHATWOOT_MCP_STATE="redis://:redis@cache:6379/0")
    assert "redis" not in short.secrets  # would blank out the word everywhere


async def test_the_in_process_cache_is_bounded_and_forgets_expired_entries_first(anyio_backend: str) -> None:
    from chatwoot_mcp.state.memory import TtlCache

    cache = TtlCache(max_entries=3)
    await cache.cache_set("gone", 1, ttl=-1)  # already expired
    await cache.cache_set("a", 1, ttl=60)
    await cache.cache_set("b", 2, ttl=60)
    await cache.cache_set("c", 3, ttl=60)  # full: the expired entry makes room
    assert [await cache.cache_get(k) for k in ("gone", "a", "b", "c")] == [None, 1, 2, 3]
    await cache.cache_set("d", 4, ttl=60)  # full of live entries: the oldest goes
    assert [await cache.cache_get(k) for k in ("a", "b", "c", "d")] == [None, 2, 3, 4]


async def test_a_lock_held_to_the_end_says_so(backend: State) -> None:
    async with backend.lock("conversation:1:7") as hold:
        await anyio.sleep(0.05)
    assert hold.lost is False


async def test_a_redis_lock_taken_away_while_held_says_it_was_lost(redis: RedisServer, anyio_backend: str) -> None:
    state = RedisState(redis.url, "https://lapse.test", lease=1.0)
    try:
        async with state.lock("conversation:1:7") as hold:
            # The lease ran out (Redis unreachable for longer than it, say) and another writer took the record.
            await state.redis.set(state._prefix + "lock:conversation:1:7", "another-writer", px=5000)
        assert hold.lost is True
    finally:
        await state.aclose()
