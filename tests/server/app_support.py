"""A host of our own for the MCP Apps views (the ui:// pages), for the browser tests and the render benchmark.

It does what a web host does, over real sockets on 127.0.0.1:

- the host page (`app_host/host.html`) on one origin; the view document on a second origin (another port), served
  with the host's default CSP as a response header and framed with `sandbox="allow-scripts allow-same-origin
  allow-forms"`;
- the host side of the bridge in that page (postMessage, origin-checked both ways): the `ui/initialize` answer with
  the host context (theme, CSS variables, display mode), then `tool-input` and `tool-result`;
- the MCP side here: a real chatwoot-mcp server (`create_server`, sandbox settings) through `mcp.Client` in memory,
  advertising the Apps extension. The host calls the linked tool itself, reads the tool's `ui://` resource, and
  proxies the view's `tools/call` (POST /rpc from the host page), refusing tools whose visibility leaves out "app".

    async with app_host(state) as host:
        url = await host.show("get_conversation", {"conversation_id": 7, "draft": "Hi"}, theme="dark")
        await page.goto(url)      # the view is page.frame_locator("iframe")
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import CallToolResult

from chatwoot_mcp.apps.pages import CONVERSATION, QUEUE, REPORT, page_html
from chatwoot_sandbox import SandboxState

from .conftest import make_server
from .team_support import served

__all__ = ["DEFAULT_CSP", "HOST_PAGE", "AppHost", "Session", "app_host", "result_json"]

DEFAULT_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self' data:; connect-src 'none'"
)
"""What MCP Apps 2026-01-26 says a host MUST use when a resource declares no `csp`."""
HOST_PAGE = Path(__file__).parent / "app_host" / "host.html"
LINKED = {
    "list_conversations": QUEUE,
    "filter_conversations": QUEUE,
    "search_conversations": QUEUE,
    "get_conversation": CONVERSATION,
    "list_messages": CONVERSATION,
    "get_report": REPORT,
    "get_queue_metrics": REPORT,
}
"""The contract's links, used only when the server does not link the tool itself (before the server side lands)."""

LIGHT = {
    "--color-background-primary": "#ffffff",
    "--color-text-primary": "#1b1d21",
    "--font-sans": "DejaVu Sans, sans-serif",
}
DARK = {
    "--color-background-primary": "#1f1f1f",
    "--color-text-primary": "#f1f1f1",
    "--font-sans": "DejaVu Sans, sans-serif",
}


def result_json(result: CallToolResult) -> dict[str, Any]:
    """A CallToolResult as it travels in JSON-RPC (camelCase, `_meta`)."""
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass
class Session:
    """One framed view: what the host sends it, and every tools/call it proxied (arguments and result)."""

    id: str
    uri: str
    tool: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None
    theme: str
    capabilities: dict[str, Any]
    max_height: int
    cancelled: str | None = None
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def config(self, view_base: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "viewUrl": f"{view_base}/view/{self.id}",
            "arguments": self.arguments,
            "result": self.result,
            "cancelled": self.cancelled,
            "maxHeight": self.max_height,
            "hostCapabilities": self.capabilities,
            "hostContext": {
                "theme": self.theme,
                "styles": {"variables": DARK if self.theme == "dark" else LIGHT},
                "displayMode": "inline",
                "availableDisplayModes": ["inline"],
                "containerDimensions": {"maxHeight": self.max_height},
                "locale": "en-US",
                "timeZone": "UTC",
                "platform": "web",
                "toolInfo": {"tool": {"name": self.tool, "inputSchema": {"type": "object"}}},
            },
        }

    def called(self, name: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """The (arguments, result) of each call of tool `name` the view made, in order."""
        return [(arguments, result) for called, arguments, result in self.calls if called == name]


class AppHost:
    """The host: an MCP client session on a chatwoot-mcp server over the sandbox, and the two web origins."""

    def __init__(self, client: Client, state: SandboxState) -> None:
        self.client = client
        self.state = state
        self.host_base = ""
        self.view_base = ""
        self.sessions: dict[str, Session] = {}
        self.html: dict[str, str] = {}
        self._tools: dict[str, dict[str, Any]] | None = None

    async def tools(self) -> dict[str, dict[str, Any]]:
        """name -> the tool's `_meta.ui` (empty when it has none), as this app client lists them."""
        if self._tools is None:
            listed = await self.client.list_tools()
            self._tools = {tool.name: dict((tool.meta or {}).get("ui") or {}) for tool in listed.tools}
        return self._tools

    async def resource(self, uri: str) -> str:
        """The ui:// document, read as a host reads it (resources/read); the module's own page before the server
        registers its resources."""
        try:
            read = await self.client.read_resource(uri)
        except Exception:
            return page_html(uri)
        (content,) = read.contents
        assert content.mime_type == APP_MIME_TYPE, content.mime_type
        text = getattr(content, "text", None)
        assert isinstance(text, str)
        return text

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """tools/call as the host makes it for itself."""
        return result_json(await self.client.call_tool(name, arguments))

    async def show(
        self,
        tool: str,
        arguments: dict[str, Any],
        *,
        theme: str = "light",
        open_links: bool = True,
        server_tools: bool = True,
        cancelled: str | None = None,
        max_height: int = 640,
    ) -> str:
        """Call `tool` (as the model asked), load its view, and return the host page's URL that frames it."""
        ui = (await self.tools()).get(tool, {})
        uri = ui.get("resourceUri") or LINKED[tool]
        result = None if cancelled else await self.call(tool, arguments)
        capabilities: dict[str, Any] = {"logging": {}}
        if server_tools:
            capabilities["serverTools"] = {}
        if open_links:
            capabilities["openLinks"] = {}
        session = Session(
            secrets.token_hex(8), uri, tool, arguments, result, theme, capabilities, max_height, cancelled
        )
        self.sessions[session.id] = session
        self.html[session.id] = await self.resource(uri)
        return f"{self.host_base}/host.html?session={session.id}"

    async def proxy(self, session: Session, params: dict[str, Any]) -> dict[str, Any]:
        """A view's tools/call: refused unless the tool exists and is callable by an app (visibility)."""
        name = params.get("name")
        arguments = params.get("arguments") or {}
        ui = (await self.tools()).get(name) if isinstance(name, str) else None
        if ui is None or "app" not in ui.get("visibility", ["model", "app"]):
            return {"error": {"code": -32602, "message": f"Tool not available to the view: {name}"}}
        result = await self.call(name, arguments)  # pyright: ignore[reportArgumentType]  (name is a str here)
        session.calls.append((name, arguments, result))  # pyright: ignore[reportArgumentType]
        return {"result": result}

    # -- the two origins ------------------------------------------------------------------------------------------

    async def host_app(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path == "/host.html":
            return await _respond(send, 200, HOST_PAGE.read_bytes(), "text/html; charset=utf-8")
        if path.startswith("/session/") and (session := self.sessions.get(path.removeprefix("/session/"))):
            body = json.dumps(session.config(self.view_base)).encode()
            return await _respond(send, 200, body, "application/json")
        if path.startswith("/rpc/") and scope["method"] == "POST":
            session = self.sessions.get(path.removeprefix("/rpc/"))
            params = json.loads(await _body(receive))
            if session is None:
                return await _respond(send, 404, b"{}", "application/json")
            answer = await self.proxy(session, params)
            return await _respond(send, 200, json.dumps(answer).encode(), "application/json")
        await _respond(send, 404, b"not found", "text/plain")

    async def view_app(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        html = self.html.get(scope["path"].removeprefix("/view/"))
        if html is None:
            return await _respond(send, 404, b"not found", "text/plain")
        await _respond(
            send, 200, html.encode(), "text/html; charset=utf-8", [(b"content-security-policy", DEFAULT_CSP)]
        )


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(
    send: Any, status: int, body: bytes, kind: str, extra: list[tuple[bytes, str]] | None = None
) -> None:
    headers = [(b"content-type", kind.encode()), (b"cache-control", b"no-store")]
    headers += [(name, value.encode()) for name, value in extra or ()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _asgi3(handler: Any) -> Any:
    """A plain function around a bound method (uvicorn takes a bound method for the two-step ASGI 2 style)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await handler(scope, receive, send)

    return app


@asynccontextmanager
async def app_host(state: SandboxState) -> AsyncIterator[AppHost]:
    """A host over `state`: the chatwoot-mcp app session and the host and view origins, for the block."""
    # A server of its own (not conftest's cached one): a test failing inside the block cannot leave it half-closed
    # for the next test.
    server = make_server(state, wrap_app=lambda app: app)
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(
            Client(server, extensions=[advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})], cache=None)
        )
        host = AppHost(client, state)
        host.host_base = await stack.enter_async_context(served(_asgi3(host.host_app), lifespan="off"))
        host.view_base = await stack.enter_async_context(served(_asgi3(host.view_app), lifespan="off"))
        yield host
