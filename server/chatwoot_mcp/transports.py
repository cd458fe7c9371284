"""Serving the MCP server over stdio, SSE or streamable HTTP, with HTTP locked down by default.

HTTP binds loopback unless told otherwise; any other bind needs a bearer token (or a loudly named opt-out),
and the SDK's Host/Origin checks stay on either way. uvicorn and the HTTP apps are imported only when an
HTTP transport is chosen, so stdio start-up never pays for them.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from mcp.server import MCPServer

from chatwoot_mcp.config import Settings

__all__ = ["BearerTokenMiddleware", "http_app", "serve"]

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


def http_app(server: MCPServer, settings: Settings) -> Any:
    """The ASGI app for the configured HTTP transport, behind the bearer check when a token is set."""
    security = _transport_security(settings)
    if settings.transport == "sse":
        app = server.sse_app(transport_security=security, host=settings.host)
    else:
        app = server.streamable_http_app(transport_security=security, host=settings.host)
    return BearerTokenMiddleware(app, settings.http_token) if settings.http_token else app


async def serve(server: MCPServer, settings: Settings) -> None:
    """Run until stopped, on the transport the settings name."""
    if settings.transport == "stdio":
        await server.run_stdio_async()
        return
    import uvicorn

    if settings.allow_unauthenticated_remote and not settings.http_token:
        log.warning(
            "serving %s on %s WITHOUT authentication, as explicitly requested", settings.transport, settings.host
        )
    path = "/sse" if settings.transport == "sse" else "/mcp"
    log.warning("chatwoot-mcp: %s on http://%s:%d%s", settings.transport, settings.host, settings.port, path)
    config = uvicorn.Config(
        http_app(server, settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        log_config=None,  # uvicorn's own handlers would bypass our redacting filter; ours then handle its records
    )
    await uvicorn.Server(config).serve()
