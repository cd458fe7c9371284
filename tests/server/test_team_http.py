"""The team server over real HTTP (`--auth chatwoot-token`): each request acts as the user whose token it carries.

The MCP server runs in uvicorn on a loopback port inside the test; Chatwoot is the sandbox app in-process, so its
state shows who made each write and which /profile questions were asked.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from chatwoot_mcp.config import ConfigError, Settings, load_settings
from chatwoot_mcp.http.auth import UserSessions, profile_key
from chatwoot_mcp.http.transports import http_app
from chatwoot_mcp.identity import Identity
from chatwoot_mcp.server import create_server
from chatwoot_sandbox import ADMIN_TOKEN, ADMIN_USER_ID, AGENT_TOKEN, AGENT_USER_ID, SandboxState, create_app

from .conftest import SANDBOX_URL, free_port, structured, text_of
from .team_support import served

pytestmark = pytest.mark.anyio

LABS_TOKEN = "sandbox-user-9-token"
"""Hannah Weiss: an agent in account 2 only."""
TEAM_ENV = {"CHATWOOT_BASE_URL": SANDBOX_URL, "CHATWOOT_ACCOUNT_ID": "1,2", "CHATWOOT_MCP_AUTH": "chatwoot-token"}


@dataclass
class Team:
    base: str
    state: SandboxState

    def profile_requests(self) -> int:
        return sum(1 for r in self.state.requests if r.path == "/api/v1/profile")


@asynccontextmanager
async def team_server(state: SandboxState, **env: str) -> AsyncIterator[Team]:
    """`serve --auth chatwoot-token --transport streamable-http` on a free loopback port, Chatwoot = `state`."""
    settings = load_settings(TEAM_ENV | env, transport="streamable-http", port=free_port())
    async with _serve(settings, httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))) as base:
        yield Team(base, state)


@asynccontextmanager
async def _serve(settings: Settings, http: httpx2.AsyncClient) -> AsyncIterator[str]:
    app = http_app(create_server(settings, shared_http=http), settings, http)
    async with http, served(app, settings.port, lifespan="on") as base:
        yield base


@asynccontextmanager
async def as_user(team: Team, token: str, mode: str = "auto") -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=20)
    async with http, Client(streamable_http_client(f"{team.base}/mcp", http_client=http), mode=mode, cache=None) as c:
        yield c


def in_inbox(state: SandboxState, account_id: int, inbox_id: int | None = None) -> int:
    """A conversation of the account (in that inbox)."""
    return next(c.display_id for c in state.account_conversations(account_id) if inbox_id in (None, c.inbox_id))


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_each_user_sees_their_own_accounts_and_their_writes_are_theirs(mode: str) -> None:
    state = SandboxState.demo()
    async with team_server(state) as team:
        async with as_user(team, AGENT_TOKEN, mode) as agent, as_user(team, ADMIN_TOKEN, mode) as admin:
            # The agent is a member of account 1 only; the administrator of both.
            assert structured(await agent.call_tool("get_counts", {"account_id": 1}))["all_count"] > 0
            refused = await agent.call_tool("get_counts", {"account_id": 2})
            assert refused.is_error and "not a member of account 2" in text_of(refused), text_of(refused)
            assert structured(await admin.call_tool("get_counts", {"account_id": 2}))["all_count"] > 0
            # Chatwoot's own view differs too: the agent counts only the inboxes she is a member of.
            agent_all = structured(await agent.call_tool("get_counts", {"account_id": 1}))["all_count"]
            admin_all = structured(await admin.call_tool("get_counts", {"account_id": 1}))["all_count"]
            assert agent_all < admin_all

            agent_note = await agent.call_tool(
                "add_private_note", {"conversation_id": in_inbox(state, 1, 1), "content": "agent was here"}
            )
            admin_note = await admin.call_tool(
                "add_private_note",
                {"account_id": 2, "conversation_id": in_inbox(state, 2), "content": "admin was here"},
            )
            assert not agent_note.is_error and not admin_note.is_error, text_of(agent_note) + text_of(admin_note)
        async with as_user(team, LABS_TOKEN, mode) as labs:
            refused = await labs.call_tool("get_counts", {"account_id": 1})
            assert refused.is_error and "not a member of account 1" in text_of(refused)

    notes = {
        m.content: (m.sender_type, m.sender_id)
        for c in state.conversations.values()
        for m in c.messages
        if m.content in ("agent was here", "admin was here")
    }
    assert notes == {"agent was here": ("User", AGENT_USER_ID), "admin was here": ("User", ADMIN_USER_ID)}
    assert [(w.actor_id, w.account_id) for w in state.writes] == [(AGENT_USER_ID, 1), (ADMIN_USER_ID, 2)]


async def test_missing_refused_and_foreign_tokens_are_turned_away_with_a_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = "not-a-real-token-7f3a"
    caplog.set_level(logging.DEBUG)
    async with team_server(SandboxState.demo(), CHATWOOT_ACCOUNT_ID="1") as team, httpx2.AsyncClient() as http:
        missing = await http.post(f"{team.base}/mcp", json={})
        attempts = [  # a client retrying a refused token: Chatwoot is asked once
            await http.post(f"{team.base}/mcp", json={}, headers={"Authorization": f"Bearer {wrong}"}) for _ in range(3)
        ]
        refused = attempts[-1]
        basic = await http.post(f"{team.base}/mcp", json={}, headers={"Authorization": f"Basic {wrong}"})
        foreign = await http.post(f"{team.base}/mcp", json={}, headers={"Authorization": f"Bearer {LABS_TOKEN}"})
    for response in (missing, refused, basic):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in missing.json()["error"]
    assert "Chatwoot refused this token" in refused.json()["error"]
    assert [r.headers.get("api_access_token") for r in team.state.requests].count(wrong) == 1
    assert foreign.status_code == 403
    assert "not a member of any account this server serves (1)" in foreign.json()["error"]
    for response in (refused, basic, foreign):
        assert wrong not in response.text and LABS_TOKEN not in response.text
    assert wrong not in caplog.text and LABS_TOKEN not in caplog.text


async def test_a_token_is_checked_once_a_minute() -> None:
    async with team_server(SandboxState.demo()) as team:
        for _ in range(2):
            async with as_user(team, AGENT_TOKEN) as agent:
                for _ in range(3):
                    assert not (await agent.call_tool("get_counts", {})).is_error
        assert team.profile_requests() == 1


class RecordingCache:
    """A shared-state cache that keeps everything it is given, to show what would reach Redis."""

    def __init__(self) -> None:
        self.stored: dict[str, object] = {}

    async def cache_get(self, key: str) -> object | None:
        return self.stored.get(key)

    async def cache_set(self, key: str, value: object, ttl: float) -> None:
        self.stored[key] = value


async def test_the_shared_cache_holds_a_hash_of_the_token_and_the_profile_never_the_token() -> None:
    cache = RecordingCache()
    settings = load_settings(TEAM_ENV, transport="streamable-http")
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(SandboxState.demo()))) as http:
        sessions = UserSessions(settings, http, lambda: cache)
        first = await sessions.session_for(AGENT_TOKEN)
        again = await sessions.session_for(AGENT_TOKEN)
    assert first.identity == again.identity == Identity(AGENT_USER_ID, "Priya Natarajan", (1,))
    assert AGENT_TOKEN not in repr(cache.stored)
    assert list(cache.stored) == [profile_key(AGENT_TOKEN)]


async def test_a_cached_profile_of_another_shape_is_asked_again_not_a_crash() -> None:
    """A rolling upgrade shares one Redis between two versions of the server."""
    cache = RecordingCache()
    cache.stored[profile_key(AGENT_TOKEN)] = {"user_id": AGENT_USER_ID, "account_ids": [1]}  # another version's
    settings = load_settings(TEAM_ENV, transport="streamable-http")
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(SandboxState.demo()))) as http:
        session = await UserSessions(settings, http, lambda: cache).session_for(AGENT_TOKEN)
    assert session.identity == Identity(AGENT_USER_ID, "Priya Natarajan", (1,))


async def test_health_endpoints_need_no_token_and_say_nothing_about_the_deployment() -> None:
    async with team_server(SandboxState.demo()) as team, httpx2.AsyncClient() as http:
        healthz = await http.get(f"{team.base}/healthz")
        readyz = await http.get(f"{team.base}/readyz")
    assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
    assert (readyz.status_code, readyz.json()) == (200, {"status": "ready"})


async def test_readyz_says_not_ready_while_chatwoot_cannot_be_reached() -> None:
    settings = load_settings(
        TEAM_ENV | {"CHATWOOT_BASE_URL": f"http://127.0.0.1:{free_port()}"},
        transport="streamable-http",
        port=free_port(),
    )
    async with _serve(settings, httpx2.AsyncClient()) as base, httpx2.AsyncClient() as http:
        healthz = await http.get(f"{base}/healthz")
        readyz = await http.get(f"{base}/readyz")
    assert healthz.status_code == 200
    assert (readyz.status_code, readyz.json()) == (503, {"status": "not ready", "failing": ["chatwoot"]})
    assert "127.0.0.1" not in readyz.text


async def test_readyz_says_not_ready_while_the_shared_state_cannot_be_reached() -> None:
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    async with team_server(SandboxState.demo(), CHATWOOT_MCP_STATE=unreachable) as team, httpx2.AsyncClient() as http:
        readyz = await http.get(f"{team.base}/readyz")
    assert (readyz.status_code, readyz.json()) == (503, {"status": "not ready", "failing": ["state"]})


def test_per_user_tokens_need_http_no_server_token_and_no_shared_bearer() -> None:
    settings = load_settings(TEAM_ENV | {"CHATWOOT_API_TOKEN": ADMIN_TOKEN}, transport="streamable-http")
    assert settings.api_token == "" and settings.secrets == ()  # the server holds no token, even if one is set
    # Beyond loopback each request is authenticated by its own token: no shared bearer is needed.
    assert load_settings(TEAM_ENV, transport="streamable-http", host="0.0.0.0").auth == "chatwoot-token"
    with pytest.raises(ConfigError, match="needs an HTTP transport"):
        load_settings(TEAM_ENV)
    with pytest.raises(ConfigError, match="both use the Authorization header"):
        load_settings(TEAM_ENV | {"CHATWOOT_MCP_HTTP_TOKEN": "x" * 20}, transport="streamable-http")
    with pytest.raises(ConfigError, match="CHATWOOT_MCP_STATE_KEY must be at least 32 bytes") as short:
        load_settings(
            TEAM_ENV | {"CHATWOOT_MCP_STATE_KEY": "k" * 40 + ",too-short-secret"}, transport="streamable-http"
        )
    assert "too-short-secret" not in str(short.value)
    with pytest.raises(ConfigError, match="CHATWOOT_MCP_AUTH must be one of token, chatwoot-token, oauth"):
        load_settings(TEAM_ENV | {"CHATWOOT_MCP_AUTH": "saml"}, transport="streamable-http")
