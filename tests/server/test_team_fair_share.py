"""A fair share of MCP sessions (`--max-sessions-per-user`): one user opening sessions past the limit costs only
their own longest-idle session, is refused when none of theirs is idle, and never stops another user.

Over a real loopback server with per-user tokens (the sandbox's administrator and agent as two users). Sessions are
opened as a script would, with bare initialize requests, and kept busy with open GET streams; every loop is bounded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.shared.exceptions import MCPError

from chatwoot_mcp.config import ConfigError, load_settings
from chatwoot_mcp.http.fair_share import RETRY_AFTER, SessionShare, StreamShare, fair_share, principal
from chatwoot_sandbox import ADMIN_TOKEN, AGENT_TOKEN, SandboxState, create_app

from .conftest import BASE_ENV, free_port, structured
from .test_team_http import TEAM_ENV, _serve, as_user, team_server

pytestmark = pytest.mark.anyio

LIMIT = {"CHATWOOT_MCP_MAX_SESSIONS_PER_USER": "3"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "loop", "version": "1"}},
}
PING = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
ACCEPT = {"Accept": "application/json, text/event-stream"}


def headers(token: str, session: str | None = None) -> dict[str, str]:
    return ACCEPT | {"Authorization": f"Bearer {token}"} | ({"Mcp-Session-Id": session} if session else {})


async def open_session(http: httpx2.AsyncClient, base: str, token: str) -> str:
    """A session opened and left idle, as a script opening sessions in a loop leaves them; its id."""
    opened = await http.post(f"{base}/mcp", json=INITIALIZE, headers=headers(token))
    assert opened.status_code == 200 and opened.headers.get("mcp-session-id"), (opened.status_code, opened.text)
    return opened.headers["mcp-session-id"]


async def ping(http: httpx2.AsyncClient, base: str, token: str, session: str) -> httpx2.Response:
    return await http.post(f"{base}/mcp", json=PING, headers=headers(token, session))


@asynccontextmanager
async def listening(http: httpx2.AsyncClient, base: str, token: str, session: str) -> AsyncIterator[None]:
    """The session's GET stream held open (a client listening for the server's messages): the session is busy."""
    async with http.stream(
        "GET", f"{base}/mcp", headers=headers(token, session) | {"Accept": "text/event-stream"}
    ) as s:
        assert s.status_code == 200
        yield


async def test_one_user_past_the_limit_loses_only_their_own_oldest_idle_sessions() -> None:
    async with team_server(SandboxState.demo(), **LIMIT) as team, httpx2.AsyncClient(timeout=20) as http:
        admin_idle = await open_session(http, team.base, ADMIN_TOKEN)
        async with as_user(team, ADMIN_TOKEN, "legacy") as admin:  # another user's session, busy throughout
            agent = [await open_session(http, team.base, AGENT_TOKEN) for _ in range(8)]
            assert structured(await admin.call_tool("get_counts", {}))["all_count"] > 0
            late = await open_session(http, team.base, ADMIN_TOKEN)  # the other user's third
        # The client ended its session on the way out, so the other user has room for one more, and it works.
        async with as_user(team, ADMIN_TOKEN, "legacy") as admin_again:
            assert structured(await admin_again.call_tool("get_counts", {}))["all_count"] > 0
        # The agent's oldest sessions were ended for the newest: the SDK's 404 for an unknown session.
        for session in agent[:5]:
            ended = await ping(http, team.base, AGENT_TOKEN, session)
            assert ended.status_code == 404 and "Session not found" in ended.text, ended.text
        for session in agent[5:]:
            assert (await ping(http, team.base, AGENT_TOKEN, session)).status_code == 200
        # None of the other user's sessions was touched, idle or not.
        for session in (admin_idle, late):
            assert (await ping(http, team.base, ADMIN_TOKEN, session)).status_code == 200


async def test_the_session_idle_longest_goes_first_not_one_in_use() -> None:
    async with team_server(SandboxState.demo(), **LIMIT) as team, httpx2.AsyncClient(timeout=20) as http:
        first, second, third = [await open_session(http, team.base, AGENT_TOKEN) for _ in range(3)]
        assert (await ping(http, team.base, AGENT_TOKEN, first)).status_code == 200  # used again: now second is idlest
        async with listening(http, team.base, AGENT_TOKEN, second):  # ...but busy: third is the one idle longest
            fourth = await open_session(http, team.base, AGENT_TOKEN)
            assert (await ping(http, team.base, AGENT_TOKEN, third)).status_code == 404
            for session in (first, second, fourth):
                assert (await ping(http, team.base, AGENT_TOKEN, session)).status_code == 200


async def test_when_none_is_idle_the_new_session_is_refused_with_the_reason() -> None:
    async with team_server(SandboxState.demo(), **LIMIT) as team, httpx2.AsyncClient(timeout=20) as http:
        sessions = [await open_session(http, team.base, AGENT_TOKEN) for _ in range(3)]
        async with AsyncExitStack() as streams:
            for session in sessions:
                await streams.enter_async_context(listening(http, team.base, AGENT_TOKEN, session))
            refused = await http.post(f"{team.base}/mcp", json=INITIALIZE, headers=headers(AGENT_TOKEN))
            assert refused.status_code == 429, refused.text
            assert refused.headers["retry-after"] == str(RETRY_AFTER)
            assert "\n" not in refused.text
            reason = refused.json()["error"]["message"]
            assert "3 MCP sessions open" in reason and "none is idle" in reason, reason
            # An MCP client shows that reason (the body is a JSON-RPC error).
            shown = pytest.RaisesGroup(pytest.RaisesExc(MCPError, match="limit per user"), flatten_subgroups=True)
            with shown:
                async with as_user(team, AGENT_TOKEN, "legacy"):
                    pass
            # Another user is not affected, and the refused user's sessions all still work.
            async with as_user(team, ADMIN_TOKEN, "legacy") as admin:
                assert structured(await admin.call_tool("get_counts", {}))["all_count"] > 0
            for session in sessions:
                assert (await ping(http, team.base, AGENT_TOKEN, session)).status_code == 200
        # Once the streams are closed (the server hears of it a moment later) the sessions are idle again, and the
        # one idle longest makes room: one of the three.
        with anyio.fail_after(5):
            while (
                await http.post(f"{team.base}/mcp", json=INITIALIZE, headers=headers(AGENT_TOKEN))
            ).status_code != 200:
                await anyio.sleep(0.05)
        statuses = sorted([(await ping(http, team.base, AGENT_TOKEN, session)).status_code for session in sessions])
        assert statuses == [200, 200, 404]


async def test_a_burst_of_opens_at_once_stays_within_the_limit() -> None:
    async with team_server(SandboxState.demo(), **LIMIT) as team, httpx2.AsyncClient(timeout=20) as http:
        opened: list[str] = []

        async def one() -> None:
            response = await http.post(f"{team.base}/mcp", json=INITIALIZE, headers=headers(AGENT_TOKEN))
            if response.status_code == 200:
                opened.append(response.headers["mcp-session-id"])
            else:
                assert response.status_code == 429, response.text

        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(one)
        alive = [s for s in opened if (await ping(http, team.base, AGENT_TOKEN, s)).status_code == 200]
        assert 1 <= len(alive) <= 3, (len(opened), len(alive))


async def test_a_session_the_client_ends_frees_its_place() -> None:
    async with team_server(SandboxState.demo(), **LIMIT) as team, httpx2.AsyncClient(timeout=20) as http:
        sessions = [await open_session(http, team.base, AGENT_TOKEN) for _ in range(3)]
        ended = await http.delete(f"{team.base}/mcp", headers=headers(AGENT_TOKEN, sessions[0]))
        assert ended.status_code == 200
        await open_session(http, team.base, AGENT_TOKEN)
        for session in sessions[1:]:  # the place was free: nothing else had to go
            assert (await ping(http, team.base, AGENT_TOKEN, session)).status_code == 200


async def test_a_shared_bearer_server_has_no_per_user_limit() -> None:
    env = BASE_ENV | LIMIT | {"CHATWOOT_MCP_HTTP_TOKEN": "a-shared-bearer-token-for-everyone"}
    settings = load_settings(env, transport="streamable-http", port=free_port())
    sandbox = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(SandboxState.demo())))
    token = "a-shared-bearer-token-for-everyone"
    async with _serve(settings, sandbox) as base, httpx2.AsyncClient(timeout=20) as http:
        sessions = [await open_session(http, base, token) for _ in range(6)]
        for session in sessions:
            assert (await ping(http, base, token, session)).status_code == 200


async def test_stateless_and_sessionless_requests_pass_untouched() -> None:
    one = {"CHATWOOT_MCP_MAX_SESSIONS_PER_USER": "1"}
    async with team_server(SandboxState.demo(), **one) as team, httpx2.AsyncClient(timeout=20) as http:
        held = await open_session(http, team.base, AGENT_TOKEN)
        # The agent's one session is busy; 2026-era requests (the default client mode) open no session: not
        # counted, not refused.
        async with (
            listening(http, team.base, AGENT_TOKEN, held),
            as_user(team, AGENT_TOKEN) as first,
            as_user(team, AGENT_TOKEN) as second,
        ):
            for client in (first, second):
                assert structured(await client.call_tool("get_counts", {}))["all_count"] > 0
    async with (
        team_server(SandboxState.demo(), CHATWOOT_MCP_STATELESS="1", **one) as team,
        as_user(team, AGENT_TOKEN, "legacy") as first,
        as_user(team, AGENT_TOKEN, "legacy") as second,
    ):
        for client in (first, second):
            assert structured(await client.call_tool("get_counts", {}))["all_count"] > 0


async def test_sse_connections_past_the_limit_are_refused_and_other_users_go_on() -> None:
    settings = load_settings(TEAM_ENV | {"CHATWOOT_MCP_MAX_SESSIONS_PER_USER": "2"}, transport="sse", port=free_port())
    sandbox = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(SandboxState.demo())))
    async with _serve(settings, sandbox) as base, httpx2.AsyncClient(timeout=20) as http, AsyncExitStack() as held:
        sse = {"Accept": "text/event-stream"}
        for _ in range(2):
            stream = await held.enter_async_context(
                http.stream("GET", f"{base}/sse", headers=headers(AGENT_TOKEN) | sse)
            )
            assert stream.status_code == 200
        refused = await http.get(f"{base}/sse", headers=headers(AGENT_TOKEN) | sse)
        assert refused.status_code == 429 and refused.headers["retry-after"] == str(RETRY_AFTER)
        assert "2 MCP sessions open" in refused.json()["error"]["message"]
        transport = sse_client(f"{base}/sse", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=20)
        async with Client(transport, mode="legacy", cache=None) as admin:
            assert structured(await admin.call_tool("get_counts", {}))["all_count"] > 0


def test_the_setting_is_checked_and_chooses_the_middleware() -> None:
    assert load_settings(TEAM_ENV, transport="streamable-http").max_sessions_per_user == 50
    with pytest.raises(ConfigError, match="CHATWOOT_MCP_MAX_SESSIONS_PER_USER must be a whole number"):
        load_settings(TEAM_ENV | {"CHATWOOT_MCP_MAX_SESSIONS_PER_USER": "-1"}, transport="streamable-http")
    with pytest.raises(ConfigError, match=r"from 0 \(no per-user limit\) to 10000, got '10001'"):
        load_settings(TEAM_ENV, transport="streamable-http", max_sessions_per_user=10001)

    def app(scope: object, receive: object, send: object) -> None: ...

    def wrapped(env: dict[str, str], transport: str) -> object:
        return fair_share(app, load_settings(TEAM_ENV | env, transport=transport))

    assert isinstance(wrapped({}, "streamable-http"), SessionShare)
    assert isinstance(wrapped({}, "sse"), StreamShare)
    assert wrapped({"CHATWOOT_MCP_STATELESS": "1"}, "streamable-http") is app
    assert wrapped({"CHATWOOT_MCP_MAX_SESSIONS_PER_USER": "0"}, "streamable-http") is app


class FakeSDK:
    """Stands in for the SDK's app: a POST without a session opens one, a DELETE ends one (and is recorded)."""

    def __init__(self) -> None:
        self.opened = 0
        self.deleted: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: object, send: Any) -> None:
        session = dict(scope["headers"]).get(b"mcp-session-id")
        headers = []
        if scope["method"] == "DELETE":
            self.deleted.append((session or b"").decode())
        elif session is None:
            self.opened += 1
            headers = [(b"mcp-session-id", f"s{self.opened}".encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})


def request(method: str, subject: str | None = "chatwoot-user:7") -> dict[str, Any]:
    scope: dict[str, Any] = {"type": "http", "method": method, "path": "/mcp", "headers": [(b"host", b"127.0.0.1")]}
    if subject is not None:
        scope["user"] = AuthenticatedUser(AccessToken(token=subject, client_id="c", scopes=[], subject=subject))
    return scope


async def ignore(message: object) -> None: ...


async def test_sessions_the_sdk_expired_are_forgotten_after_its_idle_timeout() -> None:
    now = [0.0]
    sdk = FakeSDK()
    share = SessionShare(sdk, 1, idle_timeout=1800, clock=lambda: now[0])
    owner = ("c", None, "chatwoot-user:7")
    assert principal(request("POST")) == owner
    await share(request("POST"), None, ignore)
    assert share.sessions_of(owner) == ["s1"]
    now[0] = 1900.0  # past the SDK's idle timeout (and the sweep's pause): s1 is gone there, and forgotten here
    await share(request("POST"), None, ignore)
    assert (sdk.deleted, share.sessions_of(owner)) == ([], ["s2"])
    await share(request("POST"), None, ignore)  # within it: s2 still counts, and is ended to make room
    assert (sdk.deleted, share.sessions_of(owner)) == (["s2"], ["s3"])


async def test_requests_without_a_principal_are_not_counted() -> None:
    sdk = FakeSDK()
    share = SessionShare(sdk, 1)
    for _ in range(3):
        await share(request("POST", subject=None), None, ignore)
    assert (sdk.opened, sdk.deleted) == (3, [])
