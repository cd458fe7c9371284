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
