"""Participants (watchers): agents named as in assignment, and the truth read back after adding."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_sandbox import SandboxState

from .conftest import assert_refused, structured, writes


@pytest.mark.anyio
async def test_watchers_are_listed(client: Client) -> None:
    watching = structured(await client.call_tool("list_participants", {"conversation_id": 7}))["participants"]
    assert {person["id"] for person in watching} == {1, 5}


@pytest.mark.anyio
async def test_adding_watchers_by_name_or_email_reports_who_chatwoot_really_added(client: Client) -> None:
    change = structured(
        await client.call_tool("add_participants", {"conversation_id": 7, "agents": ["alex.kim@acme.example", 7]})
    )
    watching = {person["id"] for person in change["participants"]}
    assert 2 in change["added"] and 2 in watching
    assert change["not_added"] == [7]  # not in the inbox: Chatwoot skips it while echoing it back
    assert {1, 5} <= watching


@pytest.mark.anyio
async def test_an_ambiguous_watcher_is_refused_with_the_candidates(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("add_participants", {"conversation_id": 7, "agents": ["Alex"]})
    assert_refused(result, "Alex Kim", "Alex Morgan")
    assert writes(state) == []
