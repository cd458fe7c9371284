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


@lru_cache(maxsize=16)
def configured_tools(settings: Settings) -> tuple[ToolSpec, ...]:
    """Every tool the configuration allows, in listing order (the dynamic-toolsets tools last, when on)."""
    specs = select_tools(ALL_TOOLS, settings)
    return (*specs, *dynamic.TOOLS) if settings.dynamic_toolsets else tuple(specs)


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
    known = next((spec for spec in (*ALL_TOOLS, *dynamic.TOOLS) if spec.name == name), None)
    if known is None:
        return None
    if settings.read_only and not known.read_only:
        return f"{name} is not available: this server is read-only, nothing can be changed through it."
    if known.toolset == DYNAMIC_TOOLSET:
        return f"{name} is not available: this server lists every toolset already (dynamic toolsets are off)."
    return f"{name} is not enabled on this server (its configuration leaves it out); tools/list shows what is."


def toolset_tools(settings: Settings, request: RequestView) -> dict[str, list[str]]:
    """{toolset: the tools it holds for `request` once enabled}, every toolset named (in TOOLSETS' order), even one
    the configuration or the request leaves empty."""
    everything = RequestView(request.narrowings, request.scopes, request.sessionless, frozenset(TOOLSETS))
    visible = set(visible_tools(settings, everything))
    grouped: dict[str, list[str]] = {name: [] for name in TOOLSETS}
    for spec in configured_tools(settings):
        if spec.name in visible and spec.toolset in grouped:
            grouped[spec.toolset].append(spec.name)
    return grouped


def _hidden(settings: Settings, request: RequestView, spec: ToolSpec) -> str | None:
    """Why a configured tool is not visible to `request`, or None."""
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
