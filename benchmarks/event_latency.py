"""Webhook in -> notification out, across two replicas sharing one Redis: how long does a change take to reach a
subscriber?

Starts the sandbox on loopback (Chatwoot), a throwaway redis-server, and two real `chatwoot-mcp serve --transport
streamable-http --state redis://...` processes (replicas A and B) with the same webhook secret. Clients of both
protocol eras connect to replica B and watch `chatwoot://conversations/N`; signed `message_created` webhooks are
POSTed to replica A, one at a time; each is timed from just before the POST to the moment each client has the
`notifications/resources/updated`. Then `list_events(wait_seconds=...)` on replica B: timed from the POST to A to
the moment the waiting call returns with the event.

    uv run python benchmarks/event_latency.py                 # 200 events, both eras
    uv run python benchmarks/event_latency.py --events 50 --list-calls 20

Target: p95 <= 250 ms for the notification (both eras).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.subscriptions import SUBSCRIPTION_ID_META_KEY
from mcp.types import ResourceUpdatedNotification

from chatwoot_mcp.events.signature import sign
from chatwoot_sandbox import ADMIN_TOKEN, SandboxState
from chatwoot_sandbox.serving import loopback_server

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: the loopback helpers are label_race's

from benchmarks.label_race import free_port, redis_server, wait_for_port  # noqa: E402

SECRET = "bN4kR8vQ2mXc7LpZ5tWy9HdJ"
"""The webhook secret both replicas are configured with (24 characters, as Chatwoot makes them)."""
CONVERSATION = 3
URI = f"chatwoot://conversations/{CONVERSATION}"


@asynccontextmanager
async def replica(base_url: str, redis_url: str) -> AsyncIterator[str]:
    """A `chatwoot-mcp serve` process on a free loopback port; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATWOOT_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "client"), str(REPO / "server"), env.get("PYTHONPATH", "")])
    env |= {
        "CHATWOOT_BASE_URL": base_url,
        "CHATWOOT_API_TOKEN": ADMIN_TOKEN,
        "CHATWOOT_ACCOUNT_ID": "1",
        "CHATWOOT_MCP_WEBHOOK_SECRET": SECRET,
        "CHATWOOT_MCP_TOOLSETS": "conversations,events",
    }
    command = [sys.executable, "-m", "chatwoot_mcp", "serve", "--transport", "streamable-http"]
    child = subprocess.Popen(
        [*command, "--port", str(port), "--state", redis_url],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await anyio.to_thread.run_sync(wait_for_port, port, child)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        await anyio.to_thread.run_sync(child.wait)


def delivery(message_id: int) -> tuple[bytes, dict[str, str]]:
    """A signed `message_created` webhook for a customer message in CONVERSATION."""
    payload = {
        "event": "message_created",
        "account": {"id": 1, "name": "Acme Support"},
        "id": message_id,
        "content": f"benchmark message {message_id}",
        "message_type": "incoming",
        "private": False,
        "conversation": {"id": CONVERSATION, "account_id": 1, "inbox_id": 1},
        "sender": {"id": 7, "name": "Jane", "email": "jane@example.com"},
        "created_at": "2026-06-17T09:04:00.000Z",
    }
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Chatwoot-Delivery": str(uuid.uuid4()),
        "X-Chatwoot-Timestamp": stamp,
        "X-Chatwoot-Signature": sign(SECRET, stamp, body),
    }
    return body, headers


class Arrivals:
    """When each era's client heard an update (perf_counter)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.news = anyio.Event()

    def hear(self) -> None:
        self.times.append(time.perf_counter())
        self.news.set()

    async def message(self, message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification) and SUBSCRIPTION_ID_META_KEY not in (
            message.params.meta or {}
        ):
            self.hear()

    async def after(self, count: int, timeout: float = 5.0) -> float:
        with anyio.fail_after(timeout):
            while len(self.times) < count:
                self.news = anyio.Event()
                await self.news.wait()
        return self.times[count - 1]


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return f"p50 {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  max {ms[-1]:6.1f} ms  (n={len(ms)})"


async def run(events: int, list_calls: int) -> None:
    with loopback_server(SandboxState.demo()) as sandbox, redis_server() as redis_url:
        async with (
            replica(sandbox.url, redis_url) as replica_a,
            replica(sandbox.url, redis_url) as replica_b,
            httpx2.AsyncClient(timeout=30) as http_legacy,
            httpx2.AsyncClient(timeout=30) as http_modern,
            httpx2.AsyncClient(timeout=30) as webhooks,
        ):
            legacy_heard, modern_heard = Arrivals(), Arrivals()
            legacy_transport = streamable_http_client(f"{replica_b}/mcp", http_client=http_legacy)
            modern_transport = streamable_http_client(f"{replica_b}/mcp", http_client=http_modern)
            async with (
                Client(legacy_transport, mode="legacy", message_handler=legacy_heard.message, cache=None) as legacy,
                Client(modern_transport, cache=None) as modern,
                modern.listen(resource_subscriptions=[URI]) as stream,
                anyio.create_task_group() as group,
            ):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the 2025 era's resources/subscribe is deprecated in the SDK
                    await legacy.subscribe_resource(URI)

                async def pump() -> None:
                    async for _ in stream:
                        modern_heard.hear()

                group.start_soon(pump)
                legacy_times: list[float] = []
                modern_times: list[float] = []
                for number in range(1, events + 1):
                    body, headers = delivery(10_000 + number)
                    started = time.perf_counter()
                    answer = await webhooks.post(f"{replica_a}/webhooks/chatwoot", content=body, headers=headers)
                    answer.raise_for_status()
                    legacy_times.append(await legacy_heard.after(number) - started)
                    modern_times.append(await modern_heard.after(number) - started)
                print(f"webhook to replica A -> notification on replica B, {events} events")
                print(f"  2025-11-25 (resources/subscribe)     {percentiles(legacy_times)}")
                print(f"  2026-07-28 (subscriptions/listen)    {percentiles(modern_times)}")

                waits: list[float] = []
                first = await modern.call_tool("list_events", {})
                since = (first.structured_content or {})["next_since"]
                for number in range(1, list_calls + 1):
                    returned: list[float] = []
                    body, headers = delivery(50_000 + number)
                    started = 0.0

                    async def waiting(cursor: str, into: list[float]) -> None:
                        result = await modern.call_tool("list_events", {"since": cursor, "wait_seconds": 10})
                        into.append(time.perf_counter())
                        assert (result.structured_content or {}).get("events"), result

                    async with anyio.create_task_group() as calls:
                        calls.start_soon(waiting, since, returned)
                        await anyio.sleep(0.1)  # the call is waiting on replica B's stream read
                        started = time.perf_counter()
                        (
                            await webhooks.post(f"{replica_a}/webhooks/chatwoot", content=body, headers=headers)
                        ).raise_for_status()
                    waits.append(returned[0] - started)
                    page = await modern.call_tool("list_events", {"since": since})
                    since = (page.structured_content or {})["next_since"]
                print(f"webhook to replica A -> list_events(wait_seconds) returns on replica B, {list_calls} calls")
                print(f"  2026-07-28                           {percentiles(waits)}")
                group.cancel_scope.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200, help="webhooks timed to a notification (default 200)")
    parser.add_argument("--list-calls", type=int, default=50, help="waiting list_events calls timed (default 50)")
    arguments = parser.parse_args()
    anyio.run(run, arguments.events, arguments.list_calls)


if __name__ == "__main__":
    main()
