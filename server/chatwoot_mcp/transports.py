"""Serving the MCP server over stdio, SSE or streamable HTTP, with HTTP locked down by default.

HTTP binds loopback unless told otherwise; any other bind needs a bearer token (or a loudly named opt-out, or
per-user Chatwoot tokens: `auth`), and the SDK's Host/Origin checks stay on either way. `/healthz` and `/readyz`
(`health`) answer in front of authentication. uvicorn and the HTTP apps are imported only when an
HTTP transport is chosen, so stdio start-up never pays for them.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from mcp.server import MCPServer

from chatwoot_mcp.config import Settings

if TYPE_CHECKING:
    import httpx2

__all__ = ["GRACEFUL_SHUTDOWN", "BearerTokenMiddleware", "http_app", "serve"]

GRACEFUL_SHUTDOWN = 30
"""Seconds a stopping server (SIGTERM, Ctrl-C) gives in-flight calls to finish before it closes them."""

log = logging.getLogger("chatwoot_mcp")

_LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]


class BearerTokenMiddleware:
    """Refuses HTTP requests that do not carry `Authorization: Bearer <token>` (compared in constant time)."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            if not hmac.compare_digest(headers.get(b"authorization", b""), self._expected):
                body = json.dumps({"error": "missing or wrong bearer token"}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _transport_security(settings: Settings) -> Any:
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = list(_LOOPBACK_HOSTS)
    if settings.host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
        hosts += [settings.host, f"{settings.host}:*"]
    hosts += [h for name in settings.allowed_hosts for h in (name, f"{name}:*")]
    origins = [f"{scheme}://{host}" for host in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def http_app(server: MCPServer, settings: Settings, http: httpx2.AsyncClient | None = None) -> Any:
    """The ASGI app for the configured HTTP transport: health routes, then authentication, then MCP.

    `http` is the client the server sends Chatwoot requests through (its one connection pool): per-user tokens
    are checked through it, and /readyz asks Chatwoot through it. Per-user tokens need it.
    """
    from chatwoot_mcp.health import HealthRoutes, Readiness

    security = _transport_security(settings)
    if settings.transport == "sse":
        app = server.sse_app(transport_security=security, host=settings.host)
    else:
        app = server.streamable_http_app(
            transport_security=security, host=settings.host, stateless_http=settings.stateless
        )

    def state() -> Any:
        return getattr(getattr(server, "live_context", None), "state", None)

    if settings.auth == "chatwoot-token":
        from chatwoot_mcp.auth import ChatwootTokenMiddleware, UserSessions

        if http is None:
            raise ValueError("per-user tokens need the server's shared HTTP client")
        app = ChatwootTokenMiddleware(app, UserSessions(settings, http, state))
    elif settings.http_token:
        app = BearerTokenMiddleware(app, settings.http_token)
    return HealthRoutes(app, Readiness(settings.base_url, http, state))


async def serve(server: MCPServer, settings: Settings, http: httpx2.AsyncClient | None = None) -> None:
    """Run until stopped, on the transport the settings name (`http`: see `http_app`)."""
    if settings.transport == "stdio":
        await server.run_stdio_async()
        return
    import uvicorn

    if settings.allow_unauthenticated_remote and not settings.http_token and settings.auth != "chatwoot-token":
        log.warning(
            "serving %s on %s WITHOUT authentication, as explicitly requested", settings.transport, settings.host
        )
    path = "/sse" if settings.transport == "sse" else "/mcp"
    log.warning("chatwoot-mcp: %s on http://%s:%d%s", settings.transport, settings.host, settings.port, path)
    config = uvicorn.Config(
        http_app(server, settings, http),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        log_config=None,  # uvicorn's own handlers would bypass our redacting filter; ours then handle its records
    )
    await uvicorn.Server(config).serve()
