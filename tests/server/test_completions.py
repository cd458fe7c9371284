"""Completions: each kind of prompt and resource-template argument offers what it can be, filtered by what was
typed, at most 100 values, from the directory cache (so typing asks Chatwoot once a minute at most)."""

from __future__ import annotations

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import PromptReference, ResourceTemplateReference

from chatwoot_client import AsyncChatwootClient
from chatwoot_mcp.config import load_settings
from chatwoot_mcp.http.transports import http_app
from chatwoot_mcp.server import create_server
from chatwoot_sandbox import ADMIN_TOKEN, AGENT_TOKEN, AGENT_USER_ID, SandboxState, create_app
from chatwoot_sandbox.records import Label

from .conftest import SANDBOX_URL, connect, free_port, make_server
from .team_support import served

pytestmark = pytest.mark.anyio

TRANSCRIPT = ResourceTemplateReference(uri="chatwoot://conversations/{conversation_id}")
AGENTS = ResourceTemplateReference(uri="chatwoot://agents{?account_id}")


async def values(client: Client, ref: PromptReference | ResourceTemplateReference, name: str, typed: str) -> list[str]:
    result = await client.complete(ref, {"name": name, "value": typed})
    completion = result.completion
    assert len(completion.values) <= 100
    assert completion.total is not None and completion.total >= len(completion.values)
    return completion.values


def _sandbox(state: SandboxState) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))


def prompt(name: str) -> PromptReference:
    return PromptReference(name=name)


async def test_every_argument_kind_is_completed_from_what_chatwoot_has(mode: str) -> None:
    state = SandboxState.demo()
    labels = sorted(label.title for label in state.account_labels(1))
    agents = {user.name for user in state.users.values() if 1 in user.memberships}
    teams = {team.name for team in state.teams.values() if team.account_id == 1}
    inboxes = {inbox.name for inbox in state.account_inboxes(1)}
    async with connect(make_server(state), mode) as client:
        assert client.server_capabilities.completions is not None
        assert sorted(await values(client, prompt("triage_queue"), "label", "")) == labels
        assert set(await values(client, prompt("hand_over"), "agent", "")) == agents
        assert set(await values(client, prompt("hand_over"), "team", "")) == teams
        assert set(await values(client, prompt("triage_queue"), "inbox", "")) == inboxes
        canned = await values(client, prompt("draft_reply"), "canned_response", "")
        assert canned and all(" " not in code for code in canned)
        assert await values(client, AGENTS, "account_id", "") == ["1"]
        assert await values(client, prompt("summarise_conversation"), "unknown_argument", "") == []


async def test_conversation_ids_are_numbers_most_recent_first_with_no_customer_text(mode: str) -> None:
    state = SandboxState.demo()
    async with AsyncChatwootClient(SANDBOX_URL, ADMIN_TOKEN, http_client=_sandbox(state)) as chatwoot:
        recent = await chatwoot.conversations.list(1, status="all", sort_by="last_activity_at_desc")
    async with connect(make_server(state), mode) as client:
        offered = await values(client, TRANSCRIPT, "conversation_id", "")
        assert offered == [str(c.id) for c in recent]  # Chatwoot's order: the latest activity first
        assert all(value.isdigit() for value in offered)
        one = str(recent[0].id)
        assert one in await values(client, prompt("draft_reply"), "conversation_id", "#" + one[0])
        assert await values(client, prompt("draft_reply"), "conversation_id", "x") == []


async def test_what_was_typed_filters_by_prefix_ignoring_case(mode: str) -> None:
    state = SandboxState.demo()
    labels = [label.title for label in state.account_labels(1)]
    first = labels[0]
    async with connect(make_server(state), mode) as client:
        typed = first[:2].upper()
        expected = sorted(title for title in labels if title.lower().startswith(first[:2].lower()))
        assert sorted(await values(client, prompt("triage_queue"), "label", typed)) == expected
        assert await values(client, prompt("triage_queue"), "label", "zzz-no-such") == []


async def test_at_most_100_values_and_the_total_says_how_many_matched(mode: str) -> None:
    state = SandboxState.demo()
    for number in range(150):
        label_id = 1000 + number
        state.labels[label_id] = Label(label_id, 1, f"topic-{number:03d}", "", "#000000")
    async with connect(make_server(state), mode) as client:
        result = await client.complete(prompt("triage_queue"), {"name": "label", "value": "topic-"})
        assert len(result.completion.values) == 100
        assert result.completion.total == 150 and result.completion.has_more is True
        narrower = await values(client, prompt("triage_queue"), "label", "topic-14")
        assert narrower == [f"topic-{n}" for n in range(140, 150)]


async def test_completions_answer_from_the_cache_without_asking_chatwoot_again(mode: str) -> None:
    state = SandboxState.demo()
    async with connect(make_server(state), mode) as client:
        for tool in ("list_agents", "list_teams", "list_inboxes", "list_account_labels"):
            assert not (await client.call_tool(tool, {})).is_error
        seen = len(state.requests)
        for ref, name in (
            (prompt("hand_over"), "agent"),
            (prompt("hand_over"), "team"),
            (prompt("triage_queue"), "inbox"),
            (prompt("triage_queue"), "label"),
        ):
            for typed in ("", "a", "b"):
                await values(client, ref, name, typed)
        assert list(state.requests)[seen:] == []  # the tools' directory reads are the completions' too

        for ref, name in ((TRANSCRIPT, "conversation_id"), (prompt("draft_reply"), "canned_response")):
            seen = len(state.requests)
            await values(client, ref, name, "")
            assert len(state.requests) - seen == 1
            for typed in ("1", "2", ""):
                await values(client, ref, name, typed)
            assert len(state.requests) - seen == 1


async def test_with_per_user_tokens_a_completion_offers_what_chatwoot_shows_that_user() -> None:
    state = SandboxState.demo()
    settings = load_settings(
        {"CHATWOOT_BASE_URL": SANDBOX_URL, "CHATWOOT_ACCOUNT_ID": "1", "CHATWOOT_MCP_AUTH": "chatwoot-token"},
        transport="streamable-http",
        port=free_port(),
    )
    offered: dict[str, set[str]] = {}
    http = _sandbox(state)
    app = http_app(create_server(settings, shared_http=http), settings, http)
    async with http, served(app, settings.port, lifespan="on") as base:
        for token in (AGENT_TOKEN, ADMIN_TOKEN):
            headers = {"Authorization": f"Bearer {token}"}
            async with (
                httpx2.AsyncClient(headers=headers, timeout=20) as user_http,
                Client(streamable_http_client(f"{base}/mcp", http_client=user_http), cache=None) as client,
            ):
                offered[token] = set(await values(client, prompt("triage_queue"), "inbox", ""))
    agent_inboxes = {i.name for i in state.account_inboxes(1) if AGENT_USER_ID in i.member_ids}
    assert offered[AGENT_TOKEN] == agent_inboxes
    assert offered[ADMIN_TOKEN] == {i.name for i in state.account_inboxes(1)} > agent_inboxes
