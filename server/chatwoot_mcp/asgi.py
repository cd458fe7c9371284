"""The streamable-HTTP server as an ASGI app factory, configured from the environment, for several workers:

    uvicorn --factory chatwoot_mcp.asgi:create_app --host 0.0.0.0 --port 8000 --workers 4 \\
        --timeout-graceful-shutdown 30

Every worker builds the same app: stateless streamable HTTP (any request may reach any worker), the same server
name, and request state sealed with CHATWOOT_MCP_STATE_KEY, so a call that asks the user to confirm on one worker
can be answered on another. Settings come from the same CHATWOOT_* variables as `chatwoot-mcp serve`; as uvicorn
binds, not this module, CHATWOOT_MCP_HOST says which address that is (default 0.0.0.0, so a token of some kind is
required unless it is a loopback address).

With a server token (CHATWOOT_API_TOKEN), each worker checks it when it starts, as `chatwoot-mcp serve` does
before it binds: a token Chatwoot refuses, or accounts its user is not in, stop the worker with the configuration
paragraph; Chatwoot not answering is logged and the worker serves (its tool calls say what is wrong meanwhile).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["CheckedAtStart", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

log = logging.getLogger("chatwoot_mcp")


def create_app() -> Any:
    """The ASGI app for this worker (exits with the configuration paragraph when the settings are wrong)."""
    from chatwoot_mcp.launch.gc_pause import collector_paused

    with collector_paused():  # the SDK's import is most of a worker's start (gc_pause)
        import httpx2

        from chatwoot_mcp.cli import _setup_logging as setup_logging
        from chatwoot_mcp.config import ConfigError, load_settings
        from chatwoot_mcp.http.transports import http_app
        from chatwoot_mcp.launch.startup import ChatwootUnreachable, DeferredTransport, verify_access
        from chatwoot_mcp.server import create_server

        try:
            settings = load_settings(
                transport="streamable-http", host=os.environ.get("CHATWOOT_MCP_HOST", "0.0.0.0"), stateless=True
            )
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        setup_logging(settings.log_level, settings.secrets)
        if settings.auth == "oauth" and not settings.state_url:
            print(
                "error: chatwoot-mcp is not configured: --auth oauth across uvicorn workers needs "
                "CHATWOOT_MCP_STATE=redis://... (and CHATWOOT_MCP_STATE_KEY): a token one worker issued must be "
                "known to the others",
                file=sys.stderr,
            )
            raise SystemExit(2)
        if not settings.state_keys:
            log.warning(
                "CHATWOOT_MCP_STATE_KEY is not set: a confirmation asked by one worker cannot be answered on another"
            )
        http = httpx2.AsyncClient(transport=DeferredTransport())
        # The lifespan closes `http` (it made it, through this factory) when the worker stops.
        server = create_server(settings, lambda: http)
        app = http_app(server, settings, http)
    if settings.per_user or settings.sandbox or not settings.verify_token:
        return app  # no token of the server's own to check

    async def check() -> bool:
        try:
            user = await verify_access(settings, shared=http)
        except ChatwootUnreachable as error:
            log.warning("%s Serving anyway; tool calls report the problem until Chatwoot answers.", error)
        except ConfigError as error:
            log.error("chatwoot-mcp cannot work: %s", error)  # through the redacting handler, unlike uvicorn's
            return False
        else:
            log.info("token belongs to %s; accounts %s", user, settings.account_ids)
        return True

    return CheckedAtStart(app, check)


class CheckedAtStart:
    """An ASGI app whose start (the lifespan's `startup`) first runs `check`: when it says no, the start fails (so
    uvicorn stops the worker) before the app's own start-up ran; `check` has said why."""

    def __init__(self, app: Any, check: Callable[[], Awaitable[bool]]) -> None:
        self.app = app
        self.check = check

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        first = await receive()
        if first["type"] == "lifespan.startup" and not await self.check():
            await send({"type": "lifespan.startup.failed", "message": ""})
            return
        replayed = False

        async def receive_again() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        await self.app(scope, receive_again, send)
