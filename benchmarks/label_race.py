"""Several chatwoot-mcp processes adding labels to one conversation at once: is every reported label really there?

Chatwoot's only label write replaces the whole set and has no compare-and-set, so two processes that read, merge
and write at the same time can undo each other. This starts the sandbox on loopback (with random latency added to
every request, as a real network has), starts N real `chatwoot-mcp` processes over stdio, sends each of them
CALLS concurrent add_labels calls for distinct new labels on one conversation, and compares what every call
reported with the labels the conversation has at the end.

    uv run python benchmarks/label_race.py --processes 2 4 --calls 20 --jitter-ms 30

A label reported in `added` that is missing at the end is a false success, the one outcome that must never happen.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

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


def _server_env(base_url: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH", "SYSTEMROOT")}
    return keep | {
        "CHATWOOT_BASE_URL": base_url,
        "CHATWOOT_API_TOKEN": ADMIN_TOKEN,
        "CHATWOOT_ACCOUNT_ID": str(ACCOUNT),
        "CHATWOOT_MCP_ALLOW_NEW_LABELS": "1",
        "CHATWOOT_MCP_TOOLS": "add_labels",
    }


async def run_race(processes: int, calls: int, jitter: float, timeout: float = 120) -> RaceResult:
    """One race: `processes` servers x `calls` concurrent add_labels on one conversation."""
    state = SandboxState.demo()
    result = RaceResult(processes, calls)
    with loopback_sandbox(state, jitter) as base_url:
        parameters = StdioServerParameters(
            command=sys.executable, args=["-m", "chatwoot_mcp", "serve"], env=_server_env(base_url)
        )

        async def one_process(process: int) -> None:
            async with Client(parameters) as client:
                await client.list_tools()
                async with anyio.create_task_group() as calls_group:
                    for call in range(calls):
                        calls_group.start_soon(one_call, client, process, call)

        async def one_call(client: Client, process: int, call: int) -> None:
            wanted = label(process, call)
            outcome = await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": [wanted]})
            if outcome.is_error:
                result.errors.append(f"{wanted}: " + " ".join(getattr(b, "text", "") for b in outcome.content))
                return
            data = outcome.structured_content or {}
            result.reported_added.update(data.get("added", []))
            result.not_kept.update(entry.split(" ")[0] for entry in data.get("not_kept", []))

        started = time.perf_counter()
        with anyio.fail_after(timeout):
            async with anyio.create_task_group() as group:
                for process in range(processes):
                    group.start_soon(one_process, process)
        result.seconds = time.perf_counter() - started
    result.final = {x for x in state.conversation(ACCOUNT, CONVERSATION).labels if x.startswith("race-")}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--calls", type=int, default=20, help="concurrent add_labels per process")
    parser.add_argument("--jitter-ms", type=float, default=30.0, help="random latency added to each request")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'processes':>9} {'calls':>5} {'run':>3} {'added':>5} {'at end':>6} {'false ok':>8} {'not kept':>8} "
          f"{'errors':>6} {'silent':>6} {'seconds':>7}")  # fmt: skip
    for processes in args.processes:
        for run in range(1, args.runs + 1):
            r = anyio.run(run_race, processes, args.calls, args.jitter_ms / 1000)
            print(
                f"{processes:>9} {processes * args.calls:>5} {run:>3} {len(r.reported_added):>5} {len(r.final):>6} "
                f"{len(r.false_successes):>8} {len(r.not_kept):>8} {len(r.errors):>6} {len(r.unreported):>6} "
                f"{r.seconds:>7.2f}"
            )


if __name__ == "__main__":
    main()
