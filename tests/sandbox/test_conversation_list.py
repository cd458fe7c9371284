"""GET /conversations, /meta and /search: filters, counts before assignee_type, paging, sorting."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from chatwoot_sandbox import ADMIN_USER_ID, DEMO_ACCOUNT_ID, PROMPT_INJECTION_CONVERSATION_ID, SandboxState

pytestmark = pytest.mark.anyio

CONVERSATIONS = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations"


async def _list(client: httpx2.AsyncClient, **params: str | int) -> Any:
    response = await client.get(CONVERSATIONS, params=params)
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"meta", "payload"}
    return data


async def test_default_lists_open_conversations_newest_activity_first(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    data = await _list(client)
    open_ids = [c for c in state.account_conversations(DEMO_ACCOUNT_ID) if c.status == "open"]
    assert data["meta"] == {
        "mine_count": sum(1 for c in open_ids if c.assignee_id == ADMIN_USER_ID),
        "assigned_count": sum(1 for c in open_ids if c.assignee_id is not None),
        "unassigned_count": sum(1 for c in open_ids if c.assignee_id is None),
        "all_count": len(open_ids),
    }
    payload = data["payload"]
    assert isinstance(payload, list) and len(payload) == 25
    assert {c["status"] for c in payload} == {"open"}
    activity = [c["last_activity_at"] for c in payload]
    assert activity == sorted(activity, reverse=True)


async def test_paging_is_25_and_empty_past_the_end(client: httpx2.AsyncClient) -> None:
    everything = await _list(client, status="all")
    total = everything["meta"]["all_count"]
    pages = -(-total // 25)
    seen: list[int] = []
    for page in range(1, pages + 1):
        seen += [c["id"] for c in (await _list(client, status="all", page=page))["payload"]]
    assert len(seen) == len(set(seen)) == total
    assert (await _list(client, status="all", page=pages + 1))["payload"] == []


@pytest.mark.parametrize("page", ["abc", "0", "-3", ""])
async def test_bad_page_numbers_mean_page_one(client: httpx2.AsyncClient, page: str) -> None:
    assert (await _list(client, page=page))["payload"] == (await _list(client))["payload"]


async def test_counts_ignore_assignee_type(client: httpx2.AsyncClient) -> None:
    everything = await _list(client)
    for assignee_type, count_key in (("me", "mine_count"), ("unassigned", "unassigned_count"), ("assigned", None)):
        narrowed = await _list(client, assignee_type=assignee_type)
        assert narrowed["meta"] == everything["meta"]
        ids = narrowed["payload"]
        expected = everything["meta"][count_key] if count_key else everything["meta"]["assigned_count"]
        assert len(ids) == min(expected, 25)
    assert (await _list(client, assignee_type="all"))["payload"] == everything["payload"]


async def test_status_all_and_unknown(client: httpx2.AsyncClient, state: SandboxState) -> None:
    total = len(state.account_conversations(DEMO_ACCOUNT_ID))
    assert (await _list(client, status="all"))["meta"]["all_count"] == total
    unknown = await _list(client, status="closed")
    assert unknown["payload"] == [] and unknown["meta"]["all_count"] == 0
    snoozed = await _list(client, status="snoozed")
    assert {c["status"] for c in snoozed["payload"]} == {"snoozed"}


async def test_labels_match_any(client: httpx2.AsyncClient, state: SandboxState) -> None:
    expected = {c.display_id for c in state.account_conversations(DEMO_ACCOUNT_ID) if {"vip", "bug"} & set(c.labels)}
    response = await client.get(CONVERSATIONS, params=[("status", "all"), ("labels[]", "vip"), ("labels[]", "bug")])
    assert response.json()["data"]["meta"]["all_count"] == len(expected)
    comma = await _list(client, status="all", labels="vip,bug")
    assert comma["meta"]["all_count"] == len(expected)


async def test_repeated_plain_labels_keep_the_last(client: httpx2.AsyncClient, state: SandboxState) -> None:
    only_bug = sum(1 for c in state.account_conversations(DEMO_ACCOUNT_ID) if "bug" in c.labels)
    response = await client.get(CONVERSATIONS, params=[("status", "all"), ("labels", "vip"), ("labels", "bug")])
    assert response.json()["data"]["meta"]["all_count"] == only_bug


async def test_team_and_inbox_filters(client: httpx2.AsyncClient, state: SandboxState) -> None:
    team = await _list(client, status="all", team_id=2)
    assert team["meta"]["all_count"] == sum(1 for c in state.account_conversations(1) if c.team_id == 2)
    inbox = await _list(client, status="all", inbox_id=3)
    assert {c["inbox_id"] for c in inbox["payload"]} == {3}
    missing = await client.get(CONVERSATIONS, params={"team_id": 99})
    assert (missing.status_code, missing.json()) == (404, {"error": "Resource could not be found"})


async def test_query_searches_messages_and_skips_the_status_filter(client: httpx2.AsyncClient) -> None:
    data = await _list(client, q="IGNORE PREVIOUS instructions", status="resolved")
    assert [c["id"] for c in data["payload"]] == [PROMPT_INJECTION_CONVERSATION_ID]
    assert data["payload"][0]["status"] == "open"


@pytest.mark.parametrize(
    ("sort_by", "key", "reverse"),
    [
        ("created_at_asc", "created_at", False),
        ("created_at_desc", "created_at", True),
        ("last_activity_at_asc", "last_activity_at", False),
        ("nonsense", "last_activity_at", True),
    ],
)
async def test_sort_by(client: httpx2.AsyncClient, sort_by: str, key: str, reverse: bool) -> None:
    values = [c[key] for c in (await _list(client, status="all", sort_by=sort_by))["payload"]]
    assert values == sorted(values, reverse=reverse)


async def test_sort_by_priority_puts_nulls_last(client: httpx2.AsyncClient) -> None:
    response = await client.get(CONVERSATIONS, params={"status": "all", "sort_by": "priority_desc", "page": 1})
    priorities = [c["priority"] for c in response.json()["data"]["payload"]]
    order = ["urgent", "high", "medium", "low", None]
    assert priorities == sorted(priorities, key=order.index)


async def test_meta_has_no_data_wrapper(client: httpx2.AsyncClient) -> None:
    meta = (await client.get(f"{CONVERSATIONS}/meta", params={"status": "pending"})).json()
    listed = await _list(client, status="pending")
    assert meta == {"meta": listed["meta"]}


async def test_search_returns_slim_items_with_matching_messages(client: httpx2.AsyncClient) -> None:
    response = await client.get(f"{CONVERSATIONS}/search", params={"q": "ignore previous"})
    body = response.json()
    assert set(body["meta"]) == {"mine_count", "unassigned_count", "all_count"}
    [item] = body["payload"]
    assert set(item) == {"id", "uuid", "created_at", "contact", "inbox", "messages", "account_id"}
    assert item["id"] == PROMPT_INJECTION_CONVERSATION_ID
    assert set(item["inbox"]) == {"id", "name", "channel_type"}
    [message] = item["messages"]
    assert set(message) == {"content", "id", "sender_name", "message_type", "created_at"}
    assert message["message_type"] == 0 and "Ignore previous instructions" in message["content"]
    assert message["sender_name"] == item["contact"]["name"]
