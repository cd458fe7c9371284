"""Contacts against the sandbox, async and sync: list, search (both response eras), get, conversations, filter."""

from __future__ import annotations

import pytest

from chatwoot_client import ChatwootNotFoundError, ChatwootServerError, ChatwootValidationError
from chatwoot_client.types import Contact, ContactList, Conversation
from chatwoot_sandbox import (
    AGENT_TOKEN,
    BLOCKED_CONTACT_ID,
    DEMO_ACCOUNT_ID,
    EMAIL_ONLY_CONTACT_ID,
    IDENTIFIER_CONTACT_ID,
    SECOND_ACCOUNT_ID,
    VIP_CONTACT_ID,
    VISITOR_CONTACT_ID,
    SandboxState,
)
from tests.client.conftest import AnyClient, Connect, Reply, Script, mock_client, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID


def _account_contacts(state: SandboxState) -> list[int]:
    return sorted(c.id for c in state.contacts.values() if c.account_id == ACCOUNT)


async def test_list_pages_resolved_contacts_by_15_with_the_total(client: AnyClient, state: SandboxState) -> None:
    resolved = [i for i in _account_contacts(state) if state.contacts[i].resolved]

    first = await resolve(client.contacts.list(ACCOUNT))
    last = await resolve(client.contacts.list(ACCOUNT, page=(len(resolved) + 14) // 15))

    assert isinstance(first, ContactList) and all(isinstance(c, Contact) for c in first)
    assert [c.id for c in first] == resolved[:15]
    assert first.total == len(resolved) and first.has_more and first.page == 1
    assert not last.has_more and last
    assert VISITOR_CONTACT_ID not in resolved, "an unresolved visitor is never listed"
    assert first[0].contact_inboxes or any(c.contact_inboxes for c in first)


async def test_list_sorts_and_filters_by_labels(client: AnyClient) -> None:
    by_name = await resolve(client.contacts.list(ACCOUNT, sort="name"))
    names = [(c.name or "").lower() for c in by_name]
    assert names == sorted(names)
    vip = await resolve(client.contacts.list(ACCOUNT, labels=["vip", "churn-risk"]))
    assert {c.id for c in vip} == {4, VIP_CONTACT_ID, BLOCKED_CONTACT_ID}


async def test_search_matches_names_of_every_contact_with_has_more(client: AnyClient, state: SandboxState) -> None:
    found = await resolve(client.contacts.search(ACCOUNT, "ethan"))

    ids = {c.id for c in found}
    assert {1, VISITOR_CONTACT_ID, IDENTIFIER_CONTACT_ID} <= ids, "search also finds unresolved visitors"
    assert found.has_more is False and found.total is None and found.page == 1
    assert dict(state.requests[-1].query) == {"q": "ethan", "page": "1"}


async def test_search_pages_with_has_more_and_a_string_current_page(client: AnyClient) -> None:
    first = await resolve(client.contacts.search(ACCOUNT, "@"))
    second = await resolve(client.contacts.search(ACCOUNT, "@", page=2))

    assert len(first) == 15 and first.has_more
    assert second.page == 2 and not {c.id for c in first} & {c.id for c in second}


async def test_search_identifier_is_case_sensitive_and_email_is_not(client: AnyClient) -> None:
    assert [c.id for c in await resolve(client.contacts.search(ACCOUNT, "CRM-Park"))] == [IDENTIFIER_CONTACT_ID]
    assert [c.id for c in await resolve(client.contacts.search(ACCOUNT, "crm-park"))] == []
    email_only = await resolve(client.contacts.search(ACCOUNT, "NORTHWIND-traders"))
    assert [c.id for c in email_only] == [EMAIL_ONLY_CONTACT_ID]
    assert email_only[0].name == "" and email_only[0].phone_number is None


async def test_search_refuses_blank_text_and_pages_below_one_without_a_request(
    client: AnyClient, state: SandboxState
) -> None:
    with pytest.raises(ValueError, match="q"):
        await resolve(client.contacts.search(ACCOUNT, "  "))
    with pytest.raises(ValueError, match="page"):
        await resolve(client.contacts.search(ACCOUNT, "a", page=0))
    assert len(state.requests) == 0


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_search_reads_the_pre_4_11_meta_with_a_total(kind: str) -> None:
    contact = {"id": 5, "name": "Jane", "email": None}
    script = Script(Reply(json={"meta": {"count": 31, "current_page": "2"}, "payload": [contact] * 15}))
    client = mock_client(kind, script)  # type: ignore[arg-type]

    page = await resolve(client.contacts.search(ACCOUNT, "jane", page=2))

    assert page.total == 31 and page.page == 2 and page.has_more
    last = ContactList.from_body({"meta": {"count": 31, "current_page": "3"}, "payload": [contact]}, 3)
    assert last.total == 31 and not last.has_more


async def test_get_reads_a_contact_and_404s_another_accounts(client: AnyClient, state: SandboxState) -> None:
    contact = await resolve(client.contacts.get(ACCOUNT, BLOCKED_CONTACT_ID))

    assert contact.blocked and contact.name == state.contacts[BLOCKED_CONTACT_ID].name
    other = next(c.id for c in state.contacts.values() if c.account_id == SECOND_ACCOUNT_ID)
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.contacts.get(ACCOUNT, other))


async def test_conversations_are_the_20_latest_and_agents_see_their_inboxes_only(
    connect: Connect, state: SandboxState
) -> None:
    mine = [c for c in state.account_conversations(ACCOUNT) if c.contact_id == VIP_CONTACT_ID]
    admin = await resolve(connect().contacts.conversations(ACCOUNT, VIP_CONTACT_ID))

    assert all(isinstance(c, Conversation) for c in admin)
    assert {c.id for c in admin} == {c.display_id for c in mine}
    times = [c.last_activity_at for c in admin]
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]
    agent = await resolve(connect(AGENT_TOKEN).contacts.conversations(ACCOUNT, VIP_CONTACT_ID))
    agent_user = next(u for u in state.users.values() if u.access_token == AGENT_TOKEN)
    expected = {c.display_id for c in mine if agent_user.id in state.inboxes[c.inbox_id].member_ids}
    assert {c.id for c in agent} == expected


async def test_filter_combines_conditions_and_reports_the_total(client: AnyClient, state: SandboxState) -> None:
    payload = [
        {"attribute_key": "name", "filter_operator": "contains", "values": ["ethan"], "query_operator": "AND"},
        {"attribute_key": "blocked", "filter_operator": "equal_to", "values": [False], "query_operator": None},
    ]

    found = await resolve(client.contacts.filter(ACCOUNT, payload))

    expected = {
        c.id
        for c in state.contacts.values()
        if c.account_id == ACCOUNT and c.resolved and "ethan" in c.name.lower() and not c.blocked
    }
    assert {c.id for c in found} == expected and found.total == len(expected)
    assert VISITOR_CONTACT_ID not in expected


async def test_filter_errors_are_the_servers(client: AnyClient) -> None:
    bad_operator = [{"attribute_key": "country_code", "filter_operator": "contains", "values": ["DE"]}]
    with pytest.raises(ChatwootValidationError, match="allowed operators for country_code"):
        await resolve(client.contacts.filter(ACCOUNT, bad_operator))
    dangling = [{"attribute_key": "name", "filter_operator": "contains", "values": ["a"], "query_operator": "AND"}]
    with pytest.raises(ChatwootServerError):
        await resolve(client.contacts.filter(ACCOUNT, dangling))
