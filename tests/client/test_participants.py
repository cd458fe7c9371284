"""A conversation's participants (watchers) against the sandbox, async and sync."""

from __future__ import annotations

import pytest

from chatwoot_client import ChatwootNotFoundError, ChatwootServerError
from chatwoot_client.types import Agent
from chatwoot_sandbox import ADMIN_USER_ID, AGENT_TOKEN, DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID, SandboxState
from tests.client.conftest import AnyClient, Connect, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID
WATCHED = LONG_CONVERSATION_ID  # Website chat inbox (members 2-6); watched by the administrator and user 5
OUTSIDER = 7  # an agent who is not a member of the Website chat inbox


async def test_list_returns_the_watching_agents(client: AnyClient) -> None:
    watchers = await resolve(client.conversations.participants.list(ACCOUNT, WATCHED))
    assert all(isinstance(a, Agent) for a in watchers)
    assert [a.id for a in watchers] == [ADMIN_USER_ID, 5]


async def test_add_returns_only_the_new_ones(client: AnyClient, state: SandboxState) -> None:
    added = await resolve(client.conversations.participants.add(ACCOUNT, WATCHED, [5, 2]))

    assert [a.id for a in added] == [2]
    assert state.conversation(ACCOUNT, WATCHED).participant_ids == [ADMIN_USER_ID, 5, 2]
    assert state.requests[-1].json == {"user_ids": [5, 2]}


async def test_add_echoes_an_agent_it_silently_skipped(client: AnyClient, state: SandboxState) -> None:
    added = await resolve(client.conversations.participants.add(ACCOUNT, WATCHED, [OUTSIDER]))

    assert [a.id for a in added] == [OUTSIDER], "Chatwoot answers as if it had added them"
    listed = await resolve(client.conversations.participants.list(ACCOUNT, WATCHED))
    assert OUTSIDER not in {a.id for a in listed}


async def test_remove_ignores_ids_not_watching(client: AnyClient, state: SandboxState) -> None:
    assert await resolve(client.conversations.participants.remove(ACCOUNT, WATCHED, [5, 8])) is None
    assert state.conversation(ACCOUNT, WATCHED).participant_ids == [ADMIN_USER_ID]


async def test_agents_may_add_other_agents_and_unknown_users_are_a_500(connect: Connect) -> None:
    agent = connect(AGENT_TOKEN)
    assert [a.id for a in await resolve(agent.conversations.participants.add(ACCOUNT, WATCHED, [3]))] == [3]
    with pytest.raises(ChatwootServerError):
        await resolve(agent.conversations.participants.add(ACCOUNT, WATCHED, [999]))


async def test_bad_ids_are_refused_before_sending(client: AnyClient, state: SandboxState) -> None:
    with pytest.raises(TypeError):
        await resolve(client.conversations.participants.add(ACCOUNT, WATCHED, 5))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await resolve(client.conversations.participants.remove(ACCOUNT, WATCHED, ["5"]))  # type: ignore[list-item]
    assert len(state.requests) == 0
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.conversations.participants.list(ACCOUNT, 99_999))
