"""Shared helpers for the MCP server's end-to-end tests.

Every in-memory test talks to a real `MCPServer` built by `create_server`, through `mcp.Client`, in both
protocol eras (the default modern dispatch and the legacy `initialize` handshake), with Chatwoot played by the
sandbox app over an in-process ASGI transport. `state.requests` shows exactly what reached "Chatwoot".
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.client.session import ElicitationFnT
from mcp.server import MCPServer
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult

from chatwoot_mcp.config import Settings, load_settings
from chatwoot_mcp.server import create_server
from chatwoot_sandbox import ADMIN_TOKEN, SandboxState, create_app

REPO = Path(__file__).resolve().parents[2]
MODES = ("auto", "legacy")
SANDBOX_URL = "http://sandbox"
BASE_ENV = {"CHATWOOT_BASE_URL": SANDBOX_URL, "CHATWOOT_API_TOKEN": ADMIN_TOKEN, "CHATWOOT_ACCOUNT_ID": "1"}

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


# -- building servers ---------------------------------------------------------------------------------------------


def make_settings(**env: str) -> Settings:
    """Settings for the sandbox, with `env` added to (or, with "", blanking) the base environment."""
    return load_settings({**BASE_ENV, **env})


class _Backend:
    """Where a cached server's Chatwoot requests go: the sandbox app of the test using it now."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def http_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=self.app))


_SERVERS: dict[Settings, tuple[MCPServer, _Backend]] = {}


def make_server(
    state: SandboxState,
    settings: Settings | None = None,
    *,
    wrap_app: Callable[[ASGIApp], ASGIApp] | None = None,
) -> MCPServer:
    """A chatwoot-mcp server whose Chatwoot is the sandbox app over `state` (optionally wrapped).

    Building a server costs ~0.1 s (pydantic models for every tool), so servers are cached per settings and
    pointed at the newest sandbox. The lifespan (client, caches, locks) still starts afresh for each client
    session. Use one session per cached server at a time; a wrapped app always gets a server of its own.
    """
    settings = settings or make_settings()
    app: ASGIApp = create_app(state)
    if wrap_app is not None:
        return create_server(settings, http_client=_Backend(wrap_app(app)).http_client)
    if settings not in _SERVERS:
        backend = _Backend(app)
        _SERVERS[settings] = (create_server(settings, http_client=backend.http_client), backend)
    server, backend = _SERVERS[settings]
    backend.app = app
    return server


@asynccontextmanager
async def connect(server: MCPServer, mode: str, elicitation: ElicitationFnT | None = None) -> AsyncIterator[Client]:
    """An in-memory MCP client session on `server` in protocol era `mode`."""
    async with Client(server, mode=mode, elicitation_callback=elicitation, cache=None) as client:
        yield client


# -- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """The protocol era: "auto" (2026-07-28, direct dispatch) or "legacy" (initialize handshake)."""
    return request.param


@pytest.fixture
def state() -> SandboxState:
    """A fresh demo sandbox for each test."""
    return SandboxState.demo()


@pytest.fixture
async def client(state: SandboxState, mode: str, anyio_backend: str) -> AsyncIterator[Client]:
    """A client session, in each era, on the default single-account server over `state`."""
    async with connect(make_server(state), mode) as session:
        yield session


# -- elicitation callbacks ----------------------------------------------------------------------------------------


class Asker:
    """An elicitation callback that records each question and gives a fixed answer."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.questions: list[str] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        self.questions.append(params.message)
        if self.answer == "accept":
            return ElicitResult(action="accept", content={"confirm": True})
        return ElicitResult(action=self.answer)  # type: ignore[arg-type]


# -- reading results and requests ---------------------------------------------------------------------------------


def text_of(result: CallToolResult) -> str:
    """All text content of a tool result."""
    return "\n".join(getattr(block, "text", "") for block in result.content)


def structured(result: CallToolResult) -> dict[str, Any]:
    """The structured content of a successful result (failing with the result's text otherwise)."""
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None, text_of(result)
    return result.structured_content


def assert_compact(result: CallToolResult) -> None:
    """The text block is the compact rendering, not the SDK's pretty-printed JSON of the structured content."""
    data = structured(result)
    text = text_of(result)
    assert len(result.content) == 1
    assert '\n  "' not in text, text
    assert len(text) < len(json.dumps(data, indent=2)), text


def writes(state: SandboxState, since: int = 0) -> list[str]:
    """Every non-GET request the sandbox saw (after the first `since` requests), as "METHOD path"."""
    return [f"{r.method} {r.path}" for r in state.requests[since:] if r.method != "GET"]


def assert_refused(result: CallToolResult, *needles: str) -> str:
    """An error result that says nothing was written and mentions each of `needles`; returns its text."""
    text = text_of(result)
    assert result.is_error, text
    assert "Nothing was" in text or "nothing" in text.lower(), text
    for needle in needles:
        assert needle in text, f"{needle!r} not in {text!r}"
    return text


# -- subprocesses -------------------------------------------------------------------------------------------------


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a `chatwoot-mcp` subprocess: no inherited CHATWOOT_* settings, sources importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATWOOT_")}
    paths = [str(REPO / "client"), str(REPO / "server")]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    return env | extra


def run_cli(*args: str, env: Mapping[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run `python -m chatwoot_mcp ARGS` to completion."""
    return run_cli_many([args], env=env, timeout=timeout)[0]


def run_cli_many(
    invocations: Sequence[Sequence[str]], env: Mapping[str, str] | None = None, timeout: float = 30
) -> list[subprocess.CompletedProcess[str]]:
    """Run several `python -m chatwoot_mcp ...` commands side by side (each pays ~1 s of imports)."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "chatwoot_mcp", *args],
            env=dict(env) if env is not None else subprocess_env(),
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in invocations
    ]
    results = []
    try:
        for args, process in zip(invocations, processes, strict=True):
            stdout, stderr = process.communicate(timeout=timeout)
            results.append(subprocess.CompletedProcess([*args], process.returncode, stdout, stderr))
    finally:
        for process in processes:
            stop(process)
    return results


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A `chatwoot-mcp serve` subprocess on an HTTP transport; stderr goes to a file read at the end."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, stderr_path: Path) -> None:
        self.process = process
        self.port = port
        self.stderr_path = stderr_path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def http_server(
    tmp_path: Path, transport: str, *extra_args: str, env: Mapping[str, str] | None = None
) -> AsyncIterator[ServerProcess]:
    """Start `serve --sandbox --transport TRANSPORT` on a free loopback port; stop it on exit."""
    port = free_port()
    stderr_path = tmp_path / f"{transport}-{port}.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chatwoot_mcp",
                "serve",
                "--sandbox",
                "--transport",
                transport,
                "--port",
                str(port),
                *extra_args,
            ],
            env=dict(env) if env is not None else subprocess_env(),
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    server = ServerProcess(process, port, stderr_path)
    try:
        await wait_until_listening(server)
        yield server
    finally:
        stop(process)


async def wait_until_listening(server: ServerProcess, timeout: float = 20) -> None:
    """Poll until the server accepts TCP connections, failing early (with its stderr) if it exits."""
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            pytest.fail(f"server exited with {server.process.returncode}:\n{server.stderr()}")
        try:
            with anyio.fail_after(1):
                stream = await anyio.connect_tcp("127.0.0.1", server.port)
            await stream.aclose()
            return
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                pytest.fail(f"server did not listen on {server.port} within {timeout}s:\n{server.stderr()}")
            await anyio.sleep(0.05)


def stop(process: subprocess.Popen[Any]) -> None:
    """Terminate a subprocess we started, killing it if it does not stop promptly."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


def lines_between(text: str, start: str, end: str) -> Sequence[str]:
    """The lines strictly between the first `start` marker and the next `end` marker."""
    _, found, rest = text.partition(start)
    assert found, f"marker {start!r} not found"
    body, found, _ = rest.partition(end)
    assert found, f"marker {end!r} not found after {start!r}"
    return body.strip("\n").splitlines()
