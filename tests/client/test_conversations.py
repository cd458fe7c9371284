"""Conversations against the sandbox, async and sync: every method, and every place where the SDK was wrong."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chatwoot_client import ChatwootNotFoundError, ChatwootValidationError
from chatwoot_client.types import Conversation, ConversationCounts, ConversationList
from chatwoot_sandbox import (
    AGENT_TOKEN,
    DEMO_ACCOUNT_ID,
    SNOOZED_CONVERSATION_ID,
    SNOOZED_WITHOUT_TIME_CONVERSATION_ID,
    SandboxState,
)
from chatwoot_sandbox.seed import SNOOZED_UNTIL
from tests.client.conftest import AnyClient, Connect, pick, records, resolve, user_with_token

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID
PAGE_SIZE = 25


def _admin_id(state: SandboxState) -> int:
    from chatwoot_sandbox import ADMIN_TOKEN

    return user_with_token(state, ADMIN_TOKEN).id


def _last_query(state: SandboxState) -> dict[str, list[str]]:
    query = state.requests[-1].query
    return {key: query.getlist(key) for key in query}


# --- list ------------------------------------------------------------------------------------------------------


async def test_list_returns_a_page_with_counts_total_and_has_more(client: AnyClient, state: SandboxState) -> None:
    open_records = records(state, lambda c: c.status == "open")
    admin_id = _admin_id(state)

    page = await resolve(client.conversations.list(ACCOUNT))

    assert isinstance(page, ConversationList)
    assert all(isinstance(c, Conversation) and c.status == "open" for c in page)
    assert len(page) == min(PAGE_SIZE, len(open_records))
    assert {c.id for c in page} <= {r.display_id for r in open_records}
    unassigned = sum(1 for r in open_records if r.assignee_id is None)
    assert page.counts == ConversationCounts(
        mine_count=sum(1 for r in open_records if r.assignee_id == admin_id),
        assigned_count=len(open_records) - unassigned,
        unassigned_count=unassigned,
        all_count=len(open_records),
    )
    assert page.total == len(open_records)
    assert page.has_more == (len(open_records) > PAGE_SIZE)
    assert state.requests[-1].path == f"/api/v1/accounts/{ACCOUNT}/conversations"
    assert _last_query(state) == {"status": ["open"], "assignee_type": ["all"], "page": ["1"]}


async def test_list_counts_are_computed_before_assignee_type(client: AnyClient, state: SandboxState) -> None:
    admin_id = _admin_id(state)
    everything = await resolve(client.conversations.list(ACCOUNT, "all"))
    unassigned = await resolve(client.conversations.list(ACCOUNT, "all", "unassigned"))
    assigned = await resolve(client.conversations.list(ACCOUNT, "all", "assigned"))
    mine = await resolve(client.conversations.list(ACCOUNT, "all", assignee_type="me"))

    assert everything.counts == unassigned.counts == assigned.counts == mine.counts
    assert all(c.assignee_id is None for c in unassigned)
    assert all(c.assignee_id is not None for c in assigned)
    assert all(c.assignee_id == admin_id for c in mine)
    assert unassigned.total == everything.counts.unassigned_count > 0
    assert assigned.total == everything.counts.assigned_count > 0
    assert mine.total == everything.counts.mine_count
    assert everything.total == everything.counts.all_count == len(records(state))


async def test_list_sends_labels_as_an_array_and_matches_any(client: AnyClient, state: SandboxState) -> None:
    label_use: dict[str, int] = {}
    for record in records(state):
        for label in record.labels:
            label_use[label] = label_use.get(label, 0) + 1
    first, second = sorted(label_use, key=lambda name: (-label_use[name], name))[:2]
    expected = records(state, lambda c: first in c.labels or second in c.labels)

    page = await resolve(client.conversations.list(ACCOUNT, "all", labels=[first, second]))

    assert _last_query(state)["labels[]"] == [first, second]
    assert "labels" not in _last_query(state)
    assert page.counts.all_count == len(expected)
    assert page, "no conversation carries the seed's most used labels"
    assert all({first, second} & set(c.labels) for c in page)


async def test_list_pages_through_everything_and_past_the_end(client: AnyClient, state: SandboxState) -> None:
    total = len(records(state))
    last_page = math.ceil(total / PAGE_SIZE)
    assert last_page >= 2, "the demo seed should fill more than one page"

    seen: list[int] = []
    for number in range(1, last_page + 1):
        page = await resolve(client.conversations.list(ACCOUNT, "all", page=number))
        assert page.page == number
        assert page.has_more == (number < last_page)
        seen.extend(c.id for c in page)
    assert sorted(seen) == sorted(r.display_id for r in records(state))

    past = await resolve(client.conversations.list(ACCOUNT, "all", page=last_page + 1))
    assert past == []
    assert not past.has_more
    assert past.total == past.counts.all_count == total


async def test_list_filters_by_inbox_and_sorts(client: AnyClient, state: SandboxState) -> None:
    inbox_id = pick(state, lambda c: True).inbox_id
    in_inbox = records(state, lambda c: c.inbox_id == inbox_id)

    page = await resolve(client.conversations.list(ACCOUNT, "all", inbox_id=inbox_id, sort_by="created_at_asc"))

    assert {c.inbox_id for c in page} == {inbox_id}
    assert page.counts.all_count == len(in_inbox)
    created = [c.created_at for c in page]
    assert created == sorted(created, key=lambda moment: moment or datetime.min.replace(tzinfo=UTC))
    assert _last_query(state)["sort_by"] == ["created_at_asc"]


async def test_list_by_team(client: AnyClient, state: SandboxState) -> None:
    team_id = pick(state, lambda c: c.team_id is not None).team_id
    page = await resolve(client.conversations.list(ACCOUNT, "all", team_id=team_id))
    assert page and all(c.team_id == team_id for c in page)
    assert page.total == len(records(state, lambda c: c.team_id == team_id))


async def test_list_with_an_unknown_team_is_not_found(client: AnyClient) -> None:
    with pytest.raises(ChatwootNotFoundError, match="Resource could not be found"):
        await resolve(client.conversations.list(ACCOUNT, team_id=99_999))


async def test_list_q_finds_message_text_whatever_the_status(client: AnyClient, state: SandboxState) -> None:
    resolved = pick(
        state, lambda c: c.status == "resolved" and any(m.message_type == 0 and m.content for m in c.messages)
    )
    text = next(m.content for m in resolved.messages if m.message_type == 0 and m.content)
    assert text is not None
    needle = text[:30]

    page = await resolve(client.conversations.list(ACCOUNT, "open", q=needle))

    assert resolved.display_id in {c.id for c in page}
    assert _last_query(state)["q"] == [needle]


# --- get -------------------------------------------------------------------------------------------------------


async def test_get_returns_the_conversation_as_the_server_holds_it(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.assignee_id is not None and c.team_id is not None and bool(c.labels))

    conversation = await resolve(client.conversations.get(ACCOUNT, record.display_id))

    assert conversation.id == record.display_id
    assert conversation.account_id == ACCOUNT
    assert conversation.status == record.status
    assert conversation.inbox_id == record.inbox_id
    assert conversation.assignee_id == record.assignee_id
    assert conversation.team_id == record.team_id
    assert conversation.labels == record.labels
    assert conversation.contact is not None and conversation.contact.id == record.contact_id
    assert conversation.created_at == datetime.fromtimestamp(int(record.created_at), UTC)


async def test_get_unassigned_conversation_without_team(client: AnyClient, state: SandboxState) -> None:
    # meta.assignee and meta.team are absent from the JSON, not null.
    record = pick(state, lambda c: c.assignee_id is None and c.team_id is None)
    conversation = await resolve(client.conversations.get(ACCOUNT, record.display_id))
    assert conversation.assignee_id is None
    assert conversation.team_id is None


async def test_never_set_times_read_as_none(client: AnyClient, state: SandboxState) -> None:
    # The server writes nil.to_i, i.e. 0, for these.
    record = pick(state, lambda c: c.first_reply_created_at is None and c.agent_last_seen_at is None)
    conversation = await resolve(client.conversations.get(ACCOUNT, record.display_id))
    assert conversation.first_reply_created_at is None
    assert conversation.agent_last_seen_at is None
    assert conversation.created_at is not None


async def test_get_unknown_conversation_is_not_found(client: AnyClient) -> None:
    with pytest.raises(ChatwootNotFoundError) as caught:
        await resolve(client.conversations.get(ACCOUNT, 99_999))
    assert caught.value.status_code == 404
    assert caught.value.description == "Resource could not be found"


async def test_the_seeds_snoozed_conversations_parse(client: AnyClient) -> None:
    page = await resolve(client.conversations.list(ACCOUNT, "snoozed"))
    listed = {c.id: c for c in page}
    assert listed[SNOOZED_CONVERSATION_ID].snoozed_until == datetime.fromtimestamp(SNOOZED_UNTIL, UTC)
    assert listed[SNOOZED_WITHOUT_TIME_CONVERSATION_ID].snoozed_until is None
    conversation = await resolve(client.conversations.get(ACCOUNT, SNOOZED_CONVERSATION_ID))
    assert conversation.snoozed_until == datetime.fromtimestamp(SNOOZED_UNTIL, UTC)


async def test_snoozed_conversations_with_a_time_parse_in_list_and_get(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    until = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)
    record.status = "snoozed"
    record.snoozed_until = until.timestamp()

    page = await resolve(client.conversations.list(ACCOUNT, "snoozed"))
    listed = {c.id: c for c in page}
    assert listed[record.display_id].snoozed_until == until
    assert all(c.status == "snoozed" for c in page)

    conversation = await resolve(client.conversations.get(ACCOUNT, record.display_id))
    assert conversation.snoozed_until == until


# --- toggle_status ---------------------------------------------------------------------------------------------


async def test_toggle_status_snoozes_until_a_datetime(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)

    result = await resolve(
        client.conversations.toggle_status(ACCOUNT, record.display_id, "snoozed", snoozed_until=until)
    )

    assert result.current_status == "snoozed"
    assert result.conversation_id == record.display_id
    assert result.success is True
    assert result.snoozed_until == until
    assert state.requests[-1].json == {"status": "snoozed", "snoozed_until": int(until.timestamp())}
    assert (record.status, record.snoozed_until) == ("snoozed", until.timestamp())
    assert (await resolve(client.conversations.get(ACCOUNT, record.display_id))).snoozed_until == until


async def test_toggle_status_snoozes_until_unix_seconds(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    until = 1_900_000_000

    result = await resolve(
        client.conversations.toggle_status(ACCOUNT, record.display_id, "snoozed", snoozed_until=until)
    )

    assert result.snoozed_until == datetime.fromtimestamp(until, UTC)
    assert record.snoozed_until == until


async def test_toggle_status_takes_naive_datetimes_as_utc(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    naive = datetime(2030, 1, 2, 3, 4, 5)

    result = await resolve(
        client.conversations.toggle_status(ACCOUNT, record.display_id, "snoozed", snoozed_until=naive)
    )

    assert result.snoozed_until == naive.replace(tzinfo=UTC)


async def test_toggle_status_resolves_and_clears_the_snooze(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    await resolve(
        client.conversations.toggle_status(ACCOUNT, record.display_id, "snoozed", snoozed_until=1_900_000_000)
    )

    result = await resolve(client.conversations.toggle_status(ACCOUNT, record.display_id, "resolved"))

    assert (result.current_status, result.snoozed_until) == ("resolved", None)
    assert (record.status, record.snoozed_until) == ("resolved", None)
    assert state.requests[-1].json == {"status": "resolved"}


async def test_toggle_status_refuses_snoozed_until_for_other_statuses(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    before = len(state.requests)
    with pytest.raises(ValueError, match="snoozed_until"):
        await resolve(client.conversations.toggle_status(ACCOUNT, record.display_id, "resolved", snoozed_until=1))
    assert len(state.requests) == before
    assert record.status == "open"


# --- update: what the SDK silently dropped ---------------------------------------------------------------------


async def test_update_status_really_changes_the_status(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")

    conversation = await resolve(client.conversations.update(ACCOUNT, record.display_id, status="resolved"))

    assert conversation.status == "resolved"
    assert record.status == "resolved"
    base = f"/api/v1/accounts/{ACCOUNT}/conversations/{record.display_id}"
    assert [(r.method, r.path) for r in state.requests] == [("POST", f"{base}/toggle_status"), ("GET", base)]


async def test_update_snoozes_with_a_time(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    until = datetime(2030, 6, 1, tzinfo=UTC)

    conversation = await resolve(
        client.conversations.update(ACCOUNT, record.display_id, "snoozed", snoozed_until=until)
    )

    assert (conversation.status, conversation.snoozed_until) == ("snoozed", until)
    assert record.snoozed_until == until.timestamp()


async def test_update_snoozed_until_without_status_is_refused(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    with pytest.raises(ValueError, match="snoozed_until"):
        await resolve(client.conversations.update(ACCOUNT, record.display_id, snoozed_until=1_900_000_000))
    assert state.requests == []


async def test_update_assignee_and_team_really_assign(client: AnyClient, state: SandboxState) -> None:
    # An agent who is not in the team: the team change must not undo the explicit assignee.
    team = next(iter(state.account_teams(ACCOUNT)))
    agent = next(u for u in state.account_users(ACCOUNT) if u.id not in team.member_ids)
    record = pick(state, lambda c: c.assignee_id is None and c.team_id is None)

    conversation = await resolve(
        client.conversations.update(ACCOUNT, record.display_id, assignee_id=agent.id, team_id=team.id)
    )

    assert (conversation.assignee_id, conversation.team_id) == (agent.id, team.id)
    assert (record.assignee_id, record.team_id) == (agent.id, team.id)
    assert conversation.meta.assignee is not None and conversation.meta.assignee.name == agent.name


async def test_update_priority(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.priority != "urgent")

    conversation = await resolve(client.conversations.update(ACCOUNT, record.display_id, priority="urgent"))

    assert conversation.priority == "urgent"
    assert record.priority == "urgent"
    assert [(r.method, r.json) for r in state.requests] == [("PATCH", {"priority": "urgent"})]


async def test_update_everything_at_once(client: AnyClient, state: SandboxState) -> None:
    team = next(iter(state.account_teams(ACCOUNT)))
    agent = next(u for u in state.account_users(ACCOUNT) if u.id in team.member_ids)
    record = pick(state, lambda c: c.status == "open" and c.assignee_id is None)

    conversation = await resolve(
        client.conversations.update(ACCOUNT, record.display_id, "pending", agent.id, team.id, priority="high")
    )

    assert (conversation.status, conversation.assignee_id, conversation.team_id, conversation.priority) == (
        "pending",
        agent.id,
        team.id,
        "high",
    )
    assert (record.status, record.assignee_id, record.team_id, record.priority) == (
        "pending",
        agent.id,
        team.id,
        "high",
    )


@pytest.mark.parametrize(
    "fields",
    [{"foo": 1}, {"custom_attributes": {"a": 1}}, {"labels": ["x"]}, {"snoozed": True, "bar": 2}],
    ids=["foo", "custom_attributes", "labels", "two"],
)
async def test_update_refuses_fields_chatwoot_would_ignore(
    client: AnyClient, state: SandboxState, fields: dict[str, Any]
) -> None:
    record = pick(state, lambda c: c.status == "open")
    with pytest.raises(TypeError) as caught:
        await resolve(client.conversations.update(ACCOUNT, record.display_id, status="resolved", **fields))
    for name in fields:
        assert name in str(caught.value)
    assert state.requests == []
    assert record.status == "open"


async def test_update_with_nothing_returns_the_conversation(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: True)
    conversation = await resolve(client.conversations.update(ACCOUNT, record.display_id))
    assert conversation.id == record.display_id
    assert [r.method for r in state.requests] == ["GET"]


async def test_reopening_as_an_agent_keeps_an_explicit_assignee(connect: Connect, state: SandboxState) -> None:
    agent = user_with_token(state, AGENT_TOKEN)
    other = next(u for u in state.account_users(ACCOUNT) if u.id != agent.id)
    inboxes = {i.id for i in state.account_inboxes(ACCOUNT) if agent.id in i.member_ids}
    first, second = records(state, lambda c: c.status == "resolved" and c.inbox_id in inboxes)[:2]
    client = connect(AGENT_TOKEN)

    # Chatwoot's rule: an agent who reopens a conversation takes it...
    await resolve(client.conversations.update(ACCOUNT, first.display_id, status="open"))
    assert first.assignee_id == agent.id
    # ...but an explicit assignee in the same update wins.
    conversation = await resolve(client.conversations.update(ACCOUNT, second.display_id, "open", other.id))
    assert conversation.assignee_id == other.id
    assert second.assignee_id == other.id


# --- assign, assign_team, set_priority -------------------------------------------------------------------------


async def test_assign_returns_the_fresh_conversation(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.assignee_id is None)
    agent = next(u for u in state.account_users(ACCOUNT))

    conversation = await resolve(client.conversations.assign(ACCOUNT, record.display_id, agent.id))

    assert isinstance(conversation, Conversation)
    assert conversation.assignee_id == agent.id
    assert conversation.meta.assignee is not None and conversation.meta.assignee.email == agent.email
    assert record.assignee_id == agent.id
    assert [(r.method, r.json) for r in state.requests] == [("POST", {"assignee_id": agent.id}), ("GET", None)]


async def test_assign_none_unassigns(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.assignee_id is not None)

    conversation = await resolve(client.conversations.assign(ACCOUNT, record.display_id, None))

    assert conversation.assignee_id is None
    assert conversation.meta.assignee is None
    assert record.assignee_id is None
    assert state.requests[0].json == {"assignee_id": None}


async def test_assign_to_someone_outside_the_account_unassigns(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.assignee_id is not None)
    conversation = await resolve(client.conversations.assign(ACCOUNT, record.display_id, 99_999))
    assert conversation.assignee_id is None
    assert record.assignee_id is None


async def test_assign_team_and_clear_it(client: AnyClient, state: SandboxState) -> None:
    team = next(iter(state.account_teams(ACCOUNT)))
    record = pick(state, lambda c: c.team_id is None)

    conversation = await resolve(client.conversations.assign_team(ACCOUNT, record.display_id, team.id))
    assert conversation.team_id == team.id == record.team_id
    assert conversation.meta.team is not None and conversation.meta.team.name == team.name

    cleared = await resolve(client.conversations.assign_team(ACCOUNT, record.display_id, None))
    assert cleared.team_id is None
    assert record.team_id is None
    assert state.requests[-2].json == {"team_id": None}


async def test_set_priority_and_clear_it(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.priority is None)

    conversation = await resolve(client.conversations.set_priority(ACCOUNT, record.display_id, "low"))
    assert conversation.priority == "low" == record.priority

    cleared = await resolve(client.conversations.set_priority(ACCOUNT, record.display_id, None))
    assert cleared.priority is None
    assert record.priority is None
    assert state.requests[-1].json == {"priority": None}


# --- get_counts ------------------------------------------------------------------------------------------------


async def test_get_counts_is_typed_reads_like_a_dict_and_matches_the_list(
    client: AnyClient, state: SandboxState
) -> None:
    counts = await resolve(client.conversations.get_counts(ACCOUNT))

    assert isinstance(counts, ConversationCounts)
    assert counts["mine_count"] == counts.mine_count
    assert counts["all_count"] == len(records(state, lambda c: c.status == "open"))
    assert state.requests[-1].path == f"/api/v1/accounts/{ACCOUNT}/conversations/meta"
    listed = await resolve(client.conversations.list(ACCOUNT))
    assert counts == listed.counts


async def test_get_counts_sends_labels_as_an_array(client: AnyClient, state: SandboxState) -> None:
    labelled = pick(state, lambda c: bool(c.labels))
    label = labelled.labels[0]

    counts = await resolve(client.conversations.get_counts(ACCOUNT, "all", labels=[label, "no-such-label"]))

    assert _last_query(state)["labels[]"] == [label, "no-such-label"]
    assert counts.all_count == len(records(state, lambda c: label in c.labels))


async def test_get_counts_passes_sdk_style_filters(client: AnyClient, state: SandboxState) -> None:
    inbox_id = pick(state, lambda c: True).inbox_id
    expected = records(state, lambda c: c.inbox_id == inbox_id)

    counts = await resolve(client.conversations.get_counts(ACCOUNT, status="all", inbox_id=inbox_id))

    assert counts.all_count == len(expected)
    assert counts.unassigned_count == sum(1 for r in expected if r.assignee_id is None)


# --- create ----------------------------------------------------------------------------------------------------


async def test_create_a_conversation_with_a_first_message(client: AnyClient, state: SandboxState) -> None:
    existing = pick(state, lambda c: True)
    before = {c.id for c in state.conversations.values()}

    conversation = await resolve(
        client.conversations.create(
            ACCOUNT,
            None,
            existing.inbox_id,
            existing.contact_id,
            message="We are looking into it.",
            custom_attributes={"plan": "pro"},
        )
    )

    (new_pk,) = {c.id for c in state.conversations.values()} - before
    record = state.conversations[new_pk]
    assert conversation.id == record.display_id
    assert conversation.inbox_id == existing.inbox_id
    assert conversation.contact is not None and conversation.contact.id == existing.contact_id
    assert conversation.custom_attributes == {"plan": "pro"}
    assert [(m.content, m.message_type) for m in record.messages if m.message_type != 2] == [
        ("We are looking into it.", 1)
    ]
    assert state.requests[-1].json == {
        "inbox_id": existing.inbox_id,
        "contact_id": existing.contact_id,
        "message": {"content": "We are looking into it."},
        "custom_attributes": {"plan": "pro"},
    }


async def test_create_snoozed_with_a_datetime(client: AnyClient, state: SandboxState) -> None:
    existing = pick(state, lambda c: True)
    until = datetime(2032, 2, 2, 2, 2, 2, tzinfo=UTC)

    conversation = await resolve(
        client.conversations.create(
            ACCOUNT, None, existing.inbox_id, existing.contact_id, status="snoozed", snoozed_until=until
        )
    )

    assert (conversation.status, conversation.snoozed_until) == ("snoozed", until)


async def test_create_refuses_unknown_fields(client: AnyClient, state: SandboxState) -> None:
    with pytest.raises(TypeError, match="priority"):
        await resolve(client.conversations.create(ACCOUNT, "src", 1, priority="high"))
    assert state.requests == []


async def test_create_with_an_unknown_source_id_is_not_found(client: AnyClient, state: SandboxState) -> None:
    inbox_id = pick(state, lambda c: True).inbox_id
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.conversations.create(ACCOUNT, "no-such-source", inbox_id))
    assert len(state.requests) == 1


# --- search and filter -----------------------------------------------------------------------------------------


async def test_search_returns_the_matching_messages(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: any(m.message_type == 0 and m.content for m in c.messages))
    content = next(m.content for m in record.messages if m.message_type == 0 and m.content)
    assert content is not None
    needle = content[5:25].upper()  # search is case-insensitive

    results = await resolve(client.conversations.search(ACCOUNT, needle))

    found = {result.id: result for result in results}
    assert record.display_id in found
    for result in results:
        assert result.messages
        assert all(needle.lower() in str(message["content"]).lower() for message in result.messages)
    assert _last_query(state) == {"q": [needle], "page": ["1"]}


async def test_search_refuses_an_empty_query(client: AnyClient, state: SandboxState) -> None:
    with pytest.raises(ValueError, match="q"):
        await resolve(client.conversations.search(ACCOUNT, "   "))
    assert state.requests == []


async def test_filter_by_status(client: AnyClient, state: SandboxState) -> None:
    resolved = records(state, lambda c: c.status == "resolved")
    payload = [
        {"attribute_key": "status", "filter_operator": "equal_to", "values": ["resolved"], "query_operator": None}
    ]

    page = await resolve(client.conversations.filter(ACCOUNT, payload))

    assert isinstance(page, ConversationList)
    assert page and all(c.status == "resolved" for c in page)
    assert len(page) == min(PAGE_SIZE, len(resolved))
    assert page.total == page.counts.all_count == len(resolved)
    unassigned = sum(1 for r in resolved if r.assignee_id is None)
    assert page.counts.unassigned_count == unassigned
    assert page.counts.assigned_count == len(resolved) - unassigned
    assert state.requests[-1].json == {"payload": payload}


async def test_filter_pages(client: AnyClient, state: SandboxState) -> None:
    payload = [{"attribute_key": "status", "filter_operator": "equal_to", "values": ["all"], "query_operator": None}]
    first = await resolve(client.conversations.filter(ACCOUNT, payload))
    second = await resolve(client.conversations.filter(ACCOUNT, payload, page=2))
    assert first.has_more
    assert not {c.id for c in first} & {c.id for c in second}
    assert _last_query(state) == {"page": ["2"]}


async def test_filter_with_a_bad_operator_is_a_validation_error(client: AnyClient) -> None:
    payload = [{"attribute_key": "status", "filter_operator": "contains", "values": ["open"], "query_operator": None}]

    with pytest.raises(ChatwootValidationError) as caught:
        await resolve(client.conversations.filter(ACCOUNT, payload))

    assert caught.value.status_code == 422
    assert caught.value.description == "Invalid operator. The allowed operators for status are [equal_to,not_equal_to]."


async def test_filter_with_an_unknown_key_is_a_validation_error(client: AnyClient) -> None:
    payload = [
        {"attribute_key": "phone_number", "filter_operator": "equal_to", "values": ["1"], "query_operator": None}
    ]
    with pytest.raises(ChatwootValidationError, match=r"Invalid attribute key - \[phone_number\]"):
        await resolve(client.conversations.filter(ACCOUNT, payload))


# --- custom attributes -----------------------------------------------------------------------------------------


async def test_update_custom_attributes_replaces_the_whole_hash(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: True)

    first = await resolve(
        client.conversations.update_custom_attributes(ACCOUNT, record.display_id, {"plan": "pro", "seats": 3})
    )
    assert first == {"plan": "pro", "seats": 3}

    second = await resolve(client.conversations.update_custom_attributes(ACCOUNT, record.display_id, {"seats": 5}))
    assert second == {"seats": 5}
    assert record.custom_attributes == {"seats": 5}
    assert (await resolve(client.conversations.get(ACCOUNT, record.display_id))).custom_attributes == {"seats": 5}


# --- ids are checked before anything is sent ----------------------------------------------------------------------

BAD_IDS = [0, -1, "1/../2", "2", True, 1.5, None]
CALLS_WITH_AN_ID = {
    "conversations.list": lambda c, bad: c.conversations.list(bad),
    "conversations.get(account)": lambda c, bad: c.conversations.get(bad, 1),
    "conversations.get": lambda c, bad: c.conversations.get(1, bad),
    "conversations.update": lambda c, bad: c.conversations.update(1, bad, status="open"),
    "conversations.assign": lambda c, bad: c.conversations.assign(1, bad, None),
    "conversations.toggle_status": lambda c, bad: c.conversations.toggle_status(1, bad, "open"),
    "conversations.create(inbox)": lambda c, bad: c.conversations.create(1, "src", bad),
    "conversations.update_custom_attributes": lambda c, bad: c.conversations.update_custom_attributes(1, bad, {}),
    "conversations.get_counts": lambda c, bad: c.conversations.get_counts(bad),
    "conversations.labels.add": lambda c, bad: c.conversations.labels.add(1, bad, ["x"]),
    "messages.list": lambda c, bad: c.messages.list(1, bad),
    "messages.create": lambda c, bad: c.messages.create(1, bad, "hi"),
    "agents.list": lambda c, bad: c.agents.list(bad),
    "inboxes.list": lambda c, bad: c.inboxes.list(bad),
}


@pytest.mark.parametrize("call", list(CALLS_WITH_AN_ID.values()), ids=list(CALLS_WITH_AN_ID))
async def test_invalid_ids_are_refused_before_any_request(client: AnyClient, state: SandboxState, call: Any) -> None:
    for bad in BAD_IDS:
        with pytest.raises(ValueError, match="must be a positive integer") as caught:
            await resolve(call(client, bad))
        assert repr(bad) in str(caught.value)
    assert state.requests == []
