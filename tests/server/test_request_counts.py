"""Each write tool makes the fewest Chatwoot requests that keep it safe, with the directory already cached.

Every extra round trip is latency a user waits for and load on their Chatwoot; every missing one is a check not
made. The numbers are the minimum for each guarantee: ids are checked against the (cached) directory, one write
per change, and one read only where Chatwoot's answer to the write does not already show the result.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from chatwoot_sandbox import SandboxState

from .conftest import connect, make_server, text_of

CONVERSATION = 3


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("assign_conversation", {"agent": 2}, ["POST assignments", "GET conversation"]),
        ("assign_conversation", {"agent": 3, "team": 1}, ["POST assignments", "POST assignments", "GET conversation"]),
        ("add_labels", {"labels": ["vip"]}, ["GET labels", "POST labels"]),
        ("remove_labels", {"labels": ["billing"]}, ["GET labels", "POST labels"]),
        ("set_labels", {"labels": ["vip"], "confirm": True}, ["GET labels", "POST labels"]),
        ("update_custom_attributes", {"attributes": {"plan": "pro"}}, ["GET conversation", "POST custom_attributes"]),
        ("toggle_status", {"status": "pending"}, ["POST toggle_status"]),
        ("set_priority", {"priority": "high"}, ["PATCH conversation"]),
        ("update_conversation", {"status": "pending", "priority": "low"}, ["POST toggle_status", "PATCH conversation"]),
        ("add_private_note", {"content": "checked the invoice"}, ["POST messages"]),
        ("send_reply", {"content": "Your refund is on its way.", "confirm": True}, ["POST messages"]),
    ],
)
async def test_requests_per_write(tool: str, arguments: dict[str, Any], expected: list[str]) -> None:
    state = SandboxState.demo()
    async with connect(make_server(state), "auto") as client:
        await _warm_directory(client)
        seen = len(state.requests)
        result = await client.call_tool(tool, {"conversation_id": CONVERSATION, **arguments})
    assert not result.is_error, text_of(result)
    assert [_name(r.method, r.path) for r in list(state.requests)[seen:]] == expected


@pytest.mark.anyio
async def test_an_add_that_changes_nothing_reads_once() -> None:
    state = SandboxState.demo()
    async with connect(make_server(state), "auto") as client:
        await _warm_directory(client)
        await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": ["billing"]})
        seen = len(state.requests)
        again = await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": ["billing"]})
    assert (again.structured_content or {})["written"] is False
    assert [_name(r.method, r.path) for r in list(state.requests)[seen:]] == ["GET labels"]


async def _warm_directory(client: Client) -> None:
    for name in ("list_agents", "list_teams", "list_account_labels"):
        assert not (await client.call_tool(name, {})).is_error


def _name(method: str, path: str) -> str:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return f"{method} {'conversation' if last.isdigit() else last}"
