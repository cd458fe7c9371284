"""Two real worker processes sharing one Redis, against one loopback sandbox (the team server's guarantees).

Each worker is `chatwoot-mcp serve --transport streamable-http --state redis://...` in its own process; the sandbox
runs in this process on a real loopback port, with latency on every request (as a network has) and a gate that can
hold one label write forever (to kill a worker while it holds the lock). Covered: 2 workers x 20 concurrent
add_labels on one conversation lose nothing and each reports exactly what is there; a duplicate reply through the
other worker is refused; a worker killed (SIGKILL) while holding a lock blocks the other no longer than the lease;
Redis stopped mid-run refuses writes (nothing written) while reads go on; the audit log has a line for each.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from chatwoot_sandbox import ADMIN_TOKEN, SandboxState, create_app
from chatwoot_sandbox.serving import loopback_server

from .conftest import REPO, ServerProcess, free_port, stop, structured, subprocess_env, text_of, wait_until_listening
from .redis_support import RedisServer, redis_server

pytestmark = pytest.mark.anyio

ACCOUNT, CONVERSATION = 1, 7
LEASE = 1.0


class Sandbox:
    """The sandbox app with request latency and a gate that holds label writes while `hold_labels` is set."""

    def __init__(self, jitter: float = 0.02) -> None:
        self.state = SandboxState.demo()
        self.jitter = jitter
        self.hold_labels = threading.Event()
        self.held = threading.Event()
        self.closing = threading.Event()
        self._app = create_app(self.state)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await anyio.sleep(random.uniform(0, self.jitter))
            if self.hold_labels.is_set() and scope["method"] == "POST" and scope["path"].endswith("/labels"):
                self.hold_labels.clear()  # only the first one: the worker holding the lock
                self.held.set()
                while not self.closing.is_set():  # held until the test ends (its worker is dead by then)
                    await anyio.sleep(0.05)
                return
        await self._app(scope, receive, send)

    def labels(self) -> set[str]:
        return set(self.state.conversation(ACCOUNT, CONVERSATION).labels)


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def sandbox() -> Iterator[tuple[Sandbox, str]]:
    app = Sandbox()
    with loopback_server(app=app) as server:
        yield app, server.url
        app.closing.set()


def worker(base_url: str, redis_url: str, audit_log: Path, tmp_path: Path, name: str) -> ServerProcess:
    port = free_port()
    env = subprocess_env(
        CHATWOOT_BASE_URL=base_url,
        CHATWOOT_API_TOKEN=ADMIN_TOKEN,
        CHATWOOT_ACCOUNT_ID=str(ACCOUNT),
        CHATWOOT_MCP_ALLOW_NEW_LABELS="1",
    )
    command = [sys.executable, "-m", "chatwoot_mcp", "serve", "--transport", "streamable-http", "--port", str(port)]
    command += ["--state", redis_url, "--state-lease", str(LEASE), "--audit-log", str(audit_log)]
    stderr = tmp_path / f"{name}.stderr"
    with stderr.open("wb") as sink:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
    return ServerProcess(process, port, stderr)


@asynccontextmanager
async def workers(
    tmp_path: Path, base_url: str, redis: RedisServer, count: int = 2, *, skip: int = 0
) -> AsyncIterator[list[tuple[ServerProcess, Client | None]]]:
    """`count` worker processes sharing `redis` and one audit log, each with a connected MCP client (but the first
    `skip`, whose clients the test opens itself)."""
    audit_log = tmp_path / "audit.jsonl"
    processes = [worker(base_url, redis.url, audit_log, tmp_path, f"worker{i}") for i in range(count)]
    try:
        for process in processes:
            await wait_until_listening(process)
        async with AsyncExitStack() as stack:
            clients: list[Client | None] = [None] * skip
            for process in processes[skip:]:
                transport = streamable_http_client(f"{process.base}/mcp")
                clients.append(await stack.enter_async_context(Client(transport)))
            yield list(zip(processes, clients, strict=True))
    finally:
        for process in processes:
            stop(process.process)


def audit_lines(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]


async def test_two_workers_adding_labels_at_once_lose_nothing_and_report_what_is_there(
    tmp_path: Path, redis: RedisServer, sandbox: tuple[Sandbox, str]
) -> None:
    app, base_url = sandbox
    reports: list[dict[str, Any]] = []
    async with workers(tmp_path, base_url, redis) as pair:

        async def add(client: Client, label: str) -> None:
            reports.append(structured(await client.call_tool("add_labels", {"conversation_id": CONVERSATION,
                                                                             "labels": [label]})))  # fmt: skip

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for w, (_, client) in enumerate(pair):
                    assert client is not None
                    for call in range(20):
                        group.start_soon(add, client, f"race-w{w}-c{call}")
    asked = {f"race-w{w}-c{call}" for w in range(2) for call in range(20)}
    final = app.labels()
    assert asked <= final, f"lost: {sorted(asked - final)}"
    for report in reports:
        assert not report.get("not_kept") and not report.get("concurrent_change"), report
        assert set(report["after"]) <= final  # each reports a set that is really there (nothing it shows got lost)
    assert {label for report in reports for label in report["added"]} == asked
    lines = [line for line in audit_lines(tmp_path) if line["tool"] == "add_labels"]
    assert len(lines) == 40 and {line["outcome"] for line in lines} == {"done"}
    assert all(line["user"]["id"] and line["account"] == ACCOUNT for line in lines)


async def test_a_duplicate_reply_through_the_other_worker_is_refused(
    tmp_path: Path, redis: RedisServer, sandbox: tuple[Sandbox, str]
) -> None:
    app, base_url = sandbox
    reply = {"conversation_id": CONVERSATION, "content": "Your refund is on its way.", "confirm": True}
    async with workers(tmp_path, base_url, redis) as [(_, first), (_, second)]:
        assert first is not None and second is not None
        structured(await first.call_tool("send_reply", reply))
        refused = await second.call_tool("send_reply", reply)
    assert refused.is_error and "already sent" in text_of(refused) and "Nothing was sent" in text_of(refused)
    messages = [m for m in app.state.conversation(ACCOUNT, CONVERSATION).messages if m.content == reply["content"]]
    assert len(messages) == 1
    outcomes = [(line["tool"], line["outcome"]) for line in audit_lines(tmp_path)]
    assert outcomes == [("send_reply", "done"), ("send_reply", "refused")]


async def test_a_worker_killed_holding_a_lock_blocks_the_other_no_longer_than_the_lease(
    tmp_path: Path, redis: RedisServer, sandbox: tuple[Sandbox, str]
) -> None:
    app, base_url = sandbox
    async with workers(tmp_path, base_url, redis, skip=1) as [(doomed, _), (_, second)]:
        assert second is not None
        app.hold_labels.set()
        done: dict[str, float] = {}
        killed = float("inf")

        async def call_on_doomed() -> None:
            # Its label write is held by the sandbox; the process dies with the lock held (the call never returns).
            with contextlib.suppress(Exception):  # the connection drops when it is killed
                async with Client(streamable_http_client(f"{doomed.base}/mcp")) as first:
                    await first.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": ["doomed"]})

        async def call_on_second() -> None:
            result = await second.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": ["survivor"]})
            assert "survivor" in structured(result)["added"]
            done["at"] = time.monotonic()

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                group.start_soon(call_on_doomed)
                while not app.held.is_set():
                    await anyio.sleep(0.01)
                group.start_soon(call_on_second)
                await anyio.sleep(2.5 * LEASE)  # the holder renews its lease while alive: the other still waits
                assert "at" not in done, "the second worker wrote while the first held the lock"
                doomed.process.send_signal(signal.SIGKILL)
                killed = time.monotonic()
                while "at" not in done:
                    await anyio.sleep(0.01)
                group.cancel_scope.cancel()  # the dead worker's call never ends
    assert done["at"] - killed <= LEASE + 1.0, f"blocked {done['at'] - killed:.2f} s after the kill"
    assert "survivor" in app.labels()


async def test_redis_stopped_mid_run_refuses_writes_cleanly_and_reads_go_on(
    tmp_path: Path, redis: RedisServer, sandbox: tuple[Sandbox, str]
) -> None:
    app, base_url = sandbox
    async with workers(tmp_path, base_url, redis, count=1) as [(process, client)]:
        assert client is not None
        structured(await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": ["before-outage"]}))
        redis.stop()
        writes_before = sum(1 for r in app.state.requests if r.method != "GET")
        refused = await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": ["in-outage"]})
        read = await client.call_tool("get_conversation", {"conversation_id": CONVERSATION})
        labels = await client.call_tool("list_account_labels", {})
    assert refused.is_error, text_of(refused)
    assert "cannot be reached" in text_of(refused) and "nothing was written" in text_of(refused)
    assert sum(1 for r in app.state.requests if r.method != "GET") == writes_before
    assert "in-outage" not in app.labels()
    assert not read.is_error and not labels.is_error, (text_of(read), text_of(labels))
    assert "Traceback" not in process.stderr()
    assert [line["outcome"] for line in audit_lines(tmp_path)] == ["done", "refused"]
