"""Dynamic toolsets: start with a few tools and let the model enable what the task needs, one session at a time.

Every tool's schema sits in the model's context on every turn. With `--dynamic-toolsets` a session's first
tools/list has only the conversations toolset's read tools plus `list_toolsets` and `enable_toolset`;
enabling a toolset adds its tools to that session's list and tells that session's client
(`notifications/tools/list_changed`) to list them again. No other session's list changes: the enabled toolsets
are kept in the session's own state (the SDK's per-connection state), and go when the session ends.

A request without a session (protocol 2026-07-28, where lists may not depend on earlier requests, or stateless
HTTP) has nowhere to keep them: it is shown its whole visible surface and not the two toolset tools (see
`chatwoot_mcp.surface.visibility`). The configuration and the request's narrowing still decide what a toolset can
add: read-only and exclude win, as everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp_types.version import MODERN_PROTOCOL_VERSIONS

if TYPE_CHECKING:
    from mcp.server.context import ServerRequestContext

__all__ = ["DYNAMIC_TOOLSET", "INITIAL_TOOLSET", "SESSION_TOOLSETS", "session_toolsets"]

INITIAL_TOOLSET = "conversations"
"""Its read tools are listed before the model enables anything."""
DYNAMIC_TOOLSET = "dynamic"
"""The toolset of list_toolsets and enable_toolset themselves (`chatwoot_mcp.tools.toolsets`)."""
SESSION_TOOLSETS = "chatwoot_mcp.toolsets"
"""The key of a session's enabled toolsets in its connection's state."""


def session_toolsets(ctx: ServerRequestContext[Any]) -> set[str] | None:
    """The set of toolsets the request's session has enabled (the session's own, to add to); None when the
    request has no session to keep it in (protocol 2026-07-28, stateless HTTP)."""
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        return None
    # SDK 2.3 keeps per-session state on the session's Connection (`state`, dropped with the connection), which a
    # handler reaches only through its per-request ServerSession. A connection without a standing channel to the
    # client is one request long (stateless HTTP): nothing would outlive the request.
    connection = getattr(ctx.session, "_connection", None)
    if connection is None or not connection.has_standalone_channel:
        return None
    return connection.state.setdefault(SESSION_TOOLSETS, set())
