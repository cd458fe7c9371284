"""Several chatwoot-mcp processes adding labels to one conversation at once: is every reported label really there?

Chatwoot's only label write replaces the whole set and has no compare-and-set, so two processes that read, merge
and write at the same time can undo each other. This starts the sandbox on loopback (with random latency added to
every request, as a real network has), starts N real `chatwoot-mcp` processes over stdio, sends each of them
CALLS concurrent add_labels calls for distinct new labels on one conversation, and compares what every call
reported with the labels the conversation has at the end.

    uv run python benchmarks/label_race.py --processes 2 4 --calls 20 --jitter-ms 30
    uv run python benchmarks/label_race.py --processes 2 --state in-process redis --separate-hosts

With `--state redis` the processes are team-server workers (`serve --transport streamable-http --state
redis://...`, a throwaway redis-server on loopback) instead of stdio servers. `--separate-hosts` gives every
process a temp directory of its own, so the in-process state's host-wide file locks no longer meet: what servers
on different machines see. A label reported in `added` that is missing at the end is a false success (a lost
label), the one outcome that must never happen.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from chatwoot_sandbox import ADMIN_TOKEN, SandboxState, create_app
from chatwoot_sandbox.serving import loopback_server

CONVERSATION = 7
ACCOUNT = 1

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


@dataclass
class RaceResult:
    processes: int
    calls: int
    reported_added: set[str] = field(default_factory=set)
    not_kept: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    final: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def false_successes(self) -> set[str]:
        """Labels a call reported as added that the conversation does not have at the end."""
        return self.reported_added - self.final

    @property
    def unreported(self) -> set[str]:
        """Labels asked for that ended neither added, nor reported as not kept, nor in an error."""
        asked = {label(p, i) for p in range(self.processes) for i in range(self.calls)}
        return asked - self.final - self.not_kept - {x for x in asked if any(x in e for e in self.errors)}


def label(process: int, call: int) -> str:
    return f"race-p{process}-c{call}"


def with_jitter(app: ASGIApp, jitter: float) -> ASGIApp:
    """Delay every HTTP request by a random 0..jitter seconds before the app sees it."""

    async def jittered(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and jitter > 0:
            await anyio.sleep(random.uniform(0, jitter))
        await app(scope, receive, send)

    return jittered


@contextmanager
def loopback_sandbox(state: SandboxState, jitter: float) -> Iterator[str]:
    """Serve `state` on a free 127.0.0.1 port (in a thread) for the duration of the block; yields its URL."""
    with loopback_server(app=with_jitter(create_app(state), jitter)) as server:
        yield server.url


def _server_env(base_url: str, tmpdir: str | None = None) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH", "SYSTEMROOT")}
    return (
        keep
        | ({"TMPDIR": tmpdir} if tmpdir else {})
        | {
            "CHATWOOT_BASE_URL": base_url,
            "CHATWOOT_API_TOKEN": ADMIN_TOKEN,
            "CHATWOOT_ACCOUNT_ID": str(ACCOUNT),
            "CHATWOOT_MCP_ALLOW_NEW_LABELS": "1",
            "CHATWOOT_MCP_TOOLS": "add_labels",
        }
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on a free loopback port (no persistence); yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not on PATH (apt-get install redis-server)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, child)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        child.terminate()
        child.wait(timeout=10)


def wait_for_port(port: int, child: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"a child process did not listen on {port}") from None
            time.sleep(0.05)


@asynccontextmanager
async def http_worker(base_url: str, redis_url: str, tmpdir: str | None) -> AsyncIterator[Client]:
    """A team-server worker process with the Redis state, and an MCP client connected to it."""
    port = free_port()
    command = [sys.executable, "-m", "chatwoot_mcp", "serve", "--transport", "streamable-http", "--port", str(port)]
    child = subprocess.Popen(
        [*command, "--state", redis_url],
        env=_server_env(base_url, tmpdir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await anyio.to_thread.run_sync(wait_for_port, port, child)
        async with Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp")) as client:
            yield client
    finally:
        child.terminate()
        await anyio.to_thread.run_sync(child.wait)


async def run_race(
    processes: int,
    calls: int,
    jitter: float,
    timeout: float = 120,
    *,
    redis_url: str | None = None,
    separate_hosts: bool = False,
) -> RaceResult:
    """One race: `processes` servers x `calls` concurrent add_labels on one conversation.

    The servers are stdio processes with the in-process state, or with `redis_url` HTTP workers sharing it;
    `separate_hosts` gives each its own temp directory (no shared file locks, as on different machines).
    """
    state = SandboxState.demo()
    result = RaceResult(processes, calls)
    with loopback_sandbox(state, jitter) as base_url, tempfile.TemporaryDirectory() as scratch:

        def tmpdir(process: int) -> str | None:
            if not separate_hosts:
                return None
            path = Path(scratch) / f"host{process}"
            path.mkdir(exist_ok=True)
            return str(path)

        @asynccontextmanager
        async def server(process: int) -> AsyncIterator[Client]:
            if redis_url is not None:
                async with http_worker(base_url, redis_url, tmpdir(process)) as client:
                    yield client
                return
            env = _server_env(base_url, tmpdir(process))
            parameters = StdioServerParameters(command=sys.executable, args=["-m", "chatwoot_mcp", "serve"], env=env)
            async with Client(parameters) as client:
                await client.list_tools()
                yield client

        async with AsyncExitStack() as servers:
            # Every server is up before the first call: the race is between running servers, not start-ups.
            clients = [await servers.enter_async_context(server(process)) for process in range(processes)]
            started = time.perf_counter()
            with anyio.fail_after(timeout):
                async with anyio.create_task_group() as group:
                    for process, client in enumerate(clients):
                        for call in range(calls):
                            group.start_soon(one_call, client, process, call, result)
            result.seconds = time.perf_counter() - started
    result.final = {x for x in state.conversation(ACCOUNT, CONVERSATION).labels if x.startswith("race-")}
    return result


async def one_call(client: Client, process: int, call: int, result: RaceResult) -> None:
    wanted = label(process, call)
    outcome = await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": [wanted]})
    if outcome.is_error:
        result.errors.append(f"{wanted}: " + " ".join(getattr(b, "text", "") for b in outcome.content))
        return
    data = outcome.structured_content or {}
    result.reported_added.update(data.get("added", []))
    result.not_kept.update(entry.split(" ")[0] for entry in data.get("not_kept", []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--calls", type=int, default=20, help="concurrent add_labels per process")
    parser.add_argument("--jitter-ms", type=float, default=30.0, help="random latency added to each request")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--state",
        nargs="+",
        choices=["in-process", "redis"],
        default=["in-process"],
        help="in-process: stdio servers; redis: HTTP workers sharing a throwaway redis-server",
    )
    parser.add_argument("--separate-hosts", action="store_true", help="no shared temp directory (file locks)")
    args = parser.parse_args()
    print(f"{'state':>10} {'processes':>9} {'calls':>5} {'run':>3} {'added':>5} {'at end':>6} {'lost':>4} "
          f"{'not kept':>8} {'errors':>6} {'silent':>6} {'seconds':>7}")  # fmt: skip
    with redis_server() if "redis" in args.state else _nothing() as redis_url:
        for state in args.state:
            for processes in args.processes:
                for run in range(1, args.runs + 1):
                    race = functools.partial(
                        run_race,
                        processes,
                        args.calls,
                        args.jitter_ms / 1000,
                        redis_url=redis_url if state == "redis" else None,
                        separate_hosts=args.separate_hosts,
                    )
                    r = anyio.run(race)
                    print(
                        f"{state:>10} {processes:>9} {processes * args.calls:>5} {run:>3} {len(r.reported_added):>5} "
                        f"{len(r.final):>6} {len(r.false_successes):>4} {len(r.not_kept):>8} {len(r.errors):>6} "
                        f"{len(r.unreported):>6} {r.seconds:>7.2f}"
                    )


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
