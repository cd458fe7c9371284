"""`--auth oauth` driven by a real OAuth client that is not ours: the MCP SDK's `OAuthClientProvider` discovers the
server, registers, sends the user to the consent page (a test browser fills it), exchanges the code with PKCE and
calls tools; the sandbox shows the write under the user who consented.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from chatwoot_sandbox import ADMIN_TOKEN, AGENT_TOKEN, AGENT_USER_ID, SandboxState

from .conftest import text_of
from .oauth_support import Browser, MemoryTokens, OAuthServer, connected, oauth_server, sdk_oauth

pytestmark = pytest.mark.anyio

SCOPES = {"chatwoot:read", "chatwoot:write", "chatwoot:send"}


def note_authors(state: SandboxState, content: str) -> list[tuple[str | None, int | None]]:
    return [
        (m.sender_type, m.sender_id) for c in state.conversations.values() for m in c.messages if m.content == content
    ]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_host_signs_a_user_in_and_acts_as_them(mode: str) -> None:
    state = SandboxState.demo()
    async with oauth_server(state) as server:
        browser = Browser({"token": AGENT_TOKEN})
        storage = MemoryTokens()
        async with connected(server, sdk_oauth(server, browser, storage), mode) as client:
            names = [tool.name for tool in (await client.list_tools()).tools]
            assert "send_reply" in names and "add_private_note" in names
            counts = await client.call_tool("get_counts", {"account_id": 1})
            assert not counts.is_error, text_of(counts)
            conversation = next(c.display_id for c in state.account_conversations(1) if c.inbox_id == 1)
            note = await client.call_tool(
                "add_private_note", {"conversation_id": conversation, "content": f"consented via oauth {mode}"}
            )
            assert not note.is_error, text_of(note)
        assert note_authors(state, f"consented via oauth {mode}") == [("User", AGENT_USER_ID)]
        # What the user saw and what the host got back.
        consent = browser.pages[0]
        assert (
            consent.status_code == 200
            and "Test Host" in consent.text
            and "http://127.0.0.1:33418/callback" in (consent.text)
        )
        landed = parse_qs(urlsplit(browser.landed or "").query)
        assert set(landed) == {"code", "state", "iss"} and landed["iss"] == [server.base]
        assert storage.tokens is not None and set((storage.tokens.scope or "").split()) == SCOPES
        assert storage.tokens.access_token.startswith("cwm_at_") and AGENT_TOKEN not in storage.tokens.access_token


async def test_discovery_documents_say_what_hosts_need() -> None:
    async with oauth_server(SandboxState.demo()) as server, httpx2.AsyncClient() as http:
        unauthenticated = await http.post(server.mcp, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        assert unauthenticated.status_code == 401
        challenge = unauthenticated.headers["www-authenticate"]
        assert challenge.startswith("Bearer ")
        assert f'resource_metadata="{server.base}/.well-known/oauth-protected-resource/mcp"' in challenge
        assert 'scope="chatwoot:read chatwoot:write chatwoot:send"' in challenge
        for path in ("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"):
            resource = (await http.get(server.base + path)).json()
            assert resource["resource"] == server.mcp and resource["authorization_servers"] == [server.base]
            assert set(resource["scopes_supported"]) == SCOPES
        metadata = (await http.get(server.base + "/.well-known/oauth-authorization-server")).json()
        assert metadata["issuer"] == server.base
        assert metadata["code_challenge_methods_supported"] == ["S256"]
        assert "none" in metadata["token_endpoint_auth_methods_supported"]
        assert metadata["client_id_metadata_document_supported"] is True
        assert metadata["authorization_response_iss_parameter_supported"] is True
        assert set(metadata["scopes_supported"]) == SCOPES
        assert metadata["registration_endpoint"] == server.base + "/register"


async def test_a_chatwoot_token_is_not_a_bearer_here() -> None:
    """The MCP endpoint accepts only tokens it issued ("MUST NOT accept or transit any other tokens")."""
    state = SandboxState.demo()
    async with oauth_server(state) as server, httpx2.AsyncClient() as http:
        before = len(state.requests)
        refused = await http.post(
            server.mcp,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["www-authenticate"]
        assert ADMIN_TOKEN not in refused.text
        assert len(state.requests) == before, "the token was not even shown to Chatwoot"


async def test_the_command_serves_oauth_on_loopback_with_no_other_setting(tmp_path: Path) -> None:
    """`chatwoot-mcp --sandbox --transport streamable-http --auth oauth`, a real process: the SDK's OAuth client
    signs in through its consent page and calls a tool as the consenting user."""
    from .conftest import http_server

    async with http_server(tmp_path, "streamable-http", "--auth", "oauth") as process:
        server = OAuthServer(process.base, SandboxState.demo())  # the process's own sandbox: read through tools
        browser = Browser({"token": AGENT_TOKEN})
        async with connected(server, sdk_oauth(server, browser), "auto") as client:
            me = await client.call_tool("list_conversations", {"assignee_type": "me"})
            assert not me.is_error, text_of(me)
            note = await client.call_tool("add_private_note", {"conversation_id": 1, "content": "from a process"})
        assert browser.pages[0].status_code == 200 and "Test Host" in browser.pages[0].text
        assert not note.is_error and "from a process" in text_of(note), text_of(note)
        assert AGENT_TOKEN not in process.stderr()


async def test_the_list_follows_the_grant_and_the_url() -> None:
    """2026-07-28 connections differing only in their grant or their URL see different lists, in a fixed order; a
    call beyond the grant is refused by the server too (the host asked for more and the user declined)."""
    state = SandboxState.demo()
    async with oauth_server(state) as server:
        reader = sdk_oauth(
            server, Browser({"token": AGENT_TOKEN}, untick=frozenset({"chatwoot:write", "chatwoot:send"}))
        )
        async with connected(server, reader) as client:
            read_only = [tool.name for tool in (await client.list_tools()).tools]
        everything = sdk_oauth(server, Browser({"token": AGENT_TOKEN}))
        async with connected(server, everything) as client:
            full = [tool.name for tool in (await client.list_tools()).tools]
        labels_only = sdk_oauth(server, Browser({"token": AGENT_TOKEN}))
        async with connected(server, labels_only, path="/mcp/x/labels") as client:
            labels = [tool.name for tool in (await client.list_tools()).tools]
    assert "send_reply" in full and "add_labels" in full and "list_conversations" in full
    assert read_only == [name for name in full if name in read_only], "the same order"
    assert "send_reply" not in read_only and "add_labels" not in read_only and "list_conversations" in read_only
    assert set(labels) < set(full) and "add_labels" in labels and "list_conversations" not in labels


async def test_one_user_at_the_session_limit_never_locks_another_out() -> None:
    """The fair share of sessions knows OAuth users: a user's sessions past the limit end that user's own oldest
    idle one, never another user's, and another user still connects and calls tools."""
    from contextlib import AsyncExitStack

    from chatwoot_sandbox import ADMIN_TOKEN

    state = SandboxState.demo()
    async with oauth_server(state, env={"CHATWOOT_MCP_MAX_SESSIONS_PER_USER": "2"}) as server:
        admin_tokens = MemoryTokens()
        admin = sdk_oauth(server, Browser({"token": ADMIN_TOKEN}), admin_tokens)
        async with connected(server, admin, "legacy") as admin_session, AsyncExitStack() as stack:
            agent = MemoryTokens()
            for _ in range(2):  # the same user (one grant): two sessions, each with its listening stream open
                auth = sdk_oauth(server, Browser({"token": AGENT_TOKEN}), agent)
                session = await stack.enter_async_context(connected(server, auth, "legacy"))
                assert (await session.list_tools()).tools
            with pytest.raises(Exception) as refused:  # a third: refused, with the reason
                auth = sdk_oauth(server, Browser({"token": AGENT_TOKEN}), agent)
                async with connected(server, auth, "legacy") as third:
                    await third.list_tools()
            assert "limit per user" in "".join(traceback.format_exception(refused.value))
            counts = await admin_session.call_tool("get_counts", {"account_id": 1})
            assert not counts.is_error, text_of(counts)
            late = sdk_oauth(server, Browser({"token": ADMIN_TOKEN}), admin_tokens)
            async with connected(server, late, "legacy") as another:
                assert (await another.list_tools()).tools
