"""A conversation's labels against the sandbox, async and sync. `labels.add` REPLACES the set, as Chatwoot does."""

from __future__ import annotations

import pytest

from chatwoot_client import ChatwootNotFoundError
from chatwoot_sandbox import DEMO_ACCOUNT_ID, SandboxState
from tests.client.conftest import AnyClient, pick, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID


async def test_list_returns_the_conversations_labels(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: len(c.labels) >= 2)

    labels = await resolve(client.conversations.labels.list(ACCOUNT, record.display_id))

    assert labels == record.labels
    assert state.requests[-1].path.endswith(f"/conversations/{record.display_id}/labels")


async def test_list_of_an_unlabelled_conversation_is_empty(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: not c.labels)
    assert await resolve(client.conversations.labels.list(ACCOUNT, record.display_id)) == []


async def test_add_replaces_the_whole_set(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: len(c.labels) >= 2)
    old = list(record.labels)

    returned = await resolve(client.conversations.labels.add(ACCOUNT, record.display_id, ["escalated"]))

    assert returned == ["escalated"]
    assert await resolve(client.conversations.labels.list(ACCOUNT, record.display_id)) == ["escalated"]
    assert record.labels == ["escalated"]
    assert not set(old) & set(returned), "labels not in the new list must be gone"
    conversation = await resolve(client.conversations.get(ACCOUNT, record.display_id))
    assert conversation.labels == ["escalated"]
    assert state.requests[0].json == {"labels": ["escalated"]}


async def test_adding_to_the_set_means_sending_the_union(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: bool(c.labels))
    current = await resolve(client.conversations.labels.list(ACCOUNT, record.display_id))

    returned = await resolve(client.conversations.labels.add(ACCOUNT, record.display_id, [*current, "escalated"]))

    assert returned == [*current, "escalated"]
    assert record.labels == [*current, "escalated"]


async def test_add_an_empty_list_clears_every_label(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: bool(c.labels))

    assert await resolve(client.conversations.labels.add(ACCOUNT, record.display_id, [])) == []

    assert record.labels == []
    assert state.requests[0].json == {"labels": []}


async def test_add_accepts_labels_the_account_does_not_define(client: AnyClient, state: SandboxState) -> None:
    defined = {label.title for label in state.account_labels(ACCOUNT)}
    record = pick(state, lambda c: True)
    assert "made-up-label" not in defined

    assert await resolve(client.conversations.labels.add(ACCOUNT, record.display_id, ["made-up-label"])) == [
        "made-up-label"
    ]


async def test_add_refuses_a_single_string(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: bool(c.labels))
    old = list(record.labels)

    with pytest.raises(TypeError, match="list of strings"):
        await resolve(client.conversations.labels.add(ACCOUNT, record.display_id, "billing"))  # pyright: ignore[reportArgumentType]  # the mistake under test

    assert state.requests == []
    assert record.labels == old


async def test_labels_of_an_unknown_conversation_are_not_found(client: AnyClient) -> None:
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.conversations.labels.list(ACCOUNT, 99_999))
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.conversations.labels.add(ACCOUNT, 99_999, ["x"]))
