"""Per-user Chatwoot tokens and MCP sessions: over SSE each call acts as the user whose token sent it, and an MCP
session (SSE, stateful streamable HTTP) takes messages only from the user who opened it.

SSE runs every call of a session on the long-lived GET /sse connection, while the call itself arrives as a POST
to /messages, whose results stream back on that connection: a session open to anyone who learnt its id would show
one user's results to another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client

from chatwoot_mcp.config import load_settings
from chatwoot_sandbox import ADMIN_TOKEN, ADMIN_USER_ID, AGENT_TOKEN, AGENT_USER_ID, SandboxState, create_app

from .conftest import free_port, structured, text_of
from .test_team_http import TEAM_ENV, Team, _serve, in_inbox, team_server

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def sse_team_server(state: SandboxState) -> AsyncIterator[Team]:
    settings = load_settings(TEAM_ENV, transport="sse", port=free_port())
    async with _serve(settings, httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))) as base:
        yield Team(base, state)


@asynccontextmanager
async def sse_as_user(team: Team, token: str) -> AsyncIterator[Client]:
    transport = sse_client(f"{team.base}/sse", headers={"Authorization": f"Bearer {token}"}, timeout=20)
    async with Client(transport, mode="legacy", cache=None) as client:
        yield client


async def test_each_sse_call_acts_as_the_user_whose_token_sent_it() -> None:
    state = SandboxState.demo()
    async with sse_team_server(state) as team:
        async with sse_as_user(team, AGENT_TOKEN) as agent, sse_as_user(team, ADMIN_TOKEN) as admin:
            refused = await agent.call_tool("get_counts", {"account_id": 2})
            assert refused.is_error and "not a member of account 2" in text_of(refused), text_of(refused)
            assert structured(await admin.call_tool("get_counts", {"account_id": 2}))["all_count"] > 0
            agent_note = await agent.call_tool(
                "add_private_note", {"conversation_id": in_inbox(state, 1, 1), "content": "agent over sse"}
            )
            admin_note = await admin.call_tool(
                "add_private_note",
                {"account_id": 2, "conversation_id": in_inbox(state, 2), "content": "admin over sse"},
            )
            assert not agent_note.is_error and not admin_note.is_error, text_of(agent_note) + text_of(admin_note)
        async with httpx2.AsyncClient() as http:
            anonymous = await http.get(f"{team.base}/sse", timeout=5)
        assert anonymous.status_code == 401
    assert [(w.actor_id, w.account_id) for w in state.writes] == [(AGENT_USER_ID, 1), (ADMIN_USER_ID, 2)]


async def test_another_user_cannot_post_into_a_users_sse_session() -> None:
    state = SandboxState.demo()
    async with sse_team_server(state) as team, httpx2.AsyncClient(timeout=10) as http:
        headers = {"Authorization": f"Bearer {AGENT_TOKEN}"}
        async with http.stream("GET", f"{team.base}/sse", headers=headers) as events:
            endpoint = None
            async for line in events.aiter_lines():
                if line.startswith("data:") and "session_id=" in line:
                    endpoint = line.removeprefix("data:").strip()
                    break
            assert endpoint is not None
            call = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            owner = await http.post(f"{team.base}{endpoint}", json=call, headers=headers)
            intruder = await http.post(
                f"{team.base}{endpoint}", json=call, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
            )
    assert owner.status_code == 202, owner.text
    assert intruder.status_code == 404, intruder.text  # as if the session did not exist


async def test_another_user_cannot_use_a_users_streamable_http_session() -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    accept = {"Accept": "application/json, text/event-stream"}
    async with team_server(SandboxState.demo()) as team, httpx2.AsyncClient(timeout=10) as http:
        opened = await http.post(
            f"{team.base}/mcp", json=initialize, headers=accept | {"Authorization": f"Bearer {AGENT_TOKEN}"}
        )
        session = opened.headers.get("mcp-session-id")
        assert opened.status_code == 200 and session, opened.text
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
        as_owner = accept | {"Authorization": f"Bearer {AGENT_TOKEN}", "Mcp-Session-Id": session}
        as_intruder = accept | {"Authorization": f"Bearer {ADMIN_TOKEN}", "Mcp-Session-Id": session}
        intruder = await http.post(f"{team.base}/mcp", json=ping, headers=as_intruder)
        owner = await http.post(f"{team.base}/mcp", json=ping, headers=as_owner)
    assert intruder.status_code == 404, intruder.text  # as if the session did not exist
    assert owner.status_code == 200, owner.text
