"""The streamable-HTTP server as an ASGI app factory, configured from the environment, for several workers:

    uvicorn --factory chatwoot_mcp.asgi:create_app --host 0.0.0.0 --port 8000 --workers 4 \\
        --timeout-graceful-shutdown 30

Every worker builds the same app: stateless streamable HTTP (any request may reach any worker), the same server
name, and request state sealed with CHATWOOT_MCP_STATE_KEY, so a call that asks the user to confirm on one worker
can be answered on another. Settings come from the same CHATWOOT_* variables as `chatwoot-mcp serve`; as uvicorn
binds, not this module, CHATWOOT_MCP_HOST says which address that is (default 0.0.0.0, so a token of some kind is
required unless it is a loopback address).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

__all__ = ["create_app"]

log = logging.getLogger("chatwoot_mcp")


def create_app() -> Any:
    """The ASGI app for this worker (exits with the configuration paragraph when the settings are wrong)."""
    import httpx2

    from chatwoot_mcp.cli import _setup_logging as setup_logging
    from chatwoot_mcp.config import ConfigError, load_settings
    from chatwoot_mcp.server import create_server
    from chatwoot_mcp.startup import DeferredTransport
    from chatwoot_mcp.transports import http_app

    try:
        settings = load_settings(
            transport="streamable-http", host=os.environ.get("CHATWOOT_MCP_HOST", "0.0.0.0"), stateless=True
        )
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    setup_logging(settings.log_level, settings.secrets)
    if not settings.state_keys:
        log.warning(
            "CHATWOOT_MCP_STATE_KEY is not set: a confirmation asked by one worker cannot be answered on another"
        )
    http = httpx2.AsyncClient(transport=DeferredTransport())
    # The lifespan closes `http` (it made it, through this factory) when the worker stops.
    server = create_server(settings, lambda: http)
    return http_app(server, settings, http)
