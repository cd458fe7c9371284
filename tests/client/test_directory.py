"""Profile, agents, teams, inboxes and account labels against the sandbox, and who may see what."""

from __future__ import annotations

import pytest

from chatwoot_client import ChatwootAuthError, ChatwootNotFoundError
from chatwoot_client.types import Agent, Inbox, Label, Profile, Team
from chatwoot_sandbox import (
    ADMIN_TOKEN,
    ADMIN_USER_ID,
    AGENT_TOKEN,
    BOT_TOKEN,
    DEMO_ACCOUNT_ID,
    EMAIL_CONVERSATION_ID,
    SECOND_ACCOUNT_ID,
    SandboxState,
)
from tests.client.conftest import AnyClient, Connect, resolve, user_with_token

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID


async def test_profile_is_the_tokens_user_with_their_accounts(client: AnyClient, state: SandboxState) -> None:
    profile = await resolve(client.profile.get())

    admin = state.users[ADMIN_USER_ID]
    assert isinstance(profile, Profile)
    assert (profile.id, profile.name, profile.email) == (admin.id, admin.name, admin.email)
    assert {(a.id, a.role) for a in profile.accounts} == {
        (account_id, membership.role) for account_id, membership in admin.memberships.items()
    }
    assert {a.name for a in profile.accounts} == {state.accounts[i].name for i in admin.memberships}
    assert state.requests[-1].path == "/api/v1/profile"


async def test_profile_keeps_the_echoed_token_out_of_repr_and_dumps(client: AnyClient) -> None:
    # Chatwoot's /profile answer includes the user's access_token; it must not spread from there.
    profile = await resolve(client.profile.get())
    assert profile.access_token == ADMIN_TOKEN
    for text in (repr(profile), str(profile), profile.model_dump_json(), repr(profile.model_dump())):
        assert ADMIN_TOKEN not in text
        assert "pubsub" not in text


async def test_agents_are_the_accounts_users(client: AnyClient, state: SandboxState) -> None:
    agents = await resolve(client.agents.list(ACCOUNT))

    assert all(isinstance(a, Agent) for a in agents)
    assert sorted(a.id for a in agents) == sorted(u.id for u in state.account_users(ACCOUNT))
    roles = {a.id: a.role for a in agents}
    assert roles[ADMIN_USER_ID] == "administrator"
    assert set(roles.values()) == {"administrator", "agent"}
    assert [a.name for a in agents] == sorted((a.name for a in agents), key=str.lower)


async def test_agents_of_the_second_account(client: AnyClient, state: SandboxState) -> None:
    agents = await resolve(client.agents.list(SECOND_ACCOUNT_ID))
    assert sorted(a.id for a in agents) == sorted(u.id for u in state.account_users(SECOND_ACCOUNT_ID))
    assert {a.id for a in agents} != {u.id for u in state.account_users(ACCOUNT)}


async def test_teams(client: AnyClient, state: SandboxState) -> None:
    teams = await resolve(client.teams.list(ACCOUNT))

    assert all(isinstance(t, Team) for t in teams)
    assert [(t.id, t.name, t.allow_auto_assign) for t in teams] == [
        (t.id, t.name, t.allow_auto_assign) for t in state.account_teams(ACCOUNT)
    ]


async def test_inboxes_for_an_administrator_are_all_of_them(client: AnyClient, state: SandboxState) -> None:
    inboxes = await resolve(client.inboxes.list(ACCOUNT))

    assert all(isinstance(i, Inbox) for i in inboxes)
    assert [(i.id, i.name, i.channel_type) for i in inboxes] == [
        (i.id, i.name, i.channel_type) for i in state.account_inboxes(ACCOUNT)
    ]


async def test_inboxes_for_an_agent_are_only_their_own(connect: Connect, state: SandboxState) -> None:
    agent = user_with_token(state, AGENT_TOKEN)
    mine = [i.id for i in state.account_inboxes(ACCOUNT) if agent.id in i.member_ids]
    assert 0 < len(mine) < len(state.account_inboxes(ACCOUNT))

    inboxes = await resolve(connect(AGENT_TOKEN).inboxes.list(ACCOUNT))

    assert [i.id for i in inboxes] == mine


async def test_account_labels(client: AnyClient, state: SandboxState) -> None:
    labels = await resolve(client.labels.list(ACCOUNT))

    assert all(isinstance(label, Label) for label in labels)
    assert [(label.title, label.color) for label in labels] == [
        (label.title, label.color) for label in state.account_labels(ACCOUNT)
    ]


# --- who may call what ---------------------------------------------------------------------------------------------


async def test_an_unknown_token_is_an_auth_error(connect: Connect, state: SandboxState) -> None:
    client = connect("tok-CANARY-123")

    with pytest.raises(ChatwootAuthError) as caught:
        await resolve(client.conversations.list(ACCOUNT))

    assert caught.value.status_code == 401
    assert caught.value.description == "Invalid Access Token"
    assert "tok-CANARY-123" not in str(caught.value)
    assert len(state.requests) == 1  # an auth failure is not retried


async def test_a_blank_token_gets_the_devise_message(connect: Connect) -> None:
    with pytest.raises(ChatwootAuthError) as caught:
        await resolve(connect("").profile.get())
    assert caught.value.description == "You need to sign in or sign up before continuing."


async def test_an_account_the_user_is_not_in(connect: Connect, state: SandboxState) -> None:
    assert SECOND_ACCOUNT_ID not in user_with_token(state, AGENT_TOKEN).memberships
    with pytest.raises(ChatwootAuthError, match="not authorized to access this account"):
        await resolve(connect(AGENT_TOKEN).agents.list(SECOND_ACCOUNT_ID))


async def test_an_account_that_does_not_exist(client: AnyClient) -> None:
    with pytest.raises(ChatwootNotFoundError, match="Resource could not be found"):
        await resolve(client.teams.list(999))


async def test_a_conversation_the_agent_cannot_see(connect: Connect) -> None:
    with pytest.raises(ChatwootAuthError, match="not authorized to do this action"):
        await resolve(connect(AGENT_TOKEN).conversations.get(ACCOUNT, EMAIL_CONVERSATION_ID))


async def test_a_bot_token_cannot_read(connect: Connect) -> None:
    with pytest.raises(ChatwootAuthError, match="not authorized for bots"):
        await resolve(connect(BOT_TOKEN).conversations.list(ACCOUNT))
