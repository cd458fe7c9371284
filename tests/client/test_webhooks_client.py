"""Account webhooks through the client, async and sync, against the sandbox: the CRUD calls and what they send,
Chatwoot's 422s and 401s as the client's errors, and the secret kept out of repr and dumps."""

from __future__ import annotations

import pytest

from chatwoot_client import ChatwootAuthError, ChatwootNotFoundError, ChatwootValidationError
from chatwoot_client.types import Webhook
from chatwoot_client.types.webhook import WEBHOOK_EVENTS
from chatwoot_sandbox import AGENT_TOKEN, API_INBOX_ID, DEMO_ACCOUNT_ID, SandboxState
from tests.client.conftest import AnyClient, Connect, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID
URL = "https://mcp.example.com/webhooks/chatwoot"


async def test_create_list_update_delete(client: AnyClient, state: SandboxState) -> None:
    assert await resolve(client.webhooks.list(ACCOUNT)) == []
    made = await resolve(client.webhooks.create(ACCOUNT, URL, ["message_created"], "MCP", inbox_id=API_INBOX_ID))
    assert state.requests[-1].json == {
        "webhook": {"url": URL, "subscriptions": ["message_created"], "name": "MCP", "inbox_id": API_INBOX_ID}
    }
    assert isinstance(made, Webhook) and made.subscriptions == ["message_created"] and made.name == "MCP"
    assert made.inbox is not None and made.inbox.id == API_INBOX_ID
    secret = made.secret
    assert secret is not None and secret == state.webhooks[made.id].secret and len(secret) == 24
    assert secret not in repr(made) and "secret" not in made.model_dump()
    [listed] = await resolve(client.webhooks.list(ACCOUNT))
    assert listed.id == made.id and listed.secret == made.secret
    changed = await resolve(
        client.webhooks.update(ACCOUNT, made.id, subscriptions=["message_created", "conversation_created"])
    )
    assert state.requests[-1].json == {"webhook": {"subscriptions": ["message_created", "conversation_created"]}}
    assert changed.subscriptions == ["message_created", "conversation_created"] and changed.secret == made.secret
    assert await resolve(client.webhooks.delete(ACCOUNT, made.id)) is None
    assert state.webhooks == {}
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.webhooks.delete(ACCOUNT, made.id))


async def test_default_subscriptions_are_chatwoots_eight(client: AnyClient, state: SandboxState) -> None:
    made = await resolve(client.webhooks.create(ACCOUNT, URL))
    assert state.requests[-1].json == {"webhook": {"url": URL}}
    assert made.subscriptions == list(WEBHOOK_EVENTS[:8]) and made.name is None


async def test_refusals_are_typed_errors(connect: Connect) -> None:
    admin = connect()
    await resolve(admin.webhooks.create(ACCOUNT, URL))
    with pytest.raises(ChatwootValidationError) as taken:
        await resolve(admin.webhooks.create(ACCOUNT, URL))
    assert taken.value.status_code == 422 and taken.value.description == "Url has already been taken"
    with pytest.raises(ChatwootValidationError) as invalid:
        await resolve(admin.webhooks.create(ACCOUNT, "mcp.example.com"))
    assert invalid.value.description == "Url is invalid" and "url" in str(invalid.value)
    with pytest.raises(ChatwootValidationError, match="Subscriptions Invalid events"):
        await resolve(admin.webhooks.create(ACCOUNT, URL + "/2", ["typing"]))
    with pytest.raises(TypeError):
        await resolve(admin.webhooks.create(ACCOUNT, URL + "/3", "message_created"))
    with pytest.raises(ValueError, match="nothing to update"):
        await resolve(admin.webhooks.update(ACCOUNT, 1))
    agent = connect(AGENT_TOKEN)
    with pytest.raises(ChatwootAuthError) as refused:
        await resolve(agent.webhooks.list(ACCOUNT))
    assert refused.value.status_code == 401 and refused.value.description == "You are not authorized to do this action"
