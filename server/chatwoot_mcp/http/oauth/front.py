"""`--auth oauth` put together: the OAuth endpoints, and behind them the MCP endpoint guarded by our tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2

from chatwoot_mcp.config import Settings
from chatwoot_mcp.http.auth import UserSessions
from chatwoot_mcp.http.oauth.bearer import OAuthBearerMiddleware
from chatwoot_mcp.http.oauth.client_documents import ClientDocuments
from chatwoot_mcp.http.oauth.routes import MCP_PATH, OAuthRoutes, protected_resource_metadata_url
from chatwoot_mcp.http.oauth.sealing import Sealer
from chatwoot_mcp.http.oauth.store import GrantStore
from chatwoot_mcp.state import State
from chatwoot_mcp.surface.scopes import scope_needed
from chatwoot_mcp.tools import ALL_TOOLS

__all__ = ["oauth_front"]


def oauth_front(
    app: Any,
    settings: Settings,
    http: httpx2.AsyncClient,
    state_of: Callable[[], State | None],
    documents: ClientDocuments | None = None,
    allowed_hosts: list[str] | None = None,
) -> OAuthRoutes:
    """`app` (the SDK's MCP app) behind the bearer check, beside the OAuth endpoints.

    `documents` replaces the client ID metadata document fetcher (tests: a private address or a fake network).
    """
    store = GrantStore(state_of, Sealer.from_state_keys(settings.state_keys))
    needs = {spec.name: scope_needed(spec) for spec in ALL_TOOLS}
    issuer = settings.issuer
    guarded = OAuthBearerMiddleware(
        app,
        store,
        UserSessions(settings, http, state_of),
        issuer=issuer,
        resource=issuer + MCP_PATH,
        metadata_url=protected_resource_metadata_url(issuer),
        scope_of_tool=needs.get,
    )
    return OAuthRoutes(guarded, settings, store, http, documents, allowed_hosts)
