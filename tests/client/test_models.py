"""The models read every shape the real server sends (chatwoot-api.md §3), including those that broke the SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from chatwoot_client.types import (
    Conversation,
    ConversationCounts,
    ConversationList,
    ConversationToggleStatusResponse,
    Message,
    MessageContentType,
    MessageType,
    SearchResult,
)
from tests.client.conftest import Kind, Reply, Script, mock_client, resolve

# chatwoot-api.md §3.1, verbatim apart from the nested message.
SERVER_CONVERSATION: dict[str, Any] = {
    "meta": {
        "sender": {
            "additional_attributes": {},
            "availability_status": "offline",
            "email": "jane@example.com",
            "id": 7,
            "name": "Jane",
            "phone_number": None,
            "blocked": False,
            "identifier": None,
            "thumbnail": "",
            "custom_attributes": {},
            "last_activity_at": 1739400000,
            "created_at": 1739300000,
        },
        "channel": "Channel::Api",
        "assignee": {
            "id": 3,
            "account_id": 1,
            "availability_status": "online",
            "auto_offline": True,
            "confirmed": True,
            "email": "agent@example.com",
            "provider": "email",
            "available_name": "Agent A",
            "name": "Agent A",
            "role": "agent",
            "thumbnail": "",
        },
        "assignee_type": "User",
        "team": {
            "id": 2,
            "name": "billing",
            "description": None,
            "allow_auto_assign": True,
            "account_id": 1,
            "is_member": False,
        },
        "hmac_verified": False,
    },
    "id": 42,
    "messages": [],
    "account_id": 1,
    "uuid": "5b1f0000-0000-0000-0000-000000000000",
    "additional_attributes": {},
    "agent_last_seen_at": 0,
    "assignee_last_seen_at": 0,
    "can_reply": True,
    "contact_last_seen_at": 0,
    "custom_attributes": {},
    "inbox_id": 5,
    "labels": ["billing", "vip"],
    "muted": False,
    "snoozed_until": None,
    "status": "open",
    "created_at": 1739400000,
    "updated_at": 1739400123.456789,
    "timestamp": 1739400100,
    "first_reply_created_at": 0,
    "unread_count": 0,
    "last_non_activity_message": None,
    "last_activity_at": 1739400100,
    "priority": None,
    "waiting_since": 1739400000,
    "sla_policy_id": None,
}

SERVER_MESSAGE: dict[str, Any] = {
    "id": 101,
    "content": "hi",
    "inbox_id": 5,
    "conversation_id": 42,
    "message_type": 1,
    "content_type": "text",
    "status": "sent",
    "content_attributes": {},
    "created_at": 1739400100,
    "private": False,
    "source_id": None,
    "sender": {
        "id": 3,
        "name": "Agent A",
        "available_name": "Agent A",
        "avatar_url": "",
        "type": "user",
        "availability_status": "online",
        "thumbnail": "",
    },
}


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def test_conversation_reads_the_documented_server_payload() -> None:
    conversation = Conversation.model_validate(SERVER_CONVERSATION)

    assert conversation.id == 42
    assert conversation.assignee_id == 3
    assert conversation.team_id == 2
    assert conversation.contact is not None and conversation.contact.name == "Jane"
    assert conversation.labels == ["billing", "vip"]
    assert conversation.created_at == _at(1739400000)
    assert conversation.updated_at == _at(1739400123.456789)
    assert conversation.waiting_since == _at(1739400000)
    # Unknown fields are kept, so a newer server never breaks parsing and nothing is lost.
    assert conversation.model_extra is not None and conversation.model_extra["uuid"].startswith("5b1f")


@pytest.mark.parametrize(
    "field", ["agent_last_seen_at", "contact_last_seen_at", "first_reply_created_at", "waiting_since"]
)
def test_zero_timestamps_mean_unset(field: str) -> None:
    conversation = Conversation.model_validate(SERVER_CONVERSATION | {field: 0})
    assert getattr(conversation, field) is None


def test_unassigned_conversation_has_no_assignee_keys() -> None:
    meta = {key: value for key, value in SERVER_CONVERSATION["meta"].items() if key not in ("assignee", "team")}
    del meta["assignee_type"]
    conversation = Conversation.model_validate(SERVER_CONVERSATION | {"meta": meta})
    assert conversation.assignee_id is None
    assert conversation.team_id is None
    assert conversation.meta.assignee is None


def test_conversation_assigned_to_an_agent_bot() -> None:
    bot = {"id": 9, "name": "Triage bot", "description": "first line", "thumbnail": "", "bot_type": "webhook"}
    meta = SERVER_CONVERSATION["meta"] | {"assignee": bot, "assignee_type": "AgentBot"}
    conversation = Conversation.model_validate(SERVER_CONVERSATION | {"meta": meta})
    assert conversation.assignee_id == 9
    assert conversation.meta.assignee_type == "AgentBot"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-02-15T16:47:25.000Z", datetime(2026, 2, 15, 16, 47, 25, tzinfo=UTC)),
        ("2026-02-15T16:47:25Z", datetime(2026, 2, 15, 16, 47, 25, tzinfo=UTC)),
        (1771174045, _at(1771174045)),
        ("1771174045", _at(1771174045)),
        (None, None),
    ],
)
def test_snoozed_until_reads_iso_strings_and_seconds(raw: object, expected: datetime | None) -> None:
    conversation = Conversation.model_validate(SERVER_CONVERSATION | {"status": "snoozed", "snoozed_until": raw})
    assert conversation.status == "snoozed"
    assert conversation.snoozed_until == expected
    answer = ConversationToggleStatusResponse.model_validate(
        {"success": True, "conversation_id": 42, "current_status": "snoozed", "snoozed_until": raw}
    )
    assert answer.snoozed_until == expected


def test_toggle_status_response_keeps_conversation_id_and_allows_null_success() -> None:
    answer = ConversationToggleStatusResponse.model_validate(
        {"success": None, "conversation_id": 42, "current_status": "open", "snoozed_until": None}
    )
    assert answer.success is None
    assert answer.conversation_id == 42


def test_timestamps_reject_booleans() -> None:
    with pytest.raises(ValidationError):
        Conversation.model_validate(SERVER_CONVERSATION | {"created_at": True})


def test_a_conversation_carries_its_last_message_in_push_event_data_shape() -> None:
    push = SERVER_MESSAGE | {
        "account_id": 1,
        "sender_type": "User",
        "sender_id": 3,
        "updated_at": "2026-02-13T10:00:00.000Z",
        "conversation": {"assignee_id": 3, "unread_count": 0, "last_activity_at": 1739400100},
    }
    conversation = Conversation.model_validate(
        SERVER_CONVERSATION | {"messages": [push], "last_non_activity_message": push}
    )
    assert conversation.messages[0].id == 101
    assert conversation.last_non_activity_message is not None
    assert conversation.last_non_activity_message.message_type is MessageType.OUTGOING


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, MessageType.INCOMING),
        (1, MessageType.OUTGOING),
        (2, MessageType.ACTIVITY),
        (3, MessageType.TEMPLATE),
        ("incoming", MessageType.INCOMING),
        ("outgoing", MessageType.OUTGOING),
        ("activity", MessageType.ACTIVITY),
        ("1", MessageType.OUTGOING),
    ],
)
def test_message_type_reads_integers_and_names(raw: object, expected: MessageType) -> None:
    message = Message.model_validate(SERVER_MESSAGE | {"message_type": raw})
    assert message.message_type is expected
    assert message.is_incoming == (expected is MessageType.INCOMING)
    assert message.is_activity == (expected is MessageType.ACTIVITY)


@pytest.mark.parametrize("raw", [7, "bogus", "-1"])
def test_message_type_rejects_unknown_values_as_validation_errors(raw: object) -> None:
    with pytest.raises(ValidationError):
        Message.model_validate(SERVER_MESSAGE | {"message_type": raw})


CONTENT_TYPES = [
    "text",
    "input_text",
    "input_textarea",
    "input_email",
    "input_select",
    "cards",
    "form",
    "article",
    "incoming_email",
    "input_csat",
    "integrations",
    "sticker",
    "voice_call",
]


def test_every_server_content_type_is_declared() -> None:
    assert sorted(get_args(MessageContentType)) == sorted(CONTENT_TYPES)
    assert len(CONTENT_TYPES) == 13


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_messages_of_every_content_type_parse(content_type: str) -> None:
    attributes: dict[str, Any] = {
        "input_select": {"items": [{"title": "Yes", "value": "yes"}]},
        "input_csat": {"submitted_values": {"csat_survey_response": {"rating": 5}}},
        "incoming_email": {"email": {"subject": "Refund"}},
        "voice_call": {"data": {"status": "completed"}},
    }.get(content_type, {})
    message = Message.model_validate(
        SERVER_MESSAGE | {"content_type": content_type, "content_attributes": attributes, "message_type": 0}
    )
    assert message.content_type == content_type
    assert message.content_attributes == attributes


def test_unknown_content_type_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Message.model_validate(SERVER_MESSAGE | {"content_type": "hologram"})


def test_message_without_sender_or_attachments() -> None:
    raw = {key: value for key, value in SERVER_MESSAGE.items() if key != "sender"}
    message = Message.model_validate(raw | {"content_type": None, "created_at": 0})
    assert message.sender is None
    assert message.attachments == []
    assert message.created_at is None
    assert message.content_type is None


def test_counts_read_like_the_sdk_dict() -> None:
    counts = ConversationCounts.model_validate(
        {"mine_count": 1, "assigned_count": 3, "unassigned_count": 2, "all_count": 5}
    )
    assert counts["mine_count"] == 1
    assert counts.get("all_count") == 5
    assert counts.get("nope", -1) == -1
    assert dict(counts.items()) == {"mine_count": 1, "assigned_count": 3, "unassigned_count": 2, "all_count": 5}
    assert counts.keys() == ["mine_count", "assigned_count", "unassigned_count", "all_count"]
    with pytest.raises(KeyError):
        counts["model_config"]
    assert [counts.total_for(kind) for kind in ("me", "assigned", "unassigned", "all")] == [1, 3, 2, 5]


@pytest.mark.parametrize(
    ("page", "total", "has_more"),
    [(1, 0, False), (1, 25, False), (1, 26, True), (2, 50, False), (2, 51, True), (3, 51, False)],
)
def test_conversation_list_knows_whether_more_pages_follow(page: int, total: int, has_more: bool) -> None:
    page_list = ConversationList([], counts=ConversationCounts(), page=page, total=total)
    assert page_list.has_more is has_more
    assert page_list == []
    assert isinstance(page_list, list)


def test_search_result_reads_the_slim_shape() -> None:
    result = SearchResult.model_validate(
        {
            "id": 42,
            "uuid": "x",
            "created_at": 1739400000,
            "contact": {"id": 7, "name": "Jane"},
            "inbox": {"id": 5, "name": "API", "channel_type": "Channel::Api"},
            "messages": [{"content": "refund please", "id": 101, "sender_name": "Jane", "message_type": 0}],
            "account_id": 1,
        }
    )
    assert result.id == 42
    assert result.contact is not None and result.contact.name == "Jane"
    assert result.messages[0]["content"] == "refund please"
    assert result.created_at == _at(1739400000)


# --- times Python cannot hold -------------------------------------------------------------------------------------
# Ruby and PostgreSQL hold years 4713 BC..294276 AD and Ruby writes them as `%Y` does (at least four digits, a
# sign when negative); Python's datetime holds 1..9999. Such a time reads None on its field and is kept as sent.

UNREPRESENTABLE = [
    pytest.param("-0001-01-01T00:00:00.000Z", id="iso-year-minus-1"),
    pytest.param("0000-12-31T23:59:59.000Z", id="iso-year-0"),
    pytest.param("10000-01-01T00:00:00.000Z", id="iso-year-10000"),
    pytest.param("294276-12-31T23:59:59.999Z", id="iso-postgres-max"),
    pytest.param("-4713-11-24T00:00:00.000Z", id="iso-postgres-min"),
    pytest.param("+275760-09-13T00:00:00.000Z", id="iso-signed-year"),
    pytest.param("9999-12-31T23:30:00.000-05:00", id="iso-beyond-9999-in-utc"),
    pytest.param(2**63, id="seconds-2**63"),
    pytest.param(-(2**63), id="seconds-minus-2**63"),
    pytest.param(9224318015999, id="seconds-postgres-max"),
    pytest.param(253402300800, id="seconds-year-10000"),
    pytest.param(-62135596801, id="seconds-before-year-1"),
    pytest.param(10**400, id="seconds-10**400"),
    pytest.param(1e300, id="float-1e300"),
    pytest.param(float("inf"), id="float-inf"),
    pytest.param("99999999999999999999", id="string-seconds"),
    pytest.param("9" * 5000, id="string-seconds-5000-digits"),
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0018-01-01T00:00:00.000Z", datetime(18, 1, 1, tzinfo=UTC)),
        ("0001-01-01T00:00:00.000Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59.999Z", datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        (-62135596800, datetime(1, 1, 1, tzinfo=UTC)),
        (253402300799, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        (-86400, datetime(1969, 12, 31, tzinfo=UTC)),
        ("2026-02-15T16:47:25.123456789Z", datetime(2026, 2, 15, 16, 47, 25, 123456, tzinfo=UTC)),
        ("2026-02-15T22:17:25+05:30", datetime(2026, 2, 15, 16, 47, 25, tzinfo=UTC)),
        ("2026-02-15 16:47:25 UTC", datetime(2026, 2, 15, 16, 47, 25, tzinfo=UTC)),
        ("2026-02-15T16:47:25", datetime(2026, 2, 15, 16, 47, 25, tzinfo=UTC)),
        ("1739400123.5", _at(1739400123.5)),
        ("0", None),
        ("", None),
    ],
)
def test_every_representable_form_reads_as_a_utc_datetime(raw: object, expected: datetime | None) -> None:
    conversation = Conversation.model_validate(SERVER_CONVERSATION | {"snoozed_until": raw})
    assert conversation.snoozed_until == expected
    assert conversation.snoozed_until is None or conversation.snoozed_until.utcoffset() == timedelta(0)
    assert conversation.raw_times == {}


@pytest.mark.parametrize("raw", UNREPRESENTABLE)
@pytest.mark.parametrize("field", ["snoozed_until", "created_at", "updated_at", "last_activity_at"])
def test_a_time_python_cannot_hold_reads_none_and_is_kept_as_sent(field: str, raw: object) -> None:
    conversation = Conversation.model_validate(SERVER_CONVERSATION | {field: raw})

    assert getattr(conversation, field) is None
    assert conversation.raw_times == {field: raw}
    # Only that field: the rest of the record reads as usual.
    assert conversation.id == 42 and conversation.labels == ["billing", "vip"]
    assert conversation.waiting_since == _at(1739400000)


@pytest.mark.parametrize("raw", UNREPRESENTABLE)
def test_toggle_status_answers_and_messages_keep_odd_times_too(raw: object) -> None:
    answer = ConversationToggleStatusResponse.model_validate(
        {"success": True, "conversation_id": 42, "current_status": "snoozed", "snoozed_until": raw}
    )
    assert answer.snoozed_until is None and answer.raw_times == {"snoozed_until": raw}

    message = Message.model_validate(SERVER_MESSAGE | {"created_at": raw})
    assert message.created_at is None and message.raw_times == {"created_at": raw}
    conversation = Conversation.model_validate(
        SERVER_CONVERSATION | {"messages": [SERVER_MESSAGE | {"created_at": raw}]}
    )
    assert conversation.raw_times == {}
    assert conversation.messages[0].raw_times == {"created_at": raw}


def test_raw_times_is_a_copy_and_stays_out_of_dumps() -> None:
    conversation = Conversation.model_validate(SERVER_CONVERSATION | {"snoozed_until": "10000-01-01T00:00:00.000Z"})
    conversation.raw_times.clear()
    assert conversation.raw_times == {"snoozed_until": "10000-01-01T00:00:00.000Z"}
    assert conversation.model_dump()["snoozed_until"] is None
    assert "raw_times" not in conversation.model_dump()


@pytest.mark.parametrize("raw", ["tomorrow", "2026-02-30T00:00:00Z", "2026-13-01", {"at": 1}, [1739400000], False])
def test_a_value_that_is_not_a_time_is_still_a_validation_error(raw: object) -> None:
    with pytest.raises(ValidationError):
        Conversation.model_validate(SERVER_CONVERSATION | {"snoozed_until": raw})


@pytest.mark.anyio
async def test_one_odd_record_never_makes_a_list_or_a_read_fail(kind: Kind) -> None:
    odd = SERVER_CONVERSATION | {"id": 43, "snoozed_until": "-0001-01-01T00:00:00.000Z", "updated_at": 2**63}
    counts = {"mine_count": 0, "assigned_count": 2, "unassigned_count": 0, "all_count": 2}
    script = Script(
        Reply(200, {"data": {"meta": counts, "payload": [SERVER_CONVERSATION, odd]}}),
        Reply(200, odd),
        Reply(200, {"meta": counts}),
    )
    client = mock_client(kind, script)

    page = await resolve(client.conversations.list(1, status="all"))
    one = await resolve(client.conversations.get(1, 43))
    totals = await resolve(client.conversations.get_counts(1))

    assert [c.id for c in page] == [42, 43]
    assert page[0].raw_times == {} and page[0].updated_at == _at(1739400123.456789)
    for conversation in (page[1], one):
        assert (conversation.snoozed_until, conversation.updated_at) == (None, None)
        assert conversation.raw_times == {"snoozed_until": "-0001-01-01T00:00:00.000Z", "updated_at": 2**63}
        assert conversation.created_at == _at(1739400000)
    assert totals.all_count == 2
