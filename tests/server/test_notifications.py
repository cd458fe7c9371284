"""Resource updates: a change in Chatwoot reaches the clients watching that conversation (or the queue), in both
protocol eras, across replicas sharing Redis, and never a user who may not read the conversation.

Changes enter as signed Chatwoot webhooks POSTed to /webhooks/chatwoot over HTTP, or (in memory, where there is no
HTTP) as events appended to the server's stream, as the receiver and polling do; the notifier tails the stream.
Clients are real `mcp.Client`s: in memory, or over streamable HTTP to uvicorn on loopback.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.shared.subscriptions import SUBSCRIPTION_ID_META_KEY
from mcp.types import ResourceTemplateReference, ResourceUpdatedNotification

from chatwoot_mcp.config import load_settings
from chatwoot_mcp.events import polling
from chatwoot_mcp.events.notify import QUEUE_URI, REFUSED
from chatwoot_mcp.http.transports import http_app
from chatwoot_mcp.server import create_server
from chatwoot_sandbox import ADMIN_TOKEN, AGENT_TOKEN, AGENT_USER_ID, SandboxState, create_app
from chatwoot_sandbox.webhooks import add_webhook

from .conftest import SANDBOX_URL, free_port, make_server
from .redis_support import redis_server
from .team_support import served
from .webhook_support import SECRET, message_payload, signed

pytestmark = pytest.mark.anyio

CONVERSATION = 3
TRANSCRIPT = f"chatwoot://conversations/{CONVERSATION}"


class Watching:
    """What one client heard: (monotonic time, uri) per update, from either era's channel."""

    def __init__(self) -> None:
        self.heard: list[tuple[float, str]] = []
        self._news = anyio.Event()

    def hear(self, uri: str) -> None:
        self.heard.append((time.monotonic(), uri))
        self._news.set()

    async def message(self, message: Any) -> None:
        """The 2025 era's channel (a listen stream's frames, tagged with its id, come through `watch`'s pump)."""
        if isinstance(message, ResourceUpdatedNotification) and SUBSCRIPTION_ID_META_KEY not in (
            message.params.meta or {}
        ):
            self.hear(message.params.uri)

    async def next(self, within: float = 1.0) -> str:
        """The next update heard within `within` seconds (fails otherwise)."""
        with anyio.fail_after(within):
            while not self.heard:
                self._news = anyio.Event()
                await self._news.wait()
        return self.heard.pop(0)[1]

    async def quiet(self, seconds: float = 0.3) -> None:
        await anyio.sleep(seconds)
        assert self.heard == [], self.heard


@asynccontextmanager
async def watch(client: Client, watching: Watching, *uris: str) -> AsyncIterator[None]:
    """Subscribe `client` to `uris` for the block, in its era's way (2025: resources/subscribe; 2026: listen)."""
    if client.protocol_version != "2026-07-28":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # resources/subscribe is the 2025 era's, deprecated in the SDK
            for uri in uris:
                await client.subscribe_resource(uri)
            try:
                yield
            finally:
                for uri in uris:
                    await client.unsubscribe_resource(uri)
        return
    async with client.listen(resource_subscriptions=list(uris)) as stream, anyio.create_task_group() as group:

        async def pump() -> None:
            async for event in stream:
                watching.hear(event.uri)  # type: ignore[union-attr]

        group.start_soon(pump)
        try:
            yield
        finally:
            group.cancel_scope.cancel()


async def append(server: Any, conversation_id: int, kind: str = "labelled", account_id: int = 1) -> None:
    """An event on the server's stream, as the webhook receiver records one."""
    state = server.live_context.state
    await state.event_append({"kind": kind, "account_id": account_id, "conversation_id": conversation_id, "data": {}})


# -- one server, in memory ---------------------------------------------------------------------------------------


async def test_a_change_reaches_the_subscriber_within_a_second_and_unsubscribing_stops_it(mode: str) -> None:
    server = make_server(SandboxState.demo())
    watching = Watching()
    async with Client(server, mode=mode, message_handler=watching.message, cache=None) as client:
        capabilities = client.server_capabilities
        assert capabilities.resources is not None and capabilities.resources.subscribe is True
        async with watch(client, watching, TRANSCRIPT):
            started = time.monotonic()
            await append(server, CONVERSATION)
            assert await watching.next() == TRANSCRIPT
            assert time.monotonic() - started < 1.0
            await append(server, CONVERSATION + 1)  # another conversation: not this transcript
            await append(server, CONVERSATION, "customer_message")
            assert await watching.next() == TRANSCRIPT
            await watching.quiet()
        await append(server, CONVERSATION)
        await watching.quiet()


async def test_the_queue_hears_of_every_conversation_in_its_account(mode: str) -> None:
    server = make_server(SandboxState.demo())
    watching = Watching()
    async with Client(server, mode=mode, message_handler=watching.message, cache=None) as client:
        queue = await client.read_resource(QUEUE_URI)
        assert "page 1" in queue.contents[0].text  # type: ignore[union-attr]
        async with watch(client, watching, QUEUE_URI):
            await append(server, 5, "conversation_created")
            assert await watching.next() == QUEUE_URI
            await append(server, 1, account_id=2)  # another account's queue
            await watching.quiet()


async def test_a_burst_on_one_conversation_is_one_update(mode: str) -> None:
    server = make_server(SandboxState.demo())
    watching = Watching()
    async with (
        Client(server, mode=mode, message_handler=watching.message, cache=None) as client,
        watch(client, watching, TRANSCRIPT),
    ):
        async with anyio.create_task_group() as group:  # appended together: read in one batch or a few
            for _ in range(5):
                group.start_soon(append, server, CONVERSATION)
        assert await watching.next() == TRANSCRIPT
        await anyio.sleep(0.2)
        assert len(watching.heard) < 4, watching.heard


async def test_what_cannot_be_watched_is_refused(mode: str) -> None:
    state = SandboxState.demo()
    server = make_server(state)
    async with Client(server, mode=mode, cache=None) as client:
        for uri, needle in (
            ("chatwoot://conversations/99999", REFUSED),  # Chatwoot does not know it: same words as forbidden
            ("chatwoot://agents", "only these resources send updates"),
            ("chatwoot://conversations?account_id=7", REFUSED),  # not an account this server serves
        ):
            with pytest.raises(MCPError) as refused:
                async with watch(client, Watching(), uri):
                    pass
            assert needle in str(refused.value), str(refused.value)
            assert "99999" not in str(refused.value)


# -- per-user auth over HTTP --------------------------------------------------------------------------------------


async def test_without_webhooks_the_notifier_polls_while_anyone_watches(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "POLL_INTERVAL", 0.3)  # 10 s in production: the test need not wait that long
    state = SandboxState.demo()
    server = make_server(state)
    watching = Watching()
    async with Client(server, mode=mode, message_handler=watching.message, cache=None) as client:
        # Polling compares the most recently active conversations: watch the latest (completion offers it first).
        ref = ResourceTemplateReference(uri="chatwoot://conversations/{conversation_id}")
        latest = (await client.complete(ref, {"name": "conversation_id", "value": ""})).completion.values[0]
        uri = f"chatwoot://conversations/{latest}"
        async with watch(client, watching, uri):
            await anyio.sleep(0.2)  # the first poll takes the snapshot that later ones compare with
            changed = await client.call_tool("add_labels", {"conversation_id": int(latest), "labels": ["vip"]})
            assert not changed.is_error, changed
            assert await watching.next(within=2.0) == uri
        polls = sum(1 for r in state.requests if r.path == "/api/v1/accounts/1/conversations")
        await anyio.sleep(0.7)
        assert sum(1 for r in state.requests if r.path == "/api/v1/accounts/1/conversations") <= polls + 3


def _hidden_from_agent(state: SandboxState) -> int:
    """A conversation of account 1 the agent (user 4) may not read: not her inbox, not her team."""
    for conversation in state.account_conversations(1):
        team = state.teams.get(conversation.team_id) if conversation.team_id is not None else None
        if AGENT_USER_ID not in state.inboxes[conversation.inbox_id].member_ids and (
            team is None or AGENT_USER_ID not in team.member_ids
        ):
            return conversation.display_id
    raise AssertionError("the demo has no conversation hidden from the agent")


def _seen_by_agent(state: SandboxState) -> int:
    return next(
        c.display_id for c in state.account_conversations(1) if AGENT_USER_ID in state.inboxes[c.inbox_id].member_ids
    )


@asynccontextmanager
async def http_server(state: SandboxState, port: int | None = None, **env: str) -> AsyncIterator[str]:
    token = {} if "CHATWOOT_MCP_AUTH" in env else {"CHATWOOT_API_TOKEN": ADMIN_TOKEN}
    base = {"CHATWOOT_BASE_URL": SANDBOX_URL, "CHATWOOT_ACCOUNT_ID": "1", "CHATWOOT_MCP_WEBHOOK_SECRET": SECRET}
    settings = load_settings(
        {**base, **token, **env},
        transport="streamable-http",
        port=port or free_port(),
    )
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))
    server = create_server(settings, shared_http=http)
    async with http, served(http_app(server, settings, http), settings.port, lifespan="on") as base:
        yield f"{base}/mcp"


_MESSAGES = iter(range(5000, 10**6))


async def webhook(base: str, conversation_id: int) -> None:
    """A signed `message_created` delivery to the server at `base` (…/mcp), as Chatwoot sends one."""
    body, headers = signed(
        message_payload("where is my parcel?", conversation_id=conversation_id, message_id=next(_MESSAGES))
    )
    async with httpx2.AsyncClient() as http:
        answer = await http.post(base.removesuffix("/mcp") + "/webhooks/chatwoot", content=body, headers=headers)
    assert answer.status_code == 200, answer.text


@asynccontextmanager
async def http_client(url: str, mode: str, watching: Watching, token: str | None = None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(headers=headers, timeout=20)
    transport = streamable_http_client(url, http_client=http)
    async with http, Client(transport, mode=mode, message_handler=watching.message, cache=None) as client:
        yield client


async def test_a_user_hears_only_of_conversations_chatwoot_shows_them(mode: str) -> None:
    state = SandboxState.demo()
    hidden, seen = _hidden_from_agent(state), _seen_by_agent(state)
    async with http_server(state, CHATWOOT_MCP_AUTH="chatwoot-token") as url:
        agent_hears, admin_hears = Watching(), Watching()
        async with (
            http_client(url, mode, agent_hears, AGENT_TOKEN) as agent,
            http_client(url, mode, admin_hears, ADMIN_TOKEN) as admin,
        ):
            with pytest.raises(MCPError) as refused:
                async with watch(agent, agent_hears, f"chatwoot://conversations/{hidden}"):
                    pass
            assert REFUSED in str(refused.value)
            async with (
                watch(agent, agent_hears, QUEUE_URI, f"chatwoot://conversations/{seen}"),
                watch(admin, admin_hears, QUEUE_URI, f"chatwoot://conversations/{hidden}"),
            ):
                await webhook(url, hidden)
                assert sorted([await admin_hears.next(), await admin_hears.next()]) == sorted(
                    [QUEUE_URI, f"chatwoot://conversations/{hidden}"]
                )
                await agent_hears.quiet()  # not even that the queue changed: it was a conversation hidden from her
                await webhook(url, seen)
                assert sorted([await agent_hears.next(), await agent_hears.next()]) == sorted(
                    [QUEUE_URI, f"chatwoot://conversations/{seen}"]
                )
                assert await admin_hears.next() == QUEUE_URI


async def test_a_sandbox_write_reaches_the_subscriber_through_chatwoots_webhook_within_a_second(mode: str) -> None:
    """The whole path: a write in "Chatwoot" (the sandbox, through a tool call), its signed webhook to our
    receiver over loopback HTTP, the stream, the notification."""
    state = SandboxState.demo()
    port = free_port()
    hook = add_webhook(state, 1, f"http://127.0.0.1:{port}/webhooks/chatwoot", ["conversation_updated"])
    async with http_server(state, port=port, CHATWOOT_MCP_WEBHOOK_SECRET=hook.secret) as url:
        watching = Watching()
        async with http_client(url, mode, watching) as client, watch(client, watching, TRANSCRIPT):
            started = time.monotonic()
            changed = await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": ["vip"]})
            assert not changed.is_error
            assert await watching.next() == TRANSCRIPT
            assert time.monotonic() - started < 1.0
            assert [d.status for d in state.outbox.sent] == [200]


async def test_stateless_http_refuses_2025_subscriptions_and_serves_listen(mode: str) -> None:
    async with http_server(SandboxState.demo(), CHATWOOT_MCP_STATELESS="1") as url:
        watching = Watching()
        async with http_client(url, mode, watching) as client:
            if mode == "legacy":
                with pytest.raises(MCPError, match="subscriptions/listen"):
                    async with watch(client, watching, TRANSCRIPT):
                        pass
                return
            async with watch(client, watching, TRANSCRIPT):
                await webhook(url, CONVERSATION)
                assert await watching.next() == TRANSCRIPT


# -- two replicas sharing Redis ---------------------------------------------------------------------------------


async def test_a_webhook_to_one_replica_reaches_a_subscriber_of_another(mode: str) -> None:
    state = SandboxState.demo()
    with redis_server() as redis:
        async with (
            http_server(state, CHATWOOT_MCP_STATE=redis.url) as url_a,
            http_server(state, CHATWOOT_MCP_STATE=redis.url) as url_b,
        ):
            watching = Watching()
            async with http_client(url_b, mode, watching) as client, watch(client, watching, TRANSCRIPT):
                for _ in range(3):
                    started = time.monotonic()
                    await webhook(url_a, CONVERSATION)  # Chatwoot's delivery reaches replica A
                    assert await watching.next() == TRANSCRIPT
                    assert time.monotonic() - started < 1.0
