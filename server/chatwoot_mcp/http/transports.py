"""Serving the MCP server over stdio, SSE or streamable HTTP, with HTTP locked down by default.

HTTP binds loopback unless told otherwise; any other bind needs a bearer token (or a loudly named opt-out, or
per-user Chatwoot tokens: `auth`), and the SDK's Host/Origin checks stay on either way. `/healthz` and `/readyz`
(`health`) and, with a webhook secret, `POST /webhooks/chatwoot` (`events.receiver`, signed deliveries) answer in
front of authentication. uvicorn and the HTTP apps are imported only when an
HTTP transport is chosen, so stdio start-up never pays for them.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from typing import TYPE_CHECKING, Any

from mcp.server import MCPServer

from chatwoot_mcp.config import Settings

if TYPE_CHECKING:
    import httpx2

__all__ = ["GRACEFUL_SHUTDOWN", "BearerTokenMiddleware", "HostRefusalHint", "http_app", "serve", "startup_notes"]

GRACEFUL_SHUTDOWN = 30
"""Seconds a stopping server (SIGTERM, Ctrl-C) gives in-flight calls to finish before it closes them."""

log = logging.getLogger("chatwoot_mcp")

_LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
_WILDCARD_BINDS = ("0.0.0.0", "::", "")
_ADMIT = (
    "to accept it, set CHATWOOT_MCP_PUBLIC_URL (or --public-url) to the URL clients use, e.g. https://{host}, "
    "or add {host} to CHATWOOT_MCP_ALLOWED_HOSTS (or --allowed-hosts)"
)


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


class HostRefusalHint(logging.Filter):
    """Turns the SDK's "Invalid Host header: X" warning into one that names the setting that admits X.

    The SDK refuses a request whose Host is not allowed (421) and logs just that; behind a proxy or on 0.0.0.0
    the fix is a setting, so the log line says which. The name is quoted and cut: it comes from the client.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for prefix, what, status, advice in (
            ("Invalid Host header: ", "Host", 421, ""),
            ("Invalid Origin header: ", "Origin", 403, "if that web page is yours, "),
        ):
            if message.startswith(prefix):
                value = message.removeprefix(prefix)[:200]
                host = _host_name(value.split("://", 1)[-1]) or "HOST"
                record.msg = f"refused a request with {what} {value!r} ({status}): {advice}{_ADMIT.format(host=host)}"
                record.args = None
        return True


def _host_name(host: str) -> str | None:
    """`name:port` -> `name` (`[::1]:8000` -> `[::1]`); None unless it looks like a host name (it is the client's)."""
    name, colon, port = host.rpartition(":")
    name = name if colon and port.isdigit() and not host.endswith("]") else host
    return name if re.fullmatch(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]", name) else None


def startup_notes(settings: Settings) -> list[tuple[int, str]]:
    """The start-up log lines of an HTTP server, (level, text): where it listens and who can reach it."""
    path = "/sse" if settings.transport == "sse" else "/mcp"
    notes = [(logging.INFO, f"chatwoot-mcp: {settings.transport} on http://{settings.host}:{settings.port}{path}")]
    if settings.public_url:
        notes.append((logging.INFO, f"clients on other machines use {settings.public_url}{path}"))
    if settings.auth == "oauth":
        notes.append(
            (
                logging.INFO,
                f"OAuth: add {settings.issuer}/mcp as a custom connector (Claude, ChatGPT); each user signs in to "
                "Chatwoot on this server's consent page when their app connects"
                + ("" if settings.state_url else "; grants are kept in this process: a restart signs everyone out"),
            )
        )
    if settings.webhooks:
        where = settings.public_url or f"http://{settings.host}:{settings.port}"
        notes.append((logging.INFO, f"Chatwoot webhooks (signed) are received at {where}/webhooks/chatwoot"))
    if settings.allowed_hosts:
        notes.append((logging.INFO, f"Host names accepted besides loopback: {', '.join(settings.allowed_hosts)}"))
    elif settings.host in _WILDCARD_BINDS:
        notes.append(
            (
                logging.WARNING,
                f"listening on every address ({settings.host or '*'}), but only loopback Host names are accepted: "
                "clients on other machines get 421 Invalid Host header. Set CHATWOOT_MCP_PUBLIC_URL (or "
                "--public-url) to the URL they use, e.g. https://mcp.example.com, or CHATWOOT_MCP_ALLOWED_HOSTS "
                "(or --allowed-hosts) to the host names they use",
            )
        )
    return notes


def _announce(settings: Settings) -> None:
    """Log the start-up notes. INFO ones show at the default level (WARNING) too, as start-up is worth a line."""
    announce = logging.getLogger("chatwoot_mcp.startup")
    if logging.getLogger().getEffectiveLevel() <= logging.WARNING:
        announce.setLevel(logging.INFO)
    for level, text in startup_notes(settings):
        announce.log(level, "%s", text)


def _transport_security(settings: Settings) -> Any:
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = list(_LOOPBACK_HOSTS)
    if settings.host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
        hosts += [settings.host, f"{settings.host}:*"]
    hosts += [h for name in settings.allowed_hosts for h in (name, f"{name}:*")]
    origins = [f"{scheme}://{host}" for host in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def http_app(
    server: MCPServer, settings: Settings, http: httpx2.AsyncClient | None = None, *, oauth_documents: Any = None
) -> Any:
    """The ASGI app for the configured HTTP transport: health routes, then authentication, then MCP.

    `http` is the client the server sends Chatwoot requests through (its one connection pool): per-user tokens
    are checked through it, and /readyz asks Chatwoot through it. Per-user tokens and OAuth need it.
    `oauth_documents` replaces the OAuth server's client ID metadata document fetcher (tests: a network of their own).
    """
    from chatwoot_mcp.http.fair_share import fair_share
    from chatwoot_mcp.http.health import HealthRoutes, Readiness
    from chatwoot_mcp.http.narrowing import NarrowingPaths

    security = _transport_security(settings)
    sdk_log = logging.getLogger("mcp.server.transport_security")
    if not any(isinstance(f, HostRefusalHint) for f in sdk_log.filters):
        sdk_log.addFilter(HostRefusalHint())
    if settings.transport == "sse":
        app = server.sse_app(transport_security=security, host=settings.host)
    else:
        app = server.streamable_http_app(
            transport_security=security, host=settings.host, stateless_http=settings.stateless
        )
    app = fair_share(app, settings)  # a limit of sessions per user: inside authentication, which names the user
    app = NarrowingPaths(app)  # /mcp/readonly, /mcp/x/<toolsets>, X-MCP-Toolsets: see http.narrowing

    def state() -> Any:
        shared = getattr(server, "shared_state", None)
        return shared() if shared is not None else getattr(getattr(server, "live_context", None), "state", None)

    if settings.auth == "oauth":
        from chatwoot_mcp.http.oauth.front import oauth_front

        if http is None:
            raise ValueError("the OAuth front needs the server's shared HTTP client")
        app = oauth_front(app, settings, http, state, oauth_documents, list(security.allowed_hosts))
    elif settings.auth == "chatwoot-token":
        from chatwoot_mcp.http.auth import ChatwootTokenMiddleware, UserSessions

        if http is None:
            raise ValueError("per-user tokens need the server's shared HTTP client")
        app = ChatwootTokenMiddleware(app, UserSessions(settings, http, state))
    elif settings.http_token:
        app = BearerTokenMiddleware(app, settings.http_token)
    if settings.webhook_secrets:
        from chatwoot_mcp.events.receiver import WebhookReceiver

        # In front of authentication: Chatwoot signs its deliveries and sends no bearer (nor is one accepted).
        app = WebhookReceiver(app, settings, state)
    return HealthRoutes(app, Readiness(settings.base_url, http, state))


async def serve(server: MCPServer, settings: Settings, http: httpx2.AsyncClient | None = None) -> None:
    """Run until stopped, on the transport the settings name (`http`: see `http_app`)."""
    if settings.transport == "stdio":
        await server.run_stdio_async()
        return
    import uvicorn

    if settings.allow_unauthenticated_remote and not settings.http_token and not settings.per_user:
        log.warning(
            "serving %s on %s WITHOUT authentication, as explicitly requested", settings.transport, settings.host
        )
    _announce(settings)
    config = uvicorn.Config(
        http_app(server, settings, http),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        log_config=None,  # uvicorn's own handlers would bypass our redacting filter; ours then handle its records
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        # Over SSE the state belongs to the process, not to a connection's lifespan (ChatwootServer.shared_state).
        process_state = getattr(server, "process_state", None)
        if process_state is not None:
            await process_state.aclose()
