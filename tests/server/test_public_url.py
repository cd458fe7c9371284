"""HTTP off loopback that works: --public-url admits its host, the start-up log says what to set when nothing
admits other machines, and a refused Host is logged with the setting that would admit it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import anyio
import httpx2
import pytest

from chatwoot_mcp.config import ConfigError, load_settings
from chatwoot_mcp.http.transports import HostRefusalHint, startup_notes

from .conftest import http_server

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
REMOTE = {"CHATWOOT_MCP_HTTP_TOKEN": "a-long-enough-http-token"}


BASE = {"CHATWOOT_BASE_URL": "https://chatwoot.example", "CHATWOOT_API_TOKEN": "t", "CHATWOOT_ACCOUNT_ID": "1"}


def remote(**env: str) -> dict[str, str]:
    return BASE | env


def test_the_public_url_host_is_allowed_from_env_or_flag() -> None:
    from_env = load_settings(remote(CHATWOOT_MCP_PUBLIC_URL="https://mcp.example.com/"))
    assert from_env.allowed_hosts == ("mcp.example.com",) and from_env.public_url == "https://mcp.example.com"
    from_flag = load_settings(
        remote(CHATWOOT_MCP_ALLOWED_HOSTS="other.example.com"), public_url="http://mcp.example.com:8443/base"
    )
    assert from_flag.allowed_hosts == ("mcp.example.com", "other.example.com")


@pytest.mark.parametrize("url", ["mcp.example.com", "ftp://mcp.example.com", "https://", "https://host:port"])
def test_a_public_url_that_is_not_one_is_refused_with_an_example(url: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(remote(CHATWOOT_MCP_PUBLIC_URL=url))
    assert "CHATWOOT_MCP_PUBLIC_URL (or --public-url) must be the http(s) URL" in str(refused.value)
    assert "https://mcp.example.com" in str(refused.value)


def test_every_address_without_a_public_url_says_exactly_what_to_set() -> None:
    settings = load_settings(remote(**REMOTE), transport="streamable-http", host="0.0.0.0")
    notes = startup_notes(settings)
    assert notes[0] == (logging.INFO, "chatwoot-mcp: streamable-http on http://0.0.0.0:8000/mcp")
    (warning,) = [text for level, text in notes if level == logging.WARNING]
    assert "clients on other machines get 421 Invalid Host header" in warning
    assert "CHATWOOT_MCP_PUBLIC_URL (or --public-url)" in warning and "CHATWOOT_MCP_ALLOWED_HOSTS" in warning


def test_with_a_public_url_the_start_up_lines_are_information_only() -> None:
    settings = load_settings(
        remote(**REMOTE, CHATWOOT_MCP_PUBLIC_URL="https://mcp.example.com"), transport="sse", host="0.0.0.0"
    )
    notes = startup_notes(settings)
    assert {level for level, _ in notes} == {logging.INFO}
    assert (logging.INFO, "clients on other machines use https://mcp.example.com/sse") in notes


def hinted(message: str) -> str:
    record = logging.LogRecord("mcp.server.transport_security", logging.WARNING, __file__, 1, message, None, None)
    assert HostRefusalHint().filter(record)
    return record.getMessage()


def test_a_refused_host_is_logged_with_the_setting_that_admits_it() -> None:
    line = hinted("Invalid Host header: mcp.example.com:8443")
    assert line.startswith("refused a request with Host 'mcp.example.com:8443' (421): to accept it, set")
    assert "e.g. https://mcp.example.com," in line and "add mcp.example.com to CHATWOOT_MCP_ALLOWED_HOSTS" in line
    origin = hinted("Invalid Origin header: https://app.example.com")
    assert "Origin 'https://app.example.com' (403): if that web page is yours" in origin
    # The value comes from the client: quoted, so it cannot forge a second log line.
    assert "\n" not in hinted("Invalid Host header: a\nWARNING forged")
    assert hinted("Missing Host header in request") == "Missing Host header in request"


async def post(port: int, **headers: str) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=10) as http:
        return await http.post(f"http://127.0.0.1:{port}/mcp", json=INITIALIZE, headers=MCP_HEADERS | headers)


@pytest.mark.anyio
async def test_public_url_end_to_end(tmp_path: Path) -> None:
    """A real server: the public host (any port) and its origin get in, another host is refused and logged."""
    async with http_server(tmp_path, "streamable-http", "--public-url", "https://mcp.example.com") as server:
        with anyio.fail_after(30):
            assert (await post(server.port, Host="mcp.example.com")).status_code == 200
            assert (await post(server.port, Host="mcp.example.com:8443")).status_code == 200
            proxied = await post(server.port, Host="mcp.example.com", Origin="https://mcp.example.com")
            assert proxied.status_code == 200
            assert (await post(server.port, Host="other.example.com")).status_code == 421
    logs = server.stderr()
    assert f"INFO chatwoot_mcp.startup: chatwoot-mcp: streamable-http on http://127.0.0.1:{server.port}/mcp" in logs
    assert "INFO chatwoot_mcp.startup: clients on other machines use https://mcp.example.com/mcp" in logs
    assert "refused a request with Host 'other.example.com' (421): to accept it" in logs
    assert "WARNING chatwoot_mcp.startup" not in logs
