"""Streamable-HTTP calls per second with 1 and 2 worker processes, each user with their own Chatwoot token.

Starts the sandbox (`python -m chatwoot_sandbox`) and, when redis-server is on PATH and the server has a Redis
state backend, a throwaway Redis, all on loopback; then for each worker count starts
`uvicorn --factory chatwoot_mcp.asgi:create_app --workers N` (per-user tokens, stateless HTTP) and lets CLIENTS
concurrent MCP clients (each its own connection, session and sandbox user) call a tool for SECONDS seconds.

    uv run python benchmarks/http_workers.py --workers 1 2 --clients 32 --seconds 10

Two tools: list_conversations asks Chatwoot once per call (so the single-process sandbox is part of what is
measured; get_counts no longer does, as it serves repeats from a short cache);
list_account_labels is answered from the server's directory cache (the MCP server alone). The load generator
runs on the same machine and takes CPU from the workers: on 2 cores, 2 workers cannot double anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

REPO = Path(__file__).resolve().parents[1]
TOKENS = ["sandbox-admin-token", "sandbox-agent-token", *(f"sandbox-user-{i}-token" for i in (2, 3, 5, 6, 7, 8))]
"""The sandbox's users in account 1: client i acts as TOKENS[i % len(TOKENS)]."""
TOOLS = ("list_conversations", "list_account_labels")


@dataclass
class Run:
    workers: int
    tool: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[int(q) - 1] * 1000


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CHATWOOT_")}
    paths = [str(REPO / "client"), str(REPO / "server"), base.get("PYTHONPATH", "")]
    return base | {"PYTHONPATH": os.pathsep.join(p for p in paths if p)} | extra


@contextmanager
def process(command: list[str], environment: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` for the block, its output in a temporary file; stopped (terminate, then kill) however the
    block ends."""
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(
            command, env=environment, cwd=REPO, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
        try:
            yield child
        except BaseException:
            output.seek(0)
            sys.stderr.write(output.read().decode(errors="replace")[-4000:])
            raise
        finally:
            _stop(child)


def _stop(child: subprocess.Popen[bytes]) -> None:
    child.terminate()
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(timeout=5)


@contextmanager
def sandbox() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "chatwoot_sandbox", "--port", str(port), "--request-log", "0"]
    with process(command, env()) as child:
        wait_for_port(port, child)
        yield f"http://127.0.0.1:{port}"


@contextmanager
def redis() -> Iterator[str | None]:
    """A throwaway redis-server on loopback, or None when there is none (or the server has no Redis backend)."""
    if shutil.which("redis-server") is None or not redis_backend():
        yield None
        return
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with process(command, env()) as child:
        wait_for_port(port, child)
        yield f"redis://127.0.0.1:{port}/0"


def redis_backend() -> bool:
    with suppress(ImportError):
        import chatwoot_mcp.state.redis  # noqa: F401

        return True
    return False


def wait_for_port(port: int, child: subprocess.Popen[bytes], timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"{child.args} exited with {child.returncode}")
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise SystemExit(f"{child.args} did not listen on {port} within {timeout}s")


@contextmanager
def workers(count: int, chatwoot: str, state: str | None) -> Iterator[str]:
    port = free_port()
    settings = {
        "CHATWOOT_BASE_URL": chatwoot,
        "CHATWOOT_ACCOUNT_ID": "1",
        "CHATWOOT_MCP_AUTH": "chatwoot-token",
        "CHATWOOT_MCP_HOST": "127.0.0.1",
        "CHATWOOT_MCP_STATE_KEY": "benchmark-request-state-key-0123456789abcdef",
    } | ({"CHATWOOT_MCP_STATE": state} if state else {})
    command = [sys.executable, "-m", "uvicorn", "--factory", "chatwoot_mcp.asgi:create_app", "--port", str(port)]
    command += ["--workers", str(count), "--log-level", "warning"]
    with process(command, env(**settings)) as child:
        wait_for_port(port, child)
        base = f"http://127.0.0.1:{port}"
        anyio.run(wait_ready, base)
        yield base


async def wait_ready(base: str) -> None:
    with anyio.fail_after(60):
        async with httpx2.AsyncClient() as http:
            while (await http.get(f"{base}/readyz")).status_code != 200:
                await anyio.sleep(0.1)
    await anyio.sleep(1.0)  # the other workers finish importing


async def load(base: str, run: Run, clients: int, seconds: float) -> None:
    """CLIENTS sessions call run.tool until the deadline; only calls after every session's first one count."""
    ready = anyio.Event()
    warmed = 0
    deadline = 0.0

    async def client(index: int) -> None:
        nonlocal warmed, deadline
        headers = {"Authorization": f"Bearer {TOKENS[index % len(TOKENS)]}"}
        http = httpx2.AsyncClient(headers=headers, timeout=60)
        async with http, Client(streamable_http_client(f"{base}/mcp", http_client=http), cache=None) as session:
            await session.call_tool(run.tool, {})  # warm-up: token check, directory cache, connection
            warmed += 1
            if warmed == clients:
                deadline = time.perf_counter() + seconds
                ready.set()
            await ready.wait()
            while (started := time.perf_counter()) < deadline:
                result = await session.call_tool(run.tool, {})
                if result.is_error:
                    run.errors += 1
                else:
                    run.latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    with anyio.fail_after(seconds + 120):
        async with anyio.create_task_group() as group:
            for index in range(clients):
                group.start_soon(client, index)
            await ready.wait()
            began = time.perf_counter()
    run.seconds = time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description="Streamable-HTTP calls/s with 1 and 2 workers (per-user tokens).")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-redis", action="store_true", help="in-process state even when Redis is available")
    args = parser.parse_args()

    runs: list[Run] = []
    with sandbox() as chatwoot, redis() if not args.no_redis else _none() as state:
        for count in args.workers:
            with workers(count, chatwoot, state) as base:
                for tool in TOOLS:
                    run = Run(count, tool)
                    anyio.run(load, base, run, args.clients, args.seconds)
                    runs.append(run)
    print(
        f"\n{args.clients} concurrent streamable-HTTP clients, per-user tokens, {args.seconds:g} s per row, "
        f"state: {'Redis' if state else 'in-process'}, {os.cpu_count()} CPUs (load generator included)\n"
    )
    print(f"{'workers':>7}  {'tool':<20} {'calls/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
    for run in runs:
        print(
            f"{run.workers:>7}  {run.tool:<20} {run.rate:>8.0f} {run.percentile(50):>7.1f} "
            f"{run.percentile(95):>7.1f} {run.errors:>6}"
        )


@contextmanager
def _none() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
