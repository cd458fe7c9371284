"""The triage toolkit tests' short forms of the shared helpers in conftest: connect by sandbox, count POSTs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp import Client

from chatwoot_sandbox import SandboxState
from tests.server.conftest import Asker, make_server, make_settings
from tests.server.conftest import text_of as text

__all__ = ["Asker", "connect", "posts", "text"]


@asynccontextmanager
async def connect(state: SandboxState, asker: Asker | None = None, **env: str) -> AsyncIterator[Client]:
    """A client session (default era) on a server over `state`, configured with `env` on top of the base."""
    async with Client(make_server(state, make_settings(**env)), elicitation_callback=asker, cache=None) as client:
        yield client


def posts(state: SandboxState, path_part: str) -> list[Any]:
    """The POST requests the sandbox saw whose path contains `path_part`."""
    return [r for r in state.requests if r.method == "POST" and path_part in r.path]
