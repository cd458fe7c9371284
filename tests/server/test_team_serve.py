"""`chatwoot-mcp serve --auth chatwoot-token` as a real process: per-user calls, and a graceful stop.

Chatwoot is the sandbox on loopback TCP in this test's process, slowed down on one endpoint, so that a call can
be in flight when the server is told to stop.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from chatwoot_sandbox import AGENT_TOKEN, SandboxState, create_app

from .conftest import REPO, ServerProcess, free_port, stop, structured, subprocess_env, wait_until_listening
from .team_support import served

pytestmark = pytest.mark.anyio

SLOW_PATH = "/conversations/meta"
SLOW_SECONDS = 2.0


class Slow:
    """The sandbox app, answering SLOW_PATH requests SLOW_SECONDS late."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.started = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith(SLOW_PATH):
            self.started += 1
            await anyio.sleep(SLOW_SECONDS)
        await self.app(scope, receive, send)


@asynccontextmanager
async def team_process(tmp_path: Path, chatwoot: str) -> AsyncIterator[ServerProcess]:
    port = free_port()
    command = [sys.executable, "-m", "chatwoot_mcp", "serve", "--transport", "streamable-http", "--port", str(port)]
    command += ["--auth", "chatwoot-token", "--base-url", chatwoot, "--account-id", "1"]
    stderr_path = tmp_path / "serve.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            command, env=subprocess_env(), cwd=REPO, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr
        )
    server = ServerProcess(process, port, stderr_path)
    try:
        await wait_until_listening(server)
        yield server
    finally:
        stop(process)


async def counts(base: str, in_flight: anyio.Event) -> dict[str, Any]:
    """get_counts as the agent; `in_flight` is set once the session is ready and the call is about to go."""
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {AGENT_TOKEN}"}, timeout=30)
    async with http, Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client:
        await client.list_tools()  # the result is checked against the tool's schema: know it before the stop
        in_flight.set()
        return structured(await client.call_tool("get_counts", {}))


async def test_a_call_in_flight_finishes_when_the_server_is_stopped(tmp_path: Path) -> None:
    slow = Slow(create_app(SandboxState.demo()))
    results: list[dict[str, Any]] = []
    async with served(slow, lifespan="off") as chatwoot, team_process(tmp_path, chatwoot) as server:
        ready = anyio.Event()

        async def call() -> None:
            results.append(await counts(server.base, ready))

        async with anyio.create_task_group() as group:
            group.start_soon(call)
            with anyio.fail_after(20):
                await ready.wait()
                while not slow.started:  # the call has reached Chatwoot: it is in flight
                    await anyio.sleep(0.02)
            server.process.terminate()  # SIGTERM, as an orchestrator stops a container
            with anyio.fail_after(5):
                async with httpx2.AsyncClient() as http:  # no new connections while it drains
                    while True:
                        try:
                            await http.get(f"{server.base}/healthz")
                        except httpx2.ConnectError:
                            break
                        await anyio.sleep(0.05)
        with anyio.fail_after(20):
            while server.process.poll() is None:
                await anyio.sleep(0.05)
    assert len(results) == 1 and results[0]["all_count"] > 0
    # uvicorn ends by re-raising the signal it caught, so the exit status is SIGTERM's: a clean stop.
    assert server.process.returncode in (0, -15), server.stderr()
    assert "Traceback" not in server.stderr() and AGENT_TOKEN not in server.stderr()
