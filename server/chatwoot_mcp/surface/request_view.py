"""Reading one request into the `RequestView` that decides what it sees (`chatwoot_mcp.surface.visibility`).

From the request: the narrowing its URL left in the ASGI scope (`http.narrowing`), its X-MCP-Toolsets and
X-MCP-Readonly headers, the OAuth scopes its token grants (`context.REQUEST_SCOPES`), whether it has a session
(2025-era handshake) or not (2026-07-28, stateless HTTP), the toolsets that session enabled, and whether the
client supports MCP Apps (declared at `initialize`, or in each 2026-07-28 request's capabilities: the SDK reads
either). A request without HTTP (stdio, in memory) brings none of the first three: only configuration, session and
apps apply. The HTTP-only
modules are imported only when a request has an ASGI scope, so a stdio start-up does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatwoot_mcp.surface.toolsets import session_toolsets
from chatwoot_mcp.surface.visibility import Narrowing, RequestView

if TYPE_CHECKING:
    from mcp.server.context import ServerRequestContext

__all__ = ["request_view"]


def request_view(ctx: ServerRequestContext[Any]) -> RequestView:
    """What the visible surface of `ctx`'s request depends on."""
    enabled = session_toolsets(ctx)
    sessionless, toolsets = enabled is None, frozenset(enabled or ())
    from mcp.server.apps import client_supports_apps  # its pydantic models: not at import, as start-up goes

    apps = client_supports_apps(ctx)
    scope = getattr(ctx.request, "scope", None)
    if not isinstance(scope, dict):
        return RequestView(sessionless=sessionless, enabled=toolsets, apps=apps)
    from chatwoot_mcp.context import REQUEST_NARROWING, REQUEST_SCOPES
    from chatwoot_mcp.http.narrowing import header_narrowings

    by_url = scope.get(REQUEST_NARROWING)
    narrowings = ((by_url,) if isinstance(by_url, Narrowing) else ()) + header_narrowings(scope)
    granted = scope.get(REQUEST_SCOPES)
    scopes = None if granted is None else frozenset(granted)
    return RequestView(narrowings=narrowings, scopes=scopes, sessionless=sessionless, enabled=toolsets, apps=apps)
