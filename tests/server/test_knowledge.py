"""The knowledge toolset: canned responses the model can quote from."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_sandbox import SandboxState

from .conftest import structured, text_of


@pytest.mark.anyio
async def test_canned_responses_are_listed_and_searched(client: Client, state: SandboxState) -> None:
    every = structured(await client.call_tool("list_canned_responses", {}))["responses"]
    refund = await client.call_tool("list_canned_responses", {"q": "refund"})
    found = structured(refund)["responses"]
    assert len(every) > len(found) >= 1
    assert found[0]["short_code"] == "refund"
    assert "{{contact.name}}" in found[0]["content"]  # placeholders stay for Chatwoot to fill
    assert "/refund" in text_of(refund)
    assert all(request.method == "GET" for request in state.requests)
