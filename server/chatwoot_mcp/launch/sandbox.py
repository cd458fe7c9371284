"""The embedded sandbox: a Chatwoot-compatible app served in-process, for `--sandbox`, the demo and tests.

Imported only on that path, so a real deployment's start-up never pays for the sandbox; and even there the sandbox
itself (its app and demo data) is built on the first request, so `initialize` and `tools/list` do not wait for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx2

if TYPE_CHECKING:
    from chatwoot_sandbox import SandboxState

__all__ = ["SANDBOX_ACCOUNT", "SANDBOX_TOKEN", "SANDBOX_URL", "sandbox_http_client"]

SANDBOX_URL = "http://sandbox.chatwoot.invalid"
SANDBOX_TOKEN = "sandbox-admin-token"
"""chatwoot_sandbox.ADMIN_TOKEN (a test keeps them equal), named here so that settings need no sandbox import."""
SANDBOX_ACCOUNT = 1
"""chatwoot_sandbox.DEMO_ACCOUNT_ID."""


class _SandboxOnFirstRequest:
    """An ASGI app that builds the sandbox app (and its demo data) when the first request arrives."""

    def __init__(self, state: SandboxState | None) -> None:
        self._state = state
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            from chatwoot_sandbox import SandboxState, create_app

            self._app = create_app(self._state or SandboxState.demo())
        await self._app(scope, receive, send)


def sandbox_http_client(state: SandboxState | None = None) -> httpx2.AsyncClient:
    """An HTTP client whose requests are answered by a fresh demo sandbox (or `state`) in this process."""
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=_SandboxOnFirstRequest(state)))
