"""A contact's labels against the sandbox, async and sync. `contacts.labels.add` REPLACES the set, as Chatwoot does."""

from __future__ import annotations

import pytest

from chatwoot_client import ChatwootNotFoundError
from chatwoot_sandbox import DEMO_ACCOUNT_ID, VIP_CONTACT_ID, SandboxState
from tests.client.conftest import AnyClient, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID


async def test_list_returns_the_contacts_labels(client: AnyClient, state: SandboxState) -> None:
    assert await resolve(client.contacts.labels.list(ACCOUNT, VIP_CONTACT_ID)) == ["vip", "billing"]
    assert await resolve(client.contacts.labels.list(ACCOUNT, 2)) == []
    assert state.requests[-1].path.endswith("/contacts/2/labels")


async def test_add_replaces_the_whole_set_without_checking_definitions(client: AnyClient, state: SandboxState) -> None:
    returned = await resolve(client.contacts.labels.add(ACCOUNT, VIP_CONTACT_ID, ["not-a-defined-label"]))

    assert returned == ["not-a-defined-label"]
    assert state.contacts[VIP_CONTACT_ID].labels == ["not-a-defined-label"]
    assert state.requests[-1].json == {"labels": ["not-a-defined-label"]}


async def test_add_with_an_empty_list_clears_them(client: AnyClient, state: SandboxState) -> None:
    assert await resolve(client.contacts.labels.add(ACCOUNT, VIP_CONTACT_ID, [])) == []
    assert state.contacts[VIP_CONTACT_ID].labels == []


async def test_adding_means_sending_the_union(client: AnyClient) -> None:
    current = await resolve(client.contacts.labels.list(ACCOUNT, VIP_CONTACT_ID))
    returned = await resolve(client.contacts.labels.add(ACCOUNT, VIP_CONTACT_ID, [*current, "churn-risk"]))
    assert returned == ["vip", "billing", "churn-risk"]


async def test_one_string_is_refused_and_unknown_contacts_404(client: AnyClient) -> None:
    with pytest.raises(TypeError):
        await resolve(client.contacts.labels.add(ACCOUNT, VIP_CONTACT_ID, "vip"))  # type: ignore[arg-type]
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.contacts.labels.list(ACCOUNT, 99_999))
