"""filter_conversations validation, set_priority, update_custom_attributes, and name resolution."""

from __future__ import annotations

import pytest

from chatwoot_mcp.edges.untrusted import unwrap_data
from chatwoot_sandbox import DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID, SandboxState
from tests.server.triage_fixtures import Asker, connect, posts, text

CONVERSATION = LONG_CONVERSATION_ID


@pytest.mark.anyio
async def test_filter_with_bad_operator_is_refused_before_any_http_call() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        await client.list_tools()
        before = len(state.requests)
        result = await client.call_tool(
            "filter_conversations",
            {"conditions": [{"attribute_key": "status", "filter_operator": "contains", "values": ["open"]}]},
        )
    assert result.is_error
    assert "equal_to, not_equal_to" in text(result)
    assert "nothing was sent" in text(result)
    assert len(state.requests) == before


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([{"attribute_key": "priority", "filter_operator": "equal_to", "values": []}], "values must not be empty"),
        ([{"attribute_key": "status", "filter_operator": "equal_to", "values": ["closed"]}], "status is one of"),
        (
            [
                {"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"]},
                {"attribute_key": "priority", "filter_operator": "equal_to", "values": ["high"]},
            ],
            "query_operator must be AND or OR",
        ),
        ([{"attribute_key": "order_id", "filter_operator": "days_before", "values": ["3"]}], "custom attribute"),
        ([], "at least one condition"),
    ],
)
async def test_filter_validation_errors(conditions: list[dict[str, object]], expected: str) -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool("filter_conversations", {"conditions": conditions})
    assert result.is_error and expected in text(result)
    assert posts(state, "/filter") == []


@pytest.mark.anyio
async def test_filter_sends_valid_conditions_and_returns_a_page() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "filter_conversations",
            {
                "conditions": [
                    {
                        "attribute_key": "status",
                        "filter_operator": "equal_to",
                        "values": ["OPEN"],
                        "query_operator": "and",
                    },
                    {"attribute_key": "assignee_id", "filter_operator": "is_not_present", "query_operator": "AND"},
                ]
            },
        )
    assert not result.is_error, text(result)
    data = result.structured_content or {}
    assert data["conversations"] and all(c["status"] == "open" and "assignee" not in c for c in data["conversations"])
    [request] = posts(state, "/filter")
    assert request.json == {
        "payload": [
            {"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"], "query_operator": "AND"},
            {"attribute_key": "assignee_id", "filter_operator": "is_not_present", "values": [], "query_operator": None},
        ]
    }


@pytest.mark.anyio
async def test_filter_unknown_custom_key_comes_back_as_chatwoot_error() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool(
            "filter_conversations",
            {"conditions": [{"attribute_key": "phone_number", "filter_operator": "equal_to", "values": ["1"]}]},
        )
    assert result.is_error and "Invalid attribute key" in text(result)
    assert len(posts(state, "/filter")) == 1


@pytest.mark.anyio
async def test_set_priority_and_clear() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool("set_priority", {"conversation_id": CONVERSATION, "priority": "urgent"})
        assert not result.is_error, text(result)
        assert (result.structured_content or {})["priority"] == "urgent"
        assert state.conversation(DEMO_ACCOUNT_ID, CONVERSATION).priority == "urgent"
        cleared = await client.call_tool("set_priority", {"conversation_id": CONVERSATION, "priority": None})
    assert not cleared.is_error, text(cleared)
    assert "priority" not in (cleared.structured_content or {})
    assert state.conversation(DEMO_ACCOUNT_ID, CONVERSATION).priority is None


@pytest.mark.anyio
async def test_custom_attributes_are_merged_without_losing_keys() -> None:
    state = SandboxState.demo()
    conversation = state.conversation(DEMO_ACCOUNT_ID, CONVERSATION)
    conversation.custom_attributes = {"plan": "pro", "order_id": "A-1"}
    async with connect(state) as client:
        result = await client.call_tool(
            "update_custom_attributes",
            {"conversation_id": CONVERSATION, "attributes": {"order_id": "A-2", "refund_amount": 40}},
        )
        assert not result.is_error, text(result)
        data = result.structured_content or {}
        assert unwrap_data(data["before"]) == {"plan": "pro", "order_id": "A-1"}
        assert unwrap_data(data["after"]) == {"plan": "pro", "order_id": "A-2", "refund_amount": 40}
        assert unwrap_data(data["added"]) == ["refund_amount"] and unwrap_data(data["updated"]) == ["order_id"]
        assert data["written"] is True and "concurrent_change" not in data
        assert conversation.custom_attributes == {"plan": "pro", "order_id": "A-2", "refund_amount": 40}

        removed = await client.call_tool(
            "update_custom_attributes", {"conversation_id": CONVERSATION, "remove_keys": ["refund_amount"]}
        )
        assert unwrap_data((removed.structured_content or {})["removed"]) == ["refund_amount"]
        assert conversation.custom_attributes == {"plan": "pro", "order_id": "A-2"}

        writes = len(posts(state, "/custom_attributes"))
        same = await client.call_tool(
            "update_custom_attributes", {"conversation_id": CONVERSATION, "attributes": {"plan": "pro"}}
        )
        assert (same.structured_content or {})["written"] is False
        assert len(posts(state, "/custom_attributes")) == writes


@pytest.mark.anyio
async def test_custom_attributes_replace_needs_proof() -> None:
    state = SandboxState.demo()
    conversation = state.conversation(DEMO_ACCOUNT_ID, CONVERSATION)
    conversation.custom_attributes = {"plan": "pro", "order_id": "A-1"}
    async with connect(state) as client:
        refused = await client.call_tool(
            "update_custom_attributes",
            {"conversation_id": CONVERSATION, "attributes": {"plan": "free"}, "replace": True},
        )
        assert refused.is_error and "expected_attributes" in text(refused)
        stale = await client.call_tool(
            "update_custom_attributes",
            {
                "conversation_id": CONVERSATION,
                "attributes": {"plan": "free"},
                "replace": True,
                "expected_attributes": {},
            },
        )
        assert stale.is_error and "not what you expected" in text(stale)
        assert posts(state, "/custom_attributes") == []
        done = await client.call_tool(
            "update_custom_attributes",
            {
                "conversation_id": CONVERSATION,
                "attributes": {"plan": "free"},
                "replace": True,
                "expected_attributes": {"plan": "pro", "order_id": "A-1"},
            },
        )
    assert not done.is_error, text(done)
    assert unwrap_data((done.structured_content or {})["removed"]) == ["order_id"]
    assert conversation.custom_attributes == {"plan": "free"}


@pytest.mark.anyio
async def test_custom_attributes_replace_declined_by_user() -> None:
    state = SandboxState.demo()
    conversation = state.conversation(DEMO_ACCOUNT_ID, CONVERSATION)
    conversation.custom_attributes = {"plan": "pro"}
    asker = Asker("decline")
    async with connect(state, asker) as client:
        result = await client.call_tool(
            "update_custom_attributes", {"conversation_id": CONVERSATION, "attributes": {}, "replace": True}
        )
    assert result.is_error
    assert len(asker.questions) == 1 and "plan" in asker.questions[0]
    assert conversation.custom_attributes == {"plan": "pro"}


@pytest.mark.anyio
async def test_ambiguous_agent_name_returns_candidates() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        result = await client.call_tool("assign_conversation", {"conversation_id": CONVERSATION, "agent": "Alex"})
    assert result.is_error
    assert "Alex Kim" in text(result) and "Alex Morgan" in text(result)
    assert posts(state, "/assignments") == []
