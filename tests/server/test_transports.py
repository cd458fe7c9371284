"""Each transport once, as a real `chatwoot-mcp serve --sandbox` subprocess: stdio, SSE and streamable HTTP.

HTTP is locked down: bearer token when configured (401 without), Host/Origin checks (421/403), and no binding
beyond loopback without a token.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from chatwoot_mcp.cli import main

from .conftest import REPO, ServerProcess, http_server, run_cli, structured, subprocess_env, text_of

CANARY = "canary-SECRET-token-5b1f"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "raw-test", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def exercise(client: Client) -> str:
    """List the tools and call two; returns every text the server sent back."""
    tools = {tool.name for tool in (await client.list_tools()).tools}
    assert {"get_counts", "list_conversations", "set_labels"} <= tools
    counts = await client.call_tool("get_counts", {})
    assert structured(counts)["all_count"] > 0
    refused = await client.call_tool("set_labels", {"conversation_id": 7, "labels": []})
    assert refused.is_error and "Nothing was written" in text_of(refused)
    return text_of(counts) + text_of(refused)


async def raw_post(server: ServerProcess, **headers: str) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=10) as http:
        return await http.post(f"{server.base}/mcp", json=INITIALIZE, headers=MCP_HEADERS | headers)


@pytest.mark.anyio
async def test_stdio() -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "chatwoot_mcp", "serve", "--sandbox"],
        env=subprocess_env(),
        cwd=str(REPO),
    )
    with anyio.fail_after(30):
        async with Client(params) as client:
            await exercise(client)


@pytest.mark.anyio
async def test_sse(tmp_path: Path) -> None:
    async with http_server(tmp_path, "sse") as server:
        with anyio.fail_after(30):
            async with Client(sse_client(f"{server.base}/sse")) as client:
                await exercise(client)


@pytest.mark.anyio
async def test_streamable_http_and_host_origin_checks(tmp_path: Path) -> None:
    async with http_server(tmp_path, "streamable-http") as server:
        with anyio.fail_after(30):
            async with Client(f"{server.base}/mcp") as client:
                await exercise(client)
            async with Client(f"{server.base}/mcp", mode="legacy") as client:
                await exercise(client)

            local = await raw_post(server, Origin=f"http://127.0.0.1:{server.port}")
            assert local.status_code == 200, local.text
            evil_origin = await raw_post(server, Origin="http://evil.example.com")
            assert evil_origin.status_code == 403
            evil_host = await raw_post(server, Host="evil.example.com")
            assert evil_host.status_code == 421


@pytest.mark.anyio
async def test_streamable_http_with_bearer_token_never_leaks_it(tmp_path: Path) -> None:
    env = subprocess_env(CHATWOOT_MCP_HTTP_TOKEN=CANARY)
    texts: list[str] = []
    async with http_server(tmp_path, "streamable-http", "--log-level", "DEBUG", env=env) as server:
        url = f"{server.base}/mcp"
        with anyio.fail_after(30):
            bearer = {"Authorization": f"Bearer {CANARY}"}
            async with (
                httpx2.AsyncClient(headers=bearer) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                texts.append(await exercise(client))

            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": CANARY}):
                refused = await raw_post(server, **headers)
                assert refused.status_code == 401, headers
                assert refused.headers["www-authenticate"].startswith("Bearer")
                texts.append(refused.text)
            assert (await raw_post(server, Authorization=f"Bearer {CANARY}")).status_code == 200
    logs = server.stderr()
    assert "DEBUG" in logs, "the server should have logged at DEBUG"
    assert CANARY not in logs
    for text in texts:
        assert CANARY not in text


def test_remote_bind_without_token_refuses_to_start() -> None:
    result = run_cli("serve", "--sandbox", "--transport", "streamable-http", "--host", "0.0.0.0", "--port", "9")
    assert result.returncode == 2
    assert "CHATWOOT_MCP_HTTP_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("transport", "host"), [("sse", "0.0.0.0"), ("streamable-http", "::"), ("sse", "10.1.2.3")])
def test_other_remote_binds_refuse_too(transport: str, host: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Settings are checked before anything is bound, so this is safe in-process.
    assert main(["serve", "--sandbox", "--transport", transport, "--host", host, "--port", "9"]) == 2
    assert "set CHATWOOT_MCP_HTTP_TOKEN" in capsys.readouterr().err
