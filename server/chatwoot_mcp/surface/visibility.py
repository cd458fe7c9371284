"""Which tools one request may see and call: the configuration, narrowed by the request, never widened.

The visible surface of a request is the configured tools (`--toolsets`, `--tools`, `--exclude-tools`,
`--read-only`) intersected with what the request narrows to: its URL (`/mcp/readonly`, `/mcp/x/labels`), its
headers (`X-MCP-Toolsets`, `X-MCP-Readonly`) and, with OAuth, the scopes the user granted. Tools keep one fixed
order, the configured order of `chatwoot_mcp.tools.ALL_TOOLS` (the two dynamic-toolsets tools last), so two
requests that may see the same tools are shown the same list.

With `--dynamic-toolsets`, a request with a session (a 2025-era handshake session, stdio included) sees the
conversation read tools, the tools of the toolsets that session enabled, and `list_toolsets`/`enable_toolset`.
A request without one (protocol 2026-07-28, or stateless HTTP) sees its whole visible surface and not the two
toolset tools: 2026-07-28 forbids a list that depends on earlier requests, and there is no session to hold them.

With MCP Apps, a client that supports them (it advertised `io.modelcontextprotocol/ui`) also sees the app-only tools
(`chatwoot_mcp.tools.apps`), after all the others, each while a tool that links to its view is visible to it; a
client that does not sees exactly what it would without apps, and may call none of them.

Pure: settings and a `RequestView` in, tool names out. Reading a request into a `RequestView` is
`chatwoot_mcp.surface.request_view`'s work.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chatwoot_mcp.config import Settings
from chatwoot_mcp.surface.registry import select_tools
from chatwoot_mcp.surface.scopes import scope_needed
from chatwoot_mcp.surface.spec import ToolSpec
from chatwoot_mcp.surface.toolsets import DYNAMIC_TOOLSET, INITIAL_TOOLSET
from chatwoot_mcp.tools import ALL_TOOLS, TOOLSETS
from chatwoot_mcp.tools import apps as app_only
from chatwoot_mcp.tools import toolsets as dynamic

__all__ = ["Narrowing", "RequestView", "configured_tools", "refusal", "toolset_tools", "visible_tools"]


@dataclass(frozen=True)
class Narrowing:
    """What a request's URL or headers narrow the configured tools to (None: no narrowing by toolset)."""

    toolsets: frozenset[str] | None = None
    read_only: bool = False
    source: str = "this URL"
    """Where it comes from, as a refusal names it: "this URL (/mcp/x/labels)", "the X-MCP-Toolsets header"."""


@dataclass(frozen=True)
class RequestView:
    """What the visible surface depends on, read off one request. The default: configuration only (stdio, or a
    server asked without a request), as in a fresh session."""

    narrowings: tuple[Narrowing, ...] = ()
    scopes: frozenset[str] | None = None
    """The OAuth scopes granted; None when the request is not OAuth-authorized (no narrowing by scope)."""
    sessionless: bool = False
    """No session holds state between this request and others (protocol 2026-07-28, stateless HTTP)."""
    enabled: frozenset[str] = frozenset()
    """The toolsets this request's session enabled with enable_toolset (dynamic toolsets)."""
    apps: bool = False
    """The client supports MCP Apps (it advertised `io.modelcontextprotocol/ui` with the app MIME type)."""


@lru_cache(maxsize=16)
def configured_tools(settings: Settings) -> tuple[ToolSpec, ...]:
    """Every tool the configuration allows, in listing order: the dynamic-toolsets tools after the others (when on),
    then the app-only tools whose view a configured tool links to."""
    specs = [*select_tools(ALL_TOOLS, settings), *(dynamic.TOOLS if settings.dynamic_toolsets else ())]
    views = {spec.app for spec in specs if spec.app is not None}
    apps = [spec for spec in app_only.TOOLS if spec.app in views and (spec.read_only or not settings.read_only)]
    return (*specs, *apps)


@lru_cache(maxsize=256)
def visible_tools(settings: Settings, request: RequestView) -> tuple[str, ...]:
    """The names `request` is shown in tools/list, in the fixed order."""
    return tuple(spec.name for spec in configured_tools(settings) if _hidden(settings, request, spec) is None)


def refusal(settings: Settings, request: RequestView, name: str) -> str | None:
    """Why `request` may not call the tool `name`, in words the model can act on; None if it may (or if no tool
    of ours has that name: the SDK answers that)."""
    spec = next((spec for spec in configured_tools(settings) if spec.name == name), None)
    if spec is not None:
        return _hidden(settings, request, spec)
    known = next((spec for spec in (*ALL_TOOLS, *dynamic.TOOLS, *app_only.TOOLS) if spec.name == name), None)
    if known is None:
        return None
    if known.app_only and not request.apps:
        return _app_only(name)
    if settings.read_only and not known.read_only:
        return f"{name} is not available: this server is read-only, nothing can be changed through it."
    if known.toolset == DYNAMIC_TOOLSET:
        return f"{name} is not available: this server lists every toolset already (dynamic toolsets are off)."
    return f"{name} is not enabled on this server (its configuration leaves it out); tools/list shows what is."


def toolset_tools(settings: Settings, request: RequestView) -> dict[str, list[str]]:
    """{toolset: the tools it holds for `request` once enabled}, every toolset named (in TOOLSETS' order), even one
    the configuration or the request leaves empty."""
    everything = RequestView(request.narrowings, request.scopes, request.sessionless, frozenset(TOOLSETS), request.apps)
    visible = set(visible_tools(settings, everything))
    grouped: dict[str, list[str]] = {name: [] for name in TOOLSETS}
    for spec in configured_tools(settings):
        if spec.name in visible and spec.toolset in grouped:
            grouped[spec.toolset].append(spec.name)
    return grouped


def _app_only(name: str) -> str:
    return (
        f"{name} is not a tool for the model: only the app view calls this (a person's click in a view of a host that "
        "shows MCP Apps). Nothing was done. Use the model's own tools (send_reply, list_conversations, "
        "get_conversation)."
    )


def _hidden(settings: Settings, request: RequestView, spec: ToolSpec) -> str | None:
    """Why a configured tool is not visible to `request`, or None."""
    if spec.app_only:
        return _hidden_app_only(settings, request, spec)
    name = f"{spec.name} is not available on this connection"
    for narrowing in request.narrowings:
        toolsets = narrowing.toolsets
        if toolsets is not None and spec.toolset not in toolsets and spec.toolset != DYNAMIC_TOOLSET:
            listed = ", ".join(sorted(toolsets)) + (" toolsets" if len(toolsets) > 1 else " toolset")
            return f"{name}: {narrowing.source} serves only the {listed} ({spec.name} is in {spec.toolset})."
        if narrowing.read_only and not spec.read_only:
            return f"{name}: {narrowing.source} serves only read tools."
    if request.scopes is not None:
        needed = scope_needed(spec)
        if needed not in request.scopes:
            return f"{name}: it needs the {needed} permission, which this authorization does not grant."
    if not settings.dynamic_toolsets:
        return None
    if spec.toolset == DYNAMIC_TOOLSET:
        if request.sessionless:
            return (
                f"{spec.name} is not used on this connection: without a session (protocol 2026-07-28, stateless "
                "HTTP) every tool it may use is listed already."
            )
        return None
    if request.sessionless or spec.toolset in request.enabled or (spec.toolset == INITIAL_TOOLSET and spec.read_only):
        return None
    return f"{spec.name} is not listed yet: call enable_toolset with toolset {spec.toolset!r} first."


def _hidden_app_only(settings: Settings, request: RequestView, spec: ToolSpec) -> str | None:
    """Why an app-only tool is not visible to `request`: a client without apps, the request's own narrowing and
    scopes, or no tool linking to its view visible to it (the view could not have been opened)."""
    if not request.apps:
        return _app_only(spec.name)
    name = f"{spec.name} is not available on this connection"
    if not spec.read_only and any(narrowing.read_only for narrowing in request.narrowings):
        return f"{name}: it serves only read tools."
    if request.scopes is not None and scope_needed(spec) not in request.scopes:
        return f"{name}: it needs the {scope_needed(spec)} permission, which this authorization does not grant."
    linked = (other for other in configured_tools(settings) if other.app == spec.app and not other.app_only)
    if not any(_hidden(settings, request, other) is None for other in linked):
        return f"{name}: no tool that opens its view is available to this connection."
    return None
