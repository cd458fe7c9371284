"""The MCP Apps extension as the server declares it, and the ui:// resources it serves.

The capability (`capabilities.extensions["io.modelcontextprotocol/ui"]`) must be declared when the server is built
(the SDK fixes extensions at construction; hosts such as Claude render nothing for a server that did not declare it),
so `AppsCapability` is passed to `MCPServer(extensions=[...])`. It contributes nothing itself: the SDK's `Apps`
would want the HTML at construction, and a stdio start-up should neither build its models nor read any page. The
three ui:// resources are registered on first use with the other resources (`register_app_resources`), and each
page is read only when a host reads it.
"""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer
from mcp.server.extension import Extension

__all__ = ["APP_MIME_TYPE", "EXTENSION_ID", "AppsCapability", "is_app_resource", "register_app_resources"]

EXTENSION_ID = "io.modelcontextprotocol/ui"
APP_MIME_TYPE = "text/html;profile=mcp-app"
"""The SDK's constants (`mcp.server.apps`), spelled here so that building the server imports nothing of it; a test
checks they agree."""

UI_META: dict[str, Any] = {"ui": {"prefersBorder": True}}
"""No `csp`: the pages load nothing from anywhere (inline script and style, images as data: URLs), so the host's
default policy, which allows no network at all, is the right one."""


class AppsCapability(Extension):
    """Declares MCP Apps support; the tools and resources come from the server's own registry."""

    identifier = EXTENSION_ID


def is_app_resource(uri: object) -> bool:
    return str(uri).startswith("ui://")


def register_app_resources(server: MCPServer) -> None:
    """Add the three views as ui:// resources of `server`; each page's HTML is built when first read."""
    from mcp.server.mcpserver.resources import FunctionResource

    from chatwoot_mcp.apps.pages import PAGES, page_html

    for uri, title in PAGES.items():

        async def read(uri: str = uri) -> str:
            return page_html(uri)

        server.add_resource(
            FunctionResource(
                uri=uri,
                name=uri.removeprefix("ui://chatwoot/").removesuffix(".html") + "_view",
                title=title,
                description=f"{title}: the view hosts that show MCP Apps render for the tools that link to it.",
                mime_type=APP_MIME_TYPE,
                meta=UI_META,
                fn=read,
            )
        )


def declare_on_handshakes() -> None:
    """Keep `capabilities.extensions` in the `initialize` result of the 2025-era handshake too.

    SDK 2.3 declares extensions (SEP-2133) and then, for a 2025-era client, sieves the result through that era's
    schema, which has no `extensions` field, so the declaration never reaches the client. Yet that schema calls
    capabilities "not a closed set", hosts that render apps today handshake in that era (Claude Desktop advertises
    the extension in `initialize`, ext-apps#521), and a host renders nothing for a server that did not declare it
    (anthropics/claude-ai-mcp#165). So the sieve's output for `initialize` gets back exactly the `extensions` the
    server itself declared; nothing else changes. Installed once per process, when a server is created.
    """
    from mcp_types import methods

    serialize = methods.serialize_server_result
    if getattr(serialize, "keeps_extensions", False):
        return

    def keeping_extensions(method: str, version: str, data: Any, **options: Any) -> dict[str, Any]:
        dumped = serialize(method, version, data, **options)
        declared = data.get("capabilities", {}).get("extensions") if method == "initialize" else None
        if declared and isinstance(dumped.get("capabilities"), dict):
            dumped["capabilities"].setdefault("extensions", declared)
        return dumped

    keeping_extensions.keeps_extensions = True  # type: ignore[attr-defined]
    methods.serialize_server_result = keeping_extensions
