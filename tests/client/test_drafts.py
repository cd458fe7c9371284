"""A conversation's draft against the sandbox, async and sync: read, save (replace), delete."""

from __future__ import annotations

import pytest

from chatwoot_client import ChatwootNotFoundError
from chatwoot_client.types import Draft
from chatwoot_sandbox import DEMO_ACCOUNT_ID, SandboxState
from tests.client.conftest import AnyClient, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID
CONVERSATION = 3


async def test_save_then_get_then_delete(client: AnyClient, state: SandboxState) -> None:
    assert await resolve(client.conversations.draft.get(ACCOUNT, CONVERSATION)) == Draft(has_draft=False)
    assert await resolve(client.conversations.draft.save(ACCOUNT, CONVERSATION, "Hi, refund sent.")) is None
    sent = state.requests[-1]
    assert (sent.method, sent.path) == ("PUT", "/api/v1/accounts/1/conversations/3/draft_messages")
    assert sent.json == {"draft_message": {"message": "Hi, refund sent."}}
    draft = await resolve(client.conversations.draft.get(ACCOUNT, CONVERSATION))
    assert (draft.has_draft, draft.message) == (True, "Hi, refund sent.")

    await resolve(client.conversations.draft.save(ACCOUNT, CONVERSATION, "Second"))
    assert state.conversation(ACCOUNT, CONVERSATION).draft_message == "Second", "a save replaces, whoever wrote it"
    await resolve(client.conversations.draft.delete(ACCOUNT, CONVERSATION))
    assert state.conversation(ACCOUNT, CONVERSATION).draft_message is None
    await resolve(client.conversations.draft.delete(ACCOUNT, CONVERSATION))  # none left: still fine


async def test_unknown_conversation_is_404(client: AnyClient) -> None:
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.conversations.draft.get(ACCOUNT, 9999))
