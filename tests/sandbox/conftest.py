"""Fixtures for the sandbox tests: a fresh demo state per test and a raw HTTP client over it (no chatwoot_client)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from chatwoot_sandbox import ADMIN_TOKEN, SandboxState, create_app


@pytest.fixture
def state() -> SandboxState:
    return SandboxState.demo()


@pytest.fixture
async def client(state: SandboxState) -> AsyncIterator[httpx2.AsyncClient]:
    """An admin client; pass `headers=` per request to act as someone else."""
    transport = httpx2.ASGITransport(app=create_app(state))
    async with httpx2.AsyncClient(
        transport=transport, base_url="http://sandbox", headers={"api_access_token": ADMIN_TOKEN}
    ) as http:
        yield http
