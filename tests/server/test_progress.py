"""Progress on long calls: pages read as MCP progress notifications, nothing without a token, and a cancel that
stops the walk's requests to Chatwoot at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ProgressNotification

from chatwoot_mcp.edges import progress as walks
from chatwoot_sandbox import LONG_CONVERSATION_ID, SandboxState

from .conftest import ASGIApp, connect, http_server, make_server, structured, text_of
from .team_support import served

WHOLE_HISTORY = {
    "conversation_id": LONG_CONVERSATION_ID,
    "all_history": True,
    "include_activity": True,
    "max_bytes": 400_000,
}
"""All 300 messages of the longest sandbox conversation: 15 full pages and the empty one that proves the start."""
EVERY_CONVERSATION = {"conditions": [{"attribute_key": "status", "filter_operator": "equal_to", "values": ["all"]}]}


class Progress:
    """A progress callback that records every notification."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, float | None, str | None]] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.seen.append((progress, total, message))

    def values(self) -> list[float]:
        return [progress for progress, _, _ in self.seen]


def message_gets(state: SandboxState) -> int:
    return sum(1 for r in state.requests if r.method == "GET" and r.path.endswith("/messages"))


@pytest.mark.anyio
async def test_a_history_walk_reports_each_page_against_an_estimated_total(client: Client, state: SandboxState) -> None:
    progress = Progress()
    result = await client.call_tool("list_messages", WHOLE_HISTORY, progress_callback=progress)
    assert structured(result)["complete"] is True
    assert progress.values() == list(range(1, 17))  # one notification per page, always increasing
    assert message_gets(state) == 16
    *walking, (last, last_total, last_message) = progress.seen
    for done, total, message in walking:
        # Before the start is reached the length is unknown: the total is the budget's estimate, and says so.
        assert total is not None and total > done, (done, total)
        assert message == f"list_messages: read page {int(done)} of about {int(total)}"
    assert (last, last_total, last_message) == (16, 16, "list_messages: read page 16 of 16")


@pytest.mark.anyio
async def test_a_filter_walk_reports_pages_against_the_known_total(client: Client, state: SandboxState) -> None:
    progress = Progress()
    result = await client.call_tool(
        "filter_conversations", {**EVERY_CONVERSATION, "pages": 3}, progress_callback=progress
    )
    data = structured(result)
    # Chatwoot counts every match, so the total is known from the first page on and never changes.
    assert progress.seen == [(n, 3, f"filter_conversations: read page {n} of 3") for n in (1, 2, 3)]
    ids = [c["id"] for c in data["conversations"]]
    assert len(ids) == len(set(ids)) == 75
    assert data["total"] == 100 and data["next_page"] == 4
    assert "pages 1-3, 75 shown of 100" in text_of(result)
    assert [r.method for r in state.requests if r.path.endswith("/filter")] == ["POST"] * 3


@pytest.mark.anyio
async def test_a_filter_walk_stops_at_the_last_page(client: Client, state: SandboxState) -> None:
    progress = Progress()
    result = await client.call_tool(
        "filter_conversations", {**EVERY_CONVERSATION, "page": 3, "pages": 10}, progress_callback=progress
    )
    data = structured(result)
    assert progress.seen == [
        (1, 2, "filter_conversations: read page 1 of 2"),
        (2, 2, "filter_conversations: read page 2 of 2"),
    ]
    assert len(data["conversations"]) == 50 and "next_page" not in data
    assert "pages 3-4, 50 shown of 100" in text_of(result)


@pytest.mark.anyio
async def test_a_search_walk_estimates_its_total_until_a_short_page(client: Client, state: SandboxState) -> None:
    progress = Progress()
    result = await client.call_tool("search_conversations", {"q": "order", "pages": 5}, progress_callback=progress)
    data = structured(result)
    # Chatwoot's search gives no count: the pages asked for are the estimate, until a short page ends the walk.
    assert progress.seen == [
        (1, 5, "search_conversations: read page 1 of about 5"),
        (2, 2, "search_conversations: read page 2 of 2"),
    ]
    assert len({hit["id"] for hit in data["results"]}) == len(data["results"]) == 36
    assert "next_page" not in data
    assert "pages 1-2, 36 conversations; last page" in text_of(result)
    assert [r.method for r in state.requests if r.path.endswith("/search")] == ["GET"] * 2


@pytest.mark.anyio
async def test_without_a_progress_token_nothing_is_sent(state: SandboxState) -> None:
    """On the wire (the legacy era's JSON-RPC), a call without a token gets no progress notification at all."""
    notifications: list[Any] = []

    async def record(message: Any) -> None:
        notifications.append(message)

    async with Client(make_server(state), mode="legacy", cache=None, message_handler=record) as session:
        quiet = await session.call_tool("list_messages", WHOLE_HISTORY)
        assert notifications == []
        await session.call_tool("list_messages", WHOLE_HISTORY, progress_callback=Progress())
    assert structured(quiet)["complete"] is True
    assert sum(isinstance(n, ProgressNotification) for n in notifications) == 16  # the same walk, with a token


class SlowChatwoot:
    """Wraps the sandbox app: each page of messages takes 100 ms, so that a walk is still going when cancelled."""

    def __init__(self) -> None:
        self.started = 0
        """Pages of messages asked for so far."""

    def __call__(self, app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"].endswith("/messages"):
                self.started += 1
                await anyio.sleep(0.1)
            await app(scope, receive, send)

        return wrapped


async def cancel_mid_walk(session: Client, chatwoot: SlowChatwoot) -> None:
    """Start a whole-history walk, cancel it once page 3 is reported, and check that no further page is asked for."""
    at_cancel: list[int] = []
    with anyio.CancelScope() as scope:

        async def cancel_after_three(progress: float, total: float | None, message: str | None) -> None:
            if progress >= 3 and not at_cancel:
                at_cancel.append(chatwoot.started)
                scope.cancel()

        await session.call_tool("list_messages", WHOLE_HISTORY, progress_callback=cancel_after_three)
    assert scope.cancelled_caught
    await anyio.sleep(1.0)  # ten pages' time: a walk still going would have asked for more
    assert chatwoot.started <= at_cancel[0] + 1, (at_cancel, chatwoot.started)  # at most the page in flight
    assert chatwoot.started < 16
    # The session is still usable after the cancel.
    assert structured(await session.call_tool("list_messages", {"conversation_id": LONG_CONVERSATION_ID}))


@pytest.mark.anyio
async def test_cancelling_mid_walk_stops_the_requests_to_chatwoot(
    mode: str, anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The client cancels after page 3 (legacy: `notifications/cancelled`; 2026 era: the call's scope): the page
    in flight is abandoned and no further page is asked for."""
    caplog.set_level(logging.INFO, logger="chatwoot_mcp")
    chatwoot = SlowChatwoot()
    async with connect(make_server(SandboxState.demo(), wrap_app=chatwoot), mode) as session:
        await cancel_mid_walk(session, chatwoot)
    assert any("list_messages cancelled after" in r.getMessage() for r in caplog.records), caplog.text


@pytest.mark.anyio
async def test_cancelling_over_streamable_http(mode: str, anyio_backend: str) -> None:
    """The same over a real loopback HTTP server (legacy: a POSTed `notifications/cancelled`; 2026 era: the
    client closes the call's response stream)."""
    chatwoot = SlowChatwoot()
    server = make_server(SandboxState.demo(), wrap_app=chatwoot)
    async with (
        served(server.streamable_http_app()) as base,
        Client(f"{base}/mcp", mode=mode, cache=None) as session,
    ):
        await cancel_mid_walk(session, chatwoot)


@pytest.mark.anyio
async def test_a_walk_out_of_time_returns_what_it_read_cut(
    client: Client, state: SandboxState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host that gives up on a slow call gets nothing back, so the walk stops itself first, and says how to go on."""
    monkeypatch.setattr(walks, "WALK_SECONDS", 0.0)
    result = await client.call_tool("list_messages", WHOLE_HISTORY)
    data = structured(result)
    assert message_gets(state) == 1
    assert data["cut"] is True and data["complete"] is False
    assert len(data["messages"]) == 20
    assert data["next_before"] == data["messages"][0]["id"]
    assert data["cut_reason"] == (
        "read for 0 s, the longest one call reads; the newest 20 messages are shown. "
        f"Call again with before={data['next_before']} to continue."
    )
    filtered = await client.call_tool("filter_conversations", {**EVERY_CONVERSATION, "pages": 3})
    assert structured(filtered)["next_page"] == 2
    assert "page 1, 25 shown of 100" in text_of(filtered)
    assert [r.method for r in state.requests if r.path.endswith("/filter")] == ["POST"]


@pytest.mark.anyio
async def test_progress_over_streamable_http(tmp_path: Path) -> None:
    """Once over a real transport: the notifications reach a client of a `chatwoot-mcp --sandbox` subprocess."""
    progress = Progress()
    async with http_server(tmp_path, "streamable-http") as server, Client(f"{server.base}/mcp", cache=None) as session:
        result = await session.call_tool("list_messages", WHOLE_HISTORY, progress_callback=progress)
    assert structured(result)["complete"] is True
    assert progress.values() == list(range(1, 17))
    assert progress.seen[-1] == (16, 16, "list_messages: read page 16 of 16")
