"""Narrowing the tools by URL and by header, for hosts that cannot pass flags (github-mcp-server's `/x/` paths):

    /mcp/readonly                      read tools only
    /mcp/x/labels,messages             only those toolsets
    /mcp/x/labels,messages/readonly    both
    X-MCP-Toolsets: labels,messages    the same through headers, on any MCP request
    X-MCP-Readonly: true

They narrow what the configuration allows and never widen it (`chatwoot_mcp.surface.visibility`). `NarrowingPaths`
maps these paths onto the SDK's /mcp endpoint and leaves the URL's narrowing in the ASGI scope
(`context.REQUEST_NARROWING`); the headers are read per request by the list and call handlers
(`surface.request_view`), from the same scope. A toolset name nobody knows, in a path or a header, is answered
400 with the known names: serving an empty list would look like a broken server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from chatwoot_mcp.context import REQUEST_NARROWING
from chatwoot_mcp.surface.visibility import Narrowing
from chatwoot_mcp.tools import TOOLSETS

__all__ = ["MCP_PATH", "BadNarrowing", "NarrowingPaths", "header_narrowings", "path_narrowing"]

MCP_PATH = "/mcp"
"""The SDK's streamable-HTTP endpoint, where the narrowing paths lead."""
_TOOLSETS_HEADER = b"x-mcp-toolsets"
_READONLY_HEADER = b"x-mcp-readonly"
_YES = ("true", "1", "yes", "on")
_NO = ("false", "0", "no", "off", "")


class BadNarrowing(ValueError):
    """A narrowing path or header this server cannot honour (answered 400)."""


def path_narrowing(path: str) -> Narrowing | None:
    """What a narrowing path (see the module) narrows to; None for any other path. Raises BadNarrowing for an
    unknown toolset."""
    rest = path.removeprefix(MCP_PATH)
    if rest == path or not rest.startswith("/"):
        return None
    parts = rest.strip("/").split("/")
    read_only = parts[-1] == "readonly"
    if read_only:
        parts.pop()
    if parts == []:
        return Narrowing(read_only=True, source=f"this URL ({MCP_PATH}/readonly)")
    if len(parts) != 2 or parts[0] != "x":
        return None
    toolsets = _known(parts[1].split(","), f"the URL {path[:200]}")
    if not toolsets:
        raise BadNarrowing(f"the URL {path[:200]} names no toolset; {_known_toolsets()}")
    canonical = f"{MCP_PATH}/x/{','.join(_in_order(toolsets))}{'/readonly' if read_only else ''}"
    return Narrowing(toolsets=toolsets, read_only=read_only, source=f"this URL ({canonical})")


def header_narrowings(scope: Any, *, strict: bool = False) -> tuple[Narrowing, ...]:
    """What the request's X-MCP-Toolsets and X-MCP-Readonly headers narrow to.

    `strict` raises BadNarrowing for a name or value the server does not know (the ASGI wrapper's 400); otherwise
    such a header narrows anyway, to nothing known or to read tools: failing closed.
    """
    narrowings = []
    for key, raw in scope.get("headers") or ():
        if key == _TOOLSETS_HEADER:
            names = [name for name in raw.decode("latin-1").split(",") if name.strip()]
            if names:
                toolsets = _known(names, "the X-MCP-Toolsets header") if strict else _names(names)
                narrowings.append(Narrowing(toolsets=toolsets, source="the X-MCP-Toolsets header"))
        elif key == _READONLY_HEADER:
            value = raw.decode("latin-1").strip().lower()
            if strict and value not in _YES + _NO:
                raise BadNarrowing(f"the X-MCP-Readonly header is true or false, not {value[:40]!r}")
            if value not in _NO:
                narrowings.append(Narrowing(read_only=True, source="the X-MCP-Readonly header"))
    return tuple(narrowings)


class NarrowingPaths:
    """Serves the narrowing paths as the SDK's /mcp, with their narrowing left in the scope; refuses (400) a path
    or header naming an unknown toolset."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            try:
                narrowing = path_narrowing(scope["path"])
                header_narrowings(scope, strict=True)
            except BadNarrowing as error:
                await _bad_request(send, str(error))
                return
            if narrowing is not None:
                scope = {**scope, "path": MCP_PATH, "raw_path": MCP_PATH.encode(), REQUEST_NARROWING: narrowing}
        await self.app(scope, receive, send)


def _names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.strip() for name in names if name.strip())


def _known(names: Iterable[str], where: str) -> frozenset[str]:
    toolsets = _names(names)
    unknown = sorted(toolsets - TOOLSETS.keys())
    if unknown:
        quoted = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise BadNarrowing(f"unknown toolset {quoted} in {where}; {_known_toolsets()}")
    return toolsets


def _in_order(toolsets: frozenset[str]) -> list[str]:
    return [name for name in TOOLSETS if name in toolsets]


def _known_toolsets() -> str:
    return f"the toolsets are: {', '.join(TOOLSETS)}"


async def _bad_request(send: Any, reason: str) -> None:
    body = json.dumps({"error": reason}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
