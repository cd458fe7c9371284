"""get_counts from a short cache: Chatwoot (4.12+) allows /conversations/meta 30 times a minute per user, and the
result says how old cached counts are."""

from __future__ import annotations

import time

import pytest
from mcp import Client

import chatwoot_mcp.guards.counts as counts
from chatwoot_sandbox import SandboxState

from .conftest import structured, text_of
from .hunt_support import without_retry_waits

pytestmark = pytest.mark.anyio


def metas(state: SandboxState) -> int:
    return sum(1 for r in state.requests if r.path.endswith("/conversations/meta"))


async def test_repeats_within_the_throttle_are_served_from_the_cache(client: Client, state: SandboxState) -> None:
    first = await client.call_tool("get_counts", {})
    assert "age_seconds" not in structured(first) and "as of" not in text_of(first)
    again = first
    for _ in range(40):  # more than Chatwoot's 30 a minute
        again = await client.call_tool("get_counts", {})
        assert not again.is_error, text_of(again)
    assert metas(state) == 1
    assert structured(again)["all_count"] == structured(first)["all_count"]
    assert structured(again)["age_seconds"] >= 0 and " s ago)" in text_of(again)
    await client.call_tool("get_counts", {"status": "pending"})
    await client.call_tool("get_counts", {"labels": ["billing"]})
    assert metas(state) == 3, "each filter has counts of its own"


async def test_old_counts_are_asked_again_and_kept_for_a_throttled_answer(
    client: Client, state: SandboxState, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_retry_waits(monkeypatch)
    await client.call_tool("get_counts", {})
    later = time.time() + counts.COUNTS_FRESH + 5
    monkeypatch.setattr(counts.time, "time", lambda: later)
    await client.call_tool("get_counts", {})
    assert metas(state) == 2, "older than COUNTS_FRESH: asked again"
    state.meta_throttle = 0  # Chatwoot now answers every count with rack-attack's 429
    monkeypatch.setattr(counts.time, "time", lambda: later + counts.COUNTS_FRESH + 20)
    throttled = await client.call_tool("get_counts", {})
    assert not throttled.is_error, text_of(throttled)
    assert "Chatwoot allows 30 counts a minute" in text_of(throttled)
    assert structured(throttled)["age_seconds"] >= counts.COUNTS_FRESH
    fresh_filter = await client.call_tool("get_counts", {"status": "resolved"})  # nothing kept to answer with
    assert fresh_filter.is_error and "429" in text_of(fresh_filter)


async def test_counts_are_kept_per_user(state: SandboxState) -> None:
    from chatwoot_client import AsyncChatwootClient
    from chatwoot_mcp.context import ToolContext
    from chatwoot_mcp.identity import Identity
    from tests.server.conftest import make_settings

    async with AsyncChatwootClient("http://sandbox", "t") as client:
        tools = ToolContext.create(client, make_settings())
    filters: dict[str, object] = {"status": "open"}
    anonymous = counts._key(tools, 1, filters)
    tools.identity = Identity(4, "Priya")
    priya = counts._key(tools, 1, filters)
    tools.identity = Identity(1, "Dana")
    assert len({anonymous, priya, counts._key(tools, 1, filters), counts._key(tools, 2, filters)}) == 4
