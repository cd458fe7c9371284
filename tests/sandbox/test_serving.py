"""Serving on a real socket: Nagle's algorithm is off on accepted connections, so keep-alive requests do not stall."""

from __future__ import annotations

import socket
import time

import httpx2

from chatwoot_sandbox import ADMIN_EMAIL, ADMIN_TOKEN, DEMO_PASSWORD, MFA_CODE, MFA_EMAIL, SandboxState
from chatwoot_sandbox.serving import banner, listening_socket, loopback_server, url_of


def test_the_listening_socket_is_tcp_without_nagle() -> None:
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP, "asyncio turns Nagle off on accepted sockets only for this proto"
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert url_of(sock).startswith("http://127.0.0.1:")


def test_accepted_connections_have_tcp_nodelay() -> None:
    with loopback_server(SandboxState.empty()) as served, httpx2.Client(base_url=served.url, timeout=10) as http:
        assert http.get("/api/v1/profile", headers={"api_access_token": ADMIN_TOKEN}).status_code == 200
        connections = list(served.server.server_state.connections)
        assert connections
        for protocol in connections:
            accepted = protocol.transport.get_extra_info("socket")  # type: ignore[attr-defined]
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_keep_alive_requests_do_not_wait_for_delayed_acks() -> None:
    """20 requests on one connection: with Nagle on, each waited ~40 ms for the client's delayed ACK."""
    with loopback_server(SandboxState.demo()) as served, httpx2.Client(base_url=served.url, timeout=10) as http:
        headers = {"api_access_token": ADMIN_TOKEN}
        http.get("/api/v1/profile", headers=headers)
        started = time.perf_counter()
        for _ in range(20):
            assert http.get("/api/v1/accounts/1/conversations/1", headers=headers).status_code == 200
        elapsed = time.perf_counter() - started
    assert elapsed < 20 * 0.040 / 2, f"20 keep-alive requests took {elapsed * 1000:.0f} ms"


def test_banner_names_accounts_and_tokens() -> None:
    text = banner(SandboxState.demo(request_log_size=50), "http://127.0.0.1:3000")
    first, *rest = text.splitlines()
    assert first == "chatwoot_sandbox serving http://127.0.0.1:3000 (api_access_token: sandbox-admin-token)"
    block = "\n".join(rest)
    expected = ["1 Acme Support (100 conversations)", "2 Acme Labs", "sandbox-agent-token", "Priya Natarajan"]
    expected += ["administrator in account 1, 2", "sandbox-bot-token", "sandbox-user-<id>-token", "last 50"]
    expected += [f"password {DEMO_PASSWORD}", ADMIN_EMAIL, f"MFA on for {MFA_EMAIL}: code {MFA_CODE}"]
    for part in expected:
        assert part in block, part
    assert len(rest) <= 8
