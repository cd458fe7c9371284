"""What one request sees: the configured tools, narrowed by its URL, its headers and its granted OAuth scopes.

2026-07-28 requests are stateless, so what decides their list is on the request itself; two clients on one server
with different URLs or headers see different lists, each in the configured order. Narrowing never widens what
the configuration allows. Over a real loopback HTTP server (uvicorn, as the team server tests do), Chatwoot is
the sandbox app in-process.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from chatwoot_mcp.config import load_settings
from chatwoot_mcp.context import REQUEST_SCOPES
from chatwoot_mcp.http.narrowing import BadNarrowing, header_narrowings, path_narrowing
from chatwoot_mcp.http.transports import http_app
from chatwoot_mcp.server import create_server
from chatwoot_mcp.surface.spec import ToolSpec
from chatwoot_mcp.surface.visibility import Narrowing, RequestView, refusal, visible_tools
from chatwoot_mcp.tools import ALL_TOOLS, TOOLSETS
from chatwoot_sandbox import SandboxState, create_app

from .conftest import BASE_ENV, free_port, make_settings, structured, text_of
from .team_support import served

pytestmark = pytest.mark.anyio

ALL = [spec.name for spec in ALL_TOOLS]


def tools_where(keep: Callable[[ToolSpec], bool]) -> list[str]:
    """The names of the tools `keep` keeps, in the configured order."""
    return [spec.name for spec in ALL_TOOLS if keep(spec)]


READS = tools_where(lambda spec: spec.read_only)
LABELS = tools_where(lambda spec: spec.toolset == "labels")


# -- the computation (pure) ----------------------------------------------------------------------------------------


def test_the_order_is_the_configured_one_whatever_narrows_it() -> None:
    settings = make_settings()
    assert list(visible_tools(settings, RequestView())) == ALL
    assert list(visible_tools(settings, RequestView((Narrowing(read_only=True),)))) == READS
    by_toolsets = RequestView((Narrowing(toolsets=frozenset({"labels", "conversations"})),))
    assert list(visible_tools(settings, by_toolsets)) == tools_where(
        lambda spec: spec.toolset in ("conversations", "labels")
    )


def test_narrowing_never_widens_the_configuration() -> None:
    read_only = make_settings(CHATWOOT_MCP_READ_ONLY="1")
    labels_only = make_settings(CHATWOOT_MCP_TOOLSETS="labels")
    messages = RequestView((Narrowing(toolsets=frozenset({"messages", "labels"})),))
    assert list(visible_tools(read_only, messages)) == tools_where(
        lambda spec: spec.read_only and spec.toolset in ("messages", "labels")
    )
    assert list(visible_tools(labels_only, messages)) == LABELS
    assert visible_tools(labels_only, RequestView((Narrowing(toolsets=frozenset({"messages"})),))) == ()
    # URL and header together: both apply.
    both = RequestView((Narrowing(toolsets=frozenset({"labels", "messages"})), Narrowing(read_only=True)))
    assert list(visible_tools(make_settings(), both)) == ["list_messages", "get_draft", "get_attachment", "list_labels"]
    # Read-only configuration wins over anything, and says so.
    assert "this server is read-only" in (refusal(read_only, RequestView(), "send_reply") or "")


def test_granted_scopes_narrow_and_a_refusal_names_the_missing_permission() -> None:
    settings = make_settings()
    read = RequestView(scopes=frozenset({"chatwoot:read"}))
    write = RequestView(scopes=frozenset({"chatwoot:read", "chatwoot:write"}))
    assert list(visible_tools(settings, read)) == READS
    assert list(visible_tools(settings, write)) == tools_where(lambda spec: not spec.customer_visible)
    assert "needs the chatwoot:write permission" in (refusal(settings, read, "add_labels") or "")
    assert "needs the chatwoot:send permission" in (refusal(settings, write, "send_reply") or "")
    assert refusal(settings, write, "add_labels") is None
    assert refusal(settings, read, "no_such_tool") is None  # the SDK's "Unknown tool"


def test_narrowing_paths_and_headers_are_read_and_unknown_toolsets_refused() -> None:
    assert path_narrowing("/mcp") is None and path_narrowing("/mcpx/readonly") is None
    assert path_narrowing("/mcp/readonly") == Narrowing(read_only=True, source="this URL (/mcp/readonly)")
    narrowed = path_narrowing("/mcp/x/messages,labels/readonly")
    assert narrowed is not None and narrowed.toolsets == {"labels", "messages"} and narrowed.read_only
    assert narrowed.source == "this URL (/mcp/x/labels,messages/readonly)"  # the toolsets in their order
    for path in ("/mcp/x/lables", "/mcp/x/labels,everything/readonly", "/mcp/x/,"):
        with pytest.raises(BadNarrowing, match="the toolsets are: conversations, labels"):
            path_narrowing(path)
    scope = {"headers": [(b"x-mcp-toolsets", b" labels , messages"), (b"x-mcp-readonly", b"true")]}
    assert [n.toolsets for n in header_narrowings(scope)] == [{"labels", "messages"}, None]
    assert header_narrowings({"headers": [(b"x-mcp-readonly", b"false"), (b"x-mcp-toolsets", b"")]}) == ()
    bad = {"headers": [(b"x-mcp-toolsets", b"labels,nope")]}
    with pytest.raises(BadNarrowing, match="unknown toolset 'nope' in the X-MCP-Toolsets header"):
        header_narrowings(bad, strict=True)
    # Unchecked (no wrapper in front): an unknown name narrows to nothing known, never to everything.
    (lenient,) = header_narrowings(bad)
    assert list(visible_tools(make_settings(), RequestView((lenient,)))) == LABELS


# -- over HTTP -----------------------------------------------------------------------------------------------------


class GrantScopes:
    """Stands in for OAuth: leaves the scopes named in the test's X-Test-Scopes header in the ASGI scope."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        granted = dict(scope.get("headers") or ()).get(b"x-test-scopes") if scope["type"] == "http" else None
        if granted is not None:
            scope[REQUEST_SCOPES] = frozenset(granted.decode().split())
        await self.app(scope, receive, send)


@asynccontextmanager
async def http_server(**env: str) -> AsyncIterator[str]:
    """`serve --transport streamable-http` on a free loopback port (Chatwoot: the sandbox); its base URL."""
    settings = load_settings(BASE_ENV | env, transport="streamable-http", port=free_port())
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(SandboxState.demo())))
    app = GrantScopes(http_app(create_server(settings, shared_http=http), settings, http))
    async with http, served(app, settings.port, lifespan="on") as base:
        yield base


@asynccontextmanager
async def connect(
    url: str, mode: str = "auto", headers: dict[str, str] | None = None, **options: Any
) -> AsyncIterator[Client]:
    """An MCP client session at `url` (2026-07-28 with "auto", 2025-11-25 with "legacy"), sending `headers`."""
    http = httpx2.AsyncClient(headers=headers, timeout=20)
    transport = streamable_http_client(url, http_client=http)
    async with http, Client(transport, mode=mode, cache=None, **options) as client:
        yield client


async def names(client: Client) -> list[str]:
    return [tool.name for tool in (await client.list_tools()).tools]


async def test_2026_clients_with_different_urls_or_headers_see_different_lists() -> None:
    async with (
        http_server() as base,
        connect(f"{base}/mcp") as plain,
        connect(f"{base}/mcp/readonly") as readonly,
        connect(f"{base}/mcp/x/labels") as labels,
        connect(f"{base}/mcp/x/messages,labels/readonly") as both,
        connect(f"{base}/mcp", headers={"X-MCP-Toolsets": "labels", "X-MCP-Readonly": "true"}) as by_headers,
    ):
        assert await names(plain) == ALL
        assert await names(readonly) == READS
        assert await names(labels) == LABELS
        assert await names(both) == ["list_messages", "get_draft", "get_attachment", "list_labels"]
        assert await names(by_headers) == ["list_labels"]
        assert await names(plain) == ALL  # nobody else's request changed it
        refused = await readonly.call_tool("add_private_note", {"conversation_id": 7, "content": "x"})
        outside = await labels.call_tool("get_conversation", {"conversation_id": 7})
        allowed = await labels.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
    assert refused.is_error
    assert "this URL (/mcp/readonly) serves only read tools" in text_of(refused), text_of(refused)
    assert outside.is_error
    assert "this URL (/mcp/x/labels) serves only the labels toolset" in text_of(outside), text_of(outside)
    assert structured(allowed)["added"] == ["billing"]


async def test_granted_scopes_narrow_the_list_and_calls() -> None:
    async with (
        http_server() as base,
        connect(f"{base}/mcp", headers={"X-Test-Scopes": "chatwoot:read"}) as reader,
        connect(f"{base}/mcp", headers={"X-Test-Scopes": "chatwoot:read chatwoot:write"}) as writer,
        connect(f"{base}/mcp", "legacy", {"X-Test-Scopes": "chatwoot:read"}) as legacy_reader,
    ):
        assert await names(reader) == READS
        assert await names(legacy_reader) == READS
        assert "send_reply" not in await names(writer) and "add_labels" in await names(writer)
        assert {"save_draft", "clear_draft"} <= set(await names(writer)), "a draft is not a send"
        refused = await reader.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
        unsent = await writer.call_tool("send_reply", {"conversation_id": 7, "message": "hello"})
        drafted = await writer.call_tool("save_draft", {"conversation_id": 7, "content": "Hello, checking now."})
    assert not drafted.is_error, text_of(drafted)
    assert refused.is_error and "it needs the chatwoot:write permission" in text_of(refused), text_of(refused)
    assert unsent.is_error and "send_reply is not available on this connection: it needs the chatwoot:send" in (
        text_of(unsent)
    )


async def test_narrowing_never_widens_read_only_or_toolsets_over_http() -> None:
    async with (
        http_server(CHATWOOT_MCP_READ_ONLY="1", CHATWOOT_MCP_TOOLSETS="labels,messages") as base,
        connect(f"{base}/mcp/x/labels,directory") as narrowed,
        connect(f"{base}/mcp", headers={"X-MCP-Readonly": "false"}) as unnarrowed,
    ):
        assert await names(narrowed) == ["list_labels"]
        assert await names(unnarrowed) == ["list_messages", "get_draft", "get_attachment", "list_labels"]
        refused = await unnarrowed.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
    assert refused.is_error and "this server is read-only" in text_of(refused)


async def test_an_unknown_toolset_in_the_url_or_a_header_is_a_400_naming_the_toolsets() -> None:
    async with http_server() as base, httpx2.AsyncClient(base_url=base) as http:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        for path, headers in (("/mcp/x/lables", {}), ("/mcp", {"X-MCP-Toolsets": "labels,nope"})):
            answer = await http.post(path, json=body, headers=headers)
            assert answer.status_code == 400, (path, answer.text)
            assert answer.text.count("\n") == 0
            error = json.loads(answer.text)["error"]
            assert all(name in error for name in TOOLSETS), error
        answer = await http.post("/mcp", json=body, headers={"X-MCP-Readonly": "maybe"})
        assert answer.status_code == 400 and "true or false" in answer.text


async def test_dynamic_toolsets_over_http_are_per_session() -> None:
    heard: list[str] = []

    async def other_hears(message: Any) -> None:
        heard.append(str(getattr(message, "method", message)))

    first = ["list_conversations", "get_conversation", "get_counts", "list_toolsets", "enable_toolset"]
    async with http_server(CHATWOOT_MCP_DYNAMIC_TOOLSETS="1") as base:
        async with (
            connect(f"{base}/mcp", "legacy") as one,
            connect(f"{base}/mcp", "legacy", message_handler=other_hears) as other,
        ):
            added = structured(await one.call_tool("enable_toolset", {"toolset": "labels"}))["added"]
            assert await names(one) == [*first[:3], *LABELS, *first[3:]]
            assert await names(other) == first
            await anyio.sleep(0.1)
        async with connect(f"{base}/mcp/x/labels", "legacy") as narrowed, connect(f"{base}/mcp") as modern:
            assert await names(narrowed) == ["list_toolsets", "enable_toolset"]
            assert structured(await narrowed.call_tool("enable_toolset", {"toolset": "labels"}))["added"] == LABELS
            assert await names(modern) == ALL  # 2026-07-28: the whole surface, no toolset tools
    assert added == LABELS
    assert "notifications/tools/list_changed" not in heard


async def test_stateless_http_has_no_session_to_hold_toolsets_so_lists_everything() -> None:
    """`--stateless` (the uvicorn factory's mode): a 2025-era client there has no session either."""
    async with (
        http_server(CHATWOOT_MCP_DYNAMIC_TOOLSETS="1", CHATWOOT_MCP_STATELESS="1") as base,
        connect(f"{base}/mcp", "legacy") as legacy,
    ):
        assert await names(legacy) == ALL
        refused = await legacy.call_tool("enable_toolset", {"toolset": "labels"})
    assert refused.is_error and "without a session" in text_of(refused)
