"""Shared helpers for the triage toolkit tests: a server on a fresh demo sandbox, and an MCP client to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.server import MCPServer
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult

from chatwoot_mcp.config import load_settings
from chatwoot_mcp.server import create_server
from chatwoot_sandbox import ADMIN_TOKEN, SandboxState, create_app


def make_server(state: SandboxState, **env: str) -> MCPServer:
    settings = load_settings(
        {"CHATWOOT_BASE_URL": "http://sandbox", "CHATWOOT_API_TOKEN": ADMIN_TOKEN, "CHATWOOT_ACCOUNT_ID": "1"} | env
    )
    return create_server(
        settings, http_client=lambda: httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))
    )


class Asker:
    """An elicitation callback that answers every question with `accept`, and remembers the questions."""

    def __init__(self, accept: bool) -> None:
        self.accept = accept
        self.questions: list[str] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        self.questions.append(params.message)
        if self.accept:
            return ElicitResult(action="accept", content={"confirm": True})
        return ElicitResult(action="decline")


@asynccontextmanager
async def connect(state: SandboxState, asker: Asker | None = None, **env: str) -> AsyncIterator[Client]:
    server = make_server(state, **env)
    kwargs: dict[str, Any] = {"elicitation_callback": asker} if asker is not None else {}
    async with Client(server, cache=None, **kwargs) as client:
        yield client


def text(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def posts(state: SandboxState, path_part: str) -> list[Any]:
    return [r for r in state.requests if r.method == "POST" and path_part in r.path]
