"""Several worker processes behind one port: `uvicorn --factory chatwoot_mcp.asgi:create_app --workers 2`.

Chatwoot is the sandbox, served over loopback TCP from this test's process, so its state shows what each worker
asked. A worker checks each token once (its own profile cache), so the number of /profile questions for one token
is the number of workers that served it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ElicitRequestParams, ElicitResult

from chatwoot_sandbox import AGENT_TOKEN, LONG_CONVERSATION_ID, SandboxState, create_app

from .conftest import (
    REPO,
    ServerProcess,
    free_port,
    stop,
    structured,
    subprocess_env,
    text_of,
    wait_until_listening,
)
from .team_support import served

pytestmark = pytest.mark.anyio

CONVERSATION = LONG_CONVERSATION_ID
"""In the agent's inbox."""


@asynccontextmanager
async def workers(tmp_path: Path, chatwoot: str, count: int) -> AsyncIterator[ServerProcess]:
    port = free_port()
    env = subprocess_env(
        CHATWOOT_BASE_URL=chatwoot,
        CHATWOOT_ACCOUNT_ID="1",
        CHATWOOT_MCP_AUTH="chatwoot-token",
        CHATWOOT_MCP_HOST="127.0.0.1",
        CHATWOOT_MCP_STATE_KEY="test-request-state-key-0123456789",
    )
    command = [sys.executable, "-m", "uvicorn", "--factory", "chatwoot_mcp.asgi:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(count), "--log-level", "warning"]
    stderr_path = tmp_path / "workers.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
    server = ServerProcess(process, port, stderr_path)
    try:
        await wait_until_listening(server, timeout=30)
        yield server
    finally:
        stop(process)


def token_checks(state: SandboxState) -> int:
    """How often the agent's token was checked against /profile (readiness probes send no token)."""
    return sum(
        1 for r in state.requests if r.path == "/api/v1/profile" and r.headers.get("api_access_token") == AGENT_TOKEN
    )


async def confirmed_reply(base: str, content: str) -> str:
    """send_reply as the agent, confirmed through MCP elicitation, each HTTP request on a new connection."""

    async def yes(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        return ElicitResult(action="accept", content={"confirm": True})

    headers = {"Authorization": f"Bearer {AGENT_TOKEN}"}
    http = httpx2.AsyncClient(headers=headers, timeout=30, limits=httpx2.Limits(max_keepalive_connections=0))
    transport = streamable_http_client(f"{base}/mcp", http_client=http)
    async with http, Client(transport, cache=None, elicitation_callback=yes) as client:
        result = await client.call_tool("send_reply", {"conversation_id": CONVERSATION, "content": content})
    return text_of(result)


async def call_once(base: str, mode: str = "auto", *, keepalive: bool = True) -> int:
    """One client, on its own connection(s): one get_counts call as the agent; returns all_count."""
    limits = httpx2.Limits() if keepalive else httpx2.Limits(max_keepalive_connections=0)
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {AGENT_TOKEN}"}, timeout=30, limits=limits)
    transport = streamable_http_client(f"{base}/mcp", http_client=http)
    async with http, Client(transport, mode=mode, cache=None) as client:
        return structured(await client.call_tool("get_counts", {}))["all_count"]


async def test_two_worker_processes_both_serve_calls(tmp_path: Path) -> None:
    state = SandboxState.demo()
    counts: list[int] = []
    async with served(create_app(state)) as chatwoot, workers(tmp_path, chatwoot, 2) as server:
        with anyio.fail_after(60):
            async with httpx2.AsyncClient() as http:
                while (await http.get(f"{server.base}/readyz")).status_code != 200:
                    await anyio.sleep(0.1)

            async def one() -> None:
                counts.append(await call_once(server.base))

            # Rounds of concurrent clients, so that both workers are busy at once, until both have served (a
            # worker still importing accepts nothing yet) or the minute is up; at most 20 rounds.
            for _ in range(20):
                async with anyio.create_task_group() as group:
                    for _ in range(12):
                        group.start_soon(one)
                if token_checks(state) >= 2:
                    break
                await anyio.sleep(0.5)
        # A confirmation question sealed by one worker is answered on whichever worker the next connection
        # reaches (every request opens a connection here): the shared CHATWOOT_MCP_STATE_KEY opens it there too.
        replies = [await confirmed_reply(server.base, f"reply {n} through the workers") for n in range(6)]
        # A 2025-era client (initialize, then calls) with every request on a new connection: stateless HTTP
        # gives it no session that only one worker knows.
        legacy = [await call_once(server.base, "legacy", keepalive=False) for _ in range(4)]
    assert len(set(counts + legacy)) == 1 and counts[0] > 0
    assert token_checks(state) == 2, f"{token_checks(state)} workers served the calls:\n{server.stderr()}"
    assert all("Reply SENT" in reply for reply in replies), replies
    sent = [
        m.content
        for c in state.conversations.values()
        for m in c.messages
        if "through the workers" in (m.content or "")
    ]
    assert len(sent) == 6


def single_worker(tmp_path: Path, **settings: str) -> ServerProcess:
    """`uvicorn --factory chatwoot_mcp.asgi:create_app` in one process with a server token of its own."""
    port = free_port()
    env = subprocess_env(CHATWOOT_ACCOUNT_ID="1", CHATWOOT_MCP_HOST="127.0.0.1", **settings)
    command = [sys.executable, "-m", "uvicorn", "--factory", "chatwoot_mcp.asgi:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    stderr_path = tmp_path / "worker.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
    return ServerProcess(process, port, stderr_path)


async def test_a_worker_whose_token_chatwoot_refuses_stops_with_the_paragraph(tmp_path: Path) -> None:
    wrong = "CANARY-wrong-token-5e1f"
    async with served(create_app(SandboxState.demo())) as chatwoot:
        worker = single_worker(tmp_path, CHATWOOT_BASE_URL=chatwoot, CHATWOOT_API_TOKEN=wrong)
        try:
            with anyio.fail_after(60):
                while worker.process.poll() is None:
                    await anyio.sleep(0.1)
        finally:
            stop(worker.process)
    stderr = worker.stderr()
    assert worker.process.returncode != 0, stderr
    assert "refused CHATWOOT_API_TOKEN" in stderr, stderr
    assert wrong not in stderr


async def test_a_worker_serves_while_chatwoot_does_not_answer(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    worker = single_worker(tmp_path, CHATWOOT_BASE_URL=nowhere, CHATWOOT_API_TOKEN=AGENT_TOKEN)
    try:
        await wait_until_listening(worker, timeout=60)
        async with httpx2.AsyncClient() as http:
            assert (await http.get(f"{worker.base}/healthz")).status_code == 200
            transport = streamable_http_client(f"{worker.base}/mcp", http_client=http)
            async with Client(transport, cache=None) as client:
                result = await client.call_tool("get_counts", {})
        assert result.is_error and "Could not reach Chatwoot" in text_of(result), text_of(result)
    finally:
        stop(worker.process)
    assert "Serving anyway" in worker.stderr()
