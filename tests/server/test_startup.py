"""Start-up over stdio: `initialize` and `tools/list` are answered without waiting for Chatwoot; the token check
runs alongside, a tool call made meanwhile waits for it, and a failed check ends the server with its paragraph."""

from __future__ import annotations

import sys
import time
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from chatwoot_sandbox import ADMIN_TOKEN, SandboxState, create_app
from chatwoot_sandbox.serving import loopback_server

from .conftest import REPO, subprocess_env

PROFILE_DELAY = 1.5


def slow_profile(app: Any) -> Any:
    """The sandbox, with /profile (the token check) answering PROFILE_DELAY seconds late."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/api/v1/profile":
            await anyio.sleep(PROFILE_DELAY)
        await app(scope, receive, send)

    return wrapped


@pytest.mark.anyio
async def test_tools_are_listed_before_the_token_check_and_calls_wait_for_it() -> None:
    state = SandboxState.demo()
    with loopback_server(app=slow_profile(create_app(state))) as sandbox:
        env = subprocess_env(CHATWOOT_BASE_URL=sandbox.url, CHATWOOT_API_TOKEN=ADMIN_TOKEN, CHATWOOT_ACCOUNT_ID="1")
        parameters = StdioServerParameters(command=sys.executable, args=["-m", "chatwoot_mcp"], env=env, cwd=REPO)
        started = time.monotonic()
        async with Client(parameters, cache=None) as client:
            tools = await client.list_tools()
            checked_before_listing = [r.path for r in state.requests]  # the check reaches the app only once answered
            result = await client.call_tool("get_conversation", {"conversation_id": 7})
            called_after = time.monotonic() - started
    assert tools.tools
    assert not result.is_error
    paths = [r.path for r in state.requests]
    assert paths.index("/api/v1/profile") < paths.index("/api/v1/accounts/1/conversations/7")
    assert checked_before_listing == []  # listing did not wait for the slow check
    assert called_after >= PROFILE_DELAY  # the call did


@pytest.mark.anyio
async def test_a_refused_token_ends_the_server_with_its_paragraph(tmp_path: Any) -> None:
    state = SandboxState.demo()
    with loopback_server(state) as sandbox:
        env = subprocess_env(CHATWOOT_BASE_URL=sandbox.url, CHATWOOT_API_TOKEN="wrong-token", CHATWOOT_ACCOUNT_ID="1")
        with anyio.fail_after(30):
            process = await anyio.run_process(
                [sys.executable, "-m", "chatwoot_mcp"], env=env, cwd=REPO, input=b"", check=False
            )
    stderr = process.stderr.decode()
    assert process.returncode == 2, stderr
    assert "refused CHATWOOT_API_TOKEN" in stderr and "Traceback" not in stderr
    assert "wrong-token" not in stderr


START_UP_PROBE = """
import sys
import anyio
from chatwoot_mcp.config import load_settings
from chatwoot_mcp.server import create_server

for flags in ({"sandbox": True}, {"sandbox": True, "dynamic_toolsets": True}):
    server = create_server(load_settings({}, **flags))
    assert anyio.run(server.list_tools)
heavy = sorted(
    name for name in sys.modules
    if name.startswith(("chatwoot_mcp.guards", "chatwoot_client.types", "chatwoot_mcp.views."))
)
print(" ".join(heavy))
"""


def test_listing_tools_imports_no_guard_view_or_client_type() -> None:
    """Start-up lists tools from their checked-in wire forms: building the server and answering tools/list imports
    none of the guards, views or client models (they are imported on a tool's first call)."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", START_UP_PROBE], capture_output=True, text=True, env=subprocess_env(), cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


LIFESPAN_PROBE = """
import sys
import anyio
from chatwoot_mcp.config import load_settings
from chatwoot_mcp.server import create_server

server = create_server(load_settings({}, sandbox=True))

async def main():
    async with server.settings.lifespan(server):
        print(" ".join(sorted(name for name in sys.modules if name.startswith("chatwoot_client"))))

anyio.run(main)
"""


def test_the_stdio_lifespan_imports_no_client() -> None:
    """A stdio host waits for the lifespan before its handshake is answered: entering it (the notifier and its task
    group included) imports nothing of the Chatwoot client, which the first tool call brings in."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", LIFESPAN_PROBE], capture_output=True, text=True, env=subprocess_env(), cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


GC_PROBE = """
import gc, json, sys
seen = []
def record(phase, info):
    if phase == "start":
        seen.append(["mcp" in sys.modules, "chatwoot_mcp.server" in sys.modules])
gc.callbacks.append(record)
from chatwoot_mcp.cli import main
code = main(["--sandbox"])
print(json.dumps({"code": code, "collections": seen, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}),
      file=sys.stderr)
"""

HANDSHAKE = "\n".join(
    [
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},'
        '"clientInfo":{"name":"probe","version":"1"}}}',
        '{"jsonrpc":"2.0","method":"notifications/initialized"}',
        '{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}',
        "",
    ]
)


def test_the_collector_rests_while_the_sdk_is_imported_and_runs_while_serving() -> None:
    """The SDK's import (thousands of pydantic models) runs with the garbage collector paused, a tenth of a start-up
    here; the server then collects as usual, and what start-up built is frozen out of its full collections."""
    import json
    import subprocess

    process = subprocess.Popen(
        [sys.executable, "-c", GC_PROBE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
        cwd=REPO,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(HANDSHAKE)
    process.stdin.flush()
    answers = [process.stdout.readline(), process.stdout.readline()]
    _, stderr = process.communicate(timeout=60)  # closes stdin: the server ends
    assert '"id":2' in answers[1].replace(" ", ""), "tools/list was answered"
    report = json.loads(stderr.strip().splitlines()[-1])
    assert report["code"] == 0
    importing = [c for c in report["collections"] if c == [True, False]]
    assert importing == [], f"{len(importing)} collections ran while the SDK and the server were imported"
    assert [True, True] in report["collections"], "the collector runs again once the server serves"
    assert report["enabled"] and report["frozen"] > 10_000


def test_collector_paused_restores_the_collector_as_it_found_it() -> None:
    import gc

    from chatwoot_mcp.launch.gc_pause import collector_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("a start-up that fails")
    assert gc.isenabled(), "on again after a failed start-up"
    gc.unfreeze()
    gc.disable()  # an embedding application's choice
    try:
        with collector_paused():
            pass
        assert not gc.isenabled(), "a collector that was off stays off"
    finally:
        gc.enable()


def test_a_failed_start_up_freezes_nothing() -> None:
    import gc

    from chatwoot_mcp.launch.gc_pause import collector_paused

    gc.unfreeze()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a start-up that fails")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
