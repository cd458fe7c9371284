"""The embedded sandbox: a Chatwoot-compatible app served in-process, for `--sandbox`, the demo and tests.

Imported only on that path, so a real deployment's start-up never pays for the sandbox.
"""

from __future__ import annotations

import httpx2

from chatwoot_sandbox import ADMIN_TOKEN, DEMO_ACCOUNT_ID, SandboxState, create_app

__all__ = ["SANDBOX_ACCOUNT", "SANDBOX_TOKEN", "SANDBOX_URL", "sandbox_http_client"]

SANDBOX_URL = "http://sandbox.chatwoot.invalid"
SANDBOX_TOKEN = ADMIN_TOKEN
SANDBOX_ACCOUNT = DEMO_ACCOUNT_ID


def sandbox_http_client(state: SandboxState | None = None) -> httpx2.AsyncClient:
    """An HTTP client whose requests are answered by a fresh demo sandbox (or `state`) in this process."""
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state or SandboxState.demo())))
