"""POST /conversations/filter: each 422 message of the real FilterService, and left-to-right evaluation."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from chatwoot_sandbox import ADMIN_USER_ID, DEMO_ACCOUNT_ID, SandboxState

pytestmark = pytest.mark.anyio

FILTER = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/filter"
STANDARD_KEYS = (
    "status,assignee_id,inbox_id,team_id,priority,display_id,campaign_id,labels,browser_language,"
    "conversation_language,country_code,referer,created_at,last_activity_at,mail_subject"
)


def condition(key: str, operator: str, values: list[object], query_operator: str | None = None) -> dict[str, object]:
    return {"attribute_key": key, "filter_operator": operator, "values": values, "query_operator": query_operator}


async def run(client: httpx2.AsyncClient, *conditions: dict[str, object], page: int = 1) -> httpx2.Response:
    return await client.post(FILTER, params={"page": page}, json={"payload": list(conditions)})


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        (
            [condition("phone_number", "equal_to", ["1"])],
            f"Invalid attribute key - [phone_number]. The key should be one of [{STANDARD_KEYS}] "
            "or a custom attribute defined in the account.",
        ),
        (
            [condition("status", "contains", ["open"])],
            "Invalid operator. The allowed operators for status are [equal_to,not_equal_to].",
        ),
        (
            [condition("labels", "contains", ["vip"])],
            "Invalid operator. The allowed operators for labels are [equal_to,not_equal_to,is_present,is_not_present].",
        ),
        (
            [condition("status", "equal_to", ["open"], "XOR"), condition("priority", "equal_to", ["high"])],
            'Query operator must be either "AND" or "OR".',
        ),
        ([condition("priority", "equal_to", [])], "Invalid value. The values provided for priority are invalid"),
    ],
)
async def test_validation_errors(client: httpx2.AsyncClient, conditions: list[dict[str, object]], message: str) -> None:
    response = await run(client, *conditions)
    assert (response.status_code, response.json()) == (422, {"error": message})


async def test_missing_payload_is_500(client: httpx2.AsyncClient) -> None:
    response = await client.post(FILTER, json={})
    assert response.status_code == 500 and response.headers["content-type"].startswith("text/html")


async def test_status_and_priority(client: httpx2.AsyncClient, state: SandboxState) -> None:
    response = await run(
        client, condition("status", "equal_to", ["open"], "and"), condition("priority", "equal_to", ["urgent"])
    )
    body: Any = response.json()
    expected = [c for c in state.account_conversations(1) if c.status == "open" and c.priority == "urgent"]
    assert set(body) == {"meta", "payload"}
    assert set(body["meta"]) == {"mine_count", "unassigned_count", "all_count"}
    assert body["meta"]["all_count"] == len(expected)
    assert body["meta"]["mine_count"] == sum(1 for c in expected if c.assignee_id == ADMIN_USER_ID)
    assert {c["id"] for c in body["payload"]} == {c.display_id for c in expected}


async def test_status_all_and_paging(client: httpx2.AsyncClient, state: SandboxState) -> None:
    first = (await run(client, condition("status", "equal_to", ["all"]))).json()
    assert first["meta"]["all_count"] == len(state.account_conversations(1)) and len(first["payload"]) == 25
    last_page = (await run(client, condition("status", "equal_to", ["all"]), page=5)).json()
    assert last_page["payload"] == []


async def test_or_then_and_left_to_right(client: httpx2.AsyncClient, state: SandboxState) -> None:
    response = await run(
        client,
        condition("labels", "equal_to", ["vip"], "OR"),
        condition("labels", "equal_to", ["bug"], "AND"),
        condition("status", "not_equal_to", ["resolved"]),
    )
    expected = {
        c.display_id
        for c in state.account_conversations(1)
        if ("vip" in c.labels or "bug" in c.labels) and c.status != "resolved"
    }
    assert response.json()["meta"]["all_count"] == len(expected)


async def test_presence_and_custom_attributes(client: httpx2.AsyncClient, state: SandboxState) -> None:
    unassigned = (await run(client, condition("assignee_id", "is_not_present", []))).json()
    assert unassigned["meta"]["all_count"] == sum(1 for c in state.account_conversations(1) if c.assignee_id is None)
    with_order = (await run(client, condition("order_id", "is_present", []))).json()
    expected = sum(1 for c in state.account_conversations(1) if (c.custom_attributes or {}).get("order_id"))
    assert with_order["meta"]["all_count"] == expected
    pro = (await run(client, condition("plan", "equal_to", ["PRO"]))).json()
    assert {c["custom_attributes"]["plan"] for c in pro["payload"]} == {"pro"}


async def test_dates(client: httpx2.AsyncClient, state: SandboxState) -> None:
    recent = (await run(client, condition("created_at", "is_greater_than", ["2026-11-15"]))).json()
    assert recent["payload"]
    assert all(c["created_at"] >= 1794787200 for c in recent["payload"])  # 2026-11-16T00:00:00Z
    bad = await run(client, condition("created_at", "is_greater_than", ["next tuesday"]))
    assert bad.status_code == 500
