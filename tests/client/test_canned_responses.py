"""Canned responses against the sandbox, async and sync; and the server filling in their placeholders on send."""

from __future__ import annotations

from datetime import datetime

import pytest

from chatwoot_client.types import CannedResponse
from chatwoot_sandbox import ADMIN_USER_ID, AGENT_TOKEN, DEMO_ACCOUNT_ID, SandboxState
from tests.client.conftest import AnyClient, Connect, pick, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID


async def test_list_returns_every_canned_response_with_iso_times(client: AnyClient, state: SandboxState) -> None:
    canned = await resolve(client.canned_responses.list(ACCOUNT))

    mine = [c for c in state.canned_responses.values() if c.account_id == ACCOUNT]
    assert all(isinstance(c, CannedResponse) for c in canned)
    assert [c.short_code for c in canned] == [c.short_code for c in mine]
    assert isinstance(canned[0].created_at, datetime) and canned[0].created_at.tzinfo is not None
    assert "{{contact.name}}" in next(c.content for c in canned if c.short_code == "refund"), "returned unrendered"
    assert dict(state.requests[-1].query) == {}  # no search param sent


async def test_search_ranks_short_code_matches_before_content_matches(client: AnyClient, state: SandboxState) -> None:
    found = await resolve(client.canned_responses.list(ACCOUNT, search="re"))

    codes = [c.short_code for c in found]
    assert codes[0] in ("refund", "password-reset")  # short code starts with "re"... or contains it
    assert codes.index("refund") < codes.index("greeting")  # "greeting" matches only in its content
    assert dict(state.requests[-1].query) == {"search": "re"}


async def test_agents_may_list_them_too(connect: Connect) -> None:
    assert await resolve(connect(AGENT_TOKEN).canned_responses.list(ACCOUNT, search="thanks"))


async def test_the_server_fills_in_placeholders_of_an_outgoing_message(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.inbox_id in (1, 2, 3) and c.status == "open")
    contact = state.contacts[record.contact_id]
    canned = await resolve(client.canned_responses.list(ACCOUNT, search="greeting"))

    sent = await resolve(client.messages.create(ACCOUNT, record.display_id, canned[0].content))

    first = contact.name.split()[0]
    admin = state.users[ADMIN_USER_ID].name
    assert sent.content == f"Hi {first}, thanks for reaching out! I'm {admin} and I'll help you today."


async def test_defaults_code_spans_and_incoming_messages(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.inbox_id == 3 and c.status == "open")
    note = await resolve(
        client.messages.create(ACCOUNT, record.display_id, "{{ contact.nickname | default: 'friend' }} `{{x.y}}`")
    )
    assert note.content == "friend `{{x.y}}`"
    incoming = await resolve(
        client.messages.create(ACCOUNT, record.display_id, "I am {{contact.name}}", message_type="incoming")
    )
    assert incoming.content == "I am {{contact.name}}"
