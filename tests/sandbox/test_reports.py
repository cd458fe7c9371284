"""Reports (v2), drafts and the /conversations/meta throttle, as the sandbox answers them: Chatwoot's quirks
(chatwoot-api-events.md §4, §5.5; the 4.12 throttle of §0.2)."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_sandbox import ADMIN_TOKEN, AGENT_TOKEN, BOT_TOKEN, SandboxState, create_app
from chatwoot_sandbox.actions import add_message
from chatwoot_sandbox.records import INCOMING, OUTGOING, Conversation
from chatwoot_sandbox.seed import SEED_NOW

pytestmark = pytest.mark.anyio

V2 = "/api/v2/accounts/1"
NOV = {"since": str(int(SEED_NOW - 30 * 86400)), "until": str(int(SEED_NOW))}
AGENT = {"api_access_token": AGENT_TOKEN}
ADMIN = {"api_access_token": ADMIN_TOKEN}


async def test_summary_without_a_range_is_zeros_not_all_time(client: httpx2.AsyncClient) -> None:
    full = (await client.get(f"{V2}/reports/summary", params={"type": "account"} | NOV)).json()
    assert full["conversations_count"] > 0 and full["resolutions_count"] > 0
    assert isinstance(full["avg_resolution_time"], float)
    empty = (await client.get(f"{V2}/reports/summary", params={"type": "account", "since": NOV["since"]})).json()
    assert empty["conversations_count"] == 0 and empty["resolutions_count"] == 0
    assert empty["avg_first_response_time"] is None and empty["previous"]["conversations_count"] == 0


async def test_summary_parameter_quirks(client: httpx2.AsyncClient) -> None:
    assert (await client.get(f"{V2}/reports/summary", params=NOV)).status_code == 500  # no type: nil.to_sym
    assert (await client.get(f"{V2}/reports/summary", params={"type": "bogus"} | NOV)).status_code == 500
    bad_date = {"type": "account", "since": "2026-11-01", "until": NOV["until"]}
    assert (await client.get(f"{V2}/reports/summary", params=bad_date)).status_code == 500  # Date::Error
    assert (await client.get(f"{V2}/reports/summary", params={"type": "inbox", "id": "99"} | NOV)).status_code == 404
    inbox = await client.get(f"{V2}/reports/summary", params={"type": "inbox", "id": "1"} | NOV)
    assert inbox.status_code == 200 and inbox.json()["conversations_count"] > 0


async def test_the_range_is_half_open(client: httpx2.AsyncClient, state: SandboxState) -> None:
    first = min(state.account_conversations(1), key=lambda c: c.created_at)
    at = int(first.created_at)
    first.created_at = float(at)
    params = {"type": "account", "since": str(at - 10), "until": str(at)}
    assert (await client.get(f"{V2}/reports/summary", params=params)).json()["conversations_count"] == 0
    params = {"type": "account", "since": str(at), "until": str(at + 1)}
    assert (await client.get(f"{V2}/reports/summary", params=params)).json()["conversations_count"] >= 1


async def test_agent_report_counts_only_what_the_agent_sent(client: httpx2.AsyncClient) -> None:
    row = (await client.get(f"{V2}/reports/summary", params={"type": "agent", "id": "2"} | NOV)).json()
    assert row["incoming_messages_count"] == 0 and row["outgoing_messages_count"] > 0


async def test_reports_are_for_administrators(client: httpx2.AsyncClient) -> None:
    for path in ("/reports/summary", "/summary_reports/agent", "/live_reports/conversation_metrics"):
        refused = await client.get(V2 + path, params={"type": "account"} | NOV, headers=AGENT)
        assert refused.status_code == 401
        assert refused.json() == {"error": "You are not authorized to do this action"}
    bot = await client.get(f"{V2}/live_reports/conversation_metrics", headers={"api_access_token": BOT_TOKEN})
    assert bot.status_code == 401
    # LiveReportsController finds the team and checks group_by before the role.
    unknown_team = await client.get(f"{V2}/live_reports/conversation_metrics", params={"team_id": 99}, headers=AGENT)
    assert unknown_team.status_code == 404
    bad = await client.get(f"{V2}/live_reports/grouped_conversation_metrics", params={"group_by": "x"}, headers=AGENT)
    assert (bad.status_code, bad.json()) == (422, {"error": "invalid group_by"})


async def test_live_metrics_follow_the_conversations(client: httpx2.AsyncClient, state: SandboxState) -> None:
    before = (await client.get(f"{V2}/live_reports/conversation_metrics")).json()
    assert set(before) == {"open", "unattended", "unassigned", "pending"}
    conversation = next(c for c in state.account_conversations(1) if c.status == "pending")
    conversation.status, conversation.assignee_id = "open", None
    conversation.first_reply_created_at = None
    after = (await client.get(f"{V2}/live_reports/conversation_metrics")).json()
    assert after["open"] == before["open"] + 1 and after["pending"] == before["pending"] - 1
    assert after["unassigned"] == before["unassigned"] + 1 and after["unattended"] == before["unattended"] + 1
    grouped = (
        await client.get(f"{V2}/live_reports/grouped_conversation_metrics", params={"group_by": "team_id"})
    ).json()
    assert sum(row["open"] for row in grouped) == after["open"]
    assert all(set(row) == {"open", "unattended", "unassigned", "team_id"} and row["open"] for row in grouped)


async def test_summary_rows(client: httpx2.AsyncClient, state: SandboxState) -> None:
    agents = (await client.get(f"{V2}/summary_reports/agent", params=NOV)).json()
    assert [row["id"] for row in agents] == sorted(u.id for u in state.account_users(1))
    assert set(agents[0]) == {
        "id",
        "conversations_count",
        "resolved_conversations_count",
        "avg_resolution_time",
        "avg_first_response_time",
        "avg_reply_time",
    }
    empty_range = (await client.get(f"{V2}/summary_reports/team")).json()
    assert all(row["conversations_count"] == 0 and row["avg_reply_time"] is None for row in empty_range)
    labels = (await client.get(f"{V2}/summary_reports/label")).json()  # no range: all time, for labels only
    assert sum(row["conversations_count"] for row in labels) > 0
    assert all(isinstance(row["name"], str) for row in labels)


async def test_first_response_and_reply_time_come_from_the_history() -> None:
    state = SandboxState.empty()
    now = [SEED_NOW]
    state.clock = lambda: now[0]
    contact = next(c for c in state.contacts.values() if c.account_id == 1)
    conversation = Conversation(
        id=1, display_id=1, account_id=1, inbox_id=state.account_inboxes(1)[0].id, contact_id=contact.id,
        contact_inbox_id=0, uuid="u", created_at=SEED_NOW, updated_at=SEED_NOW, last_activity_at=SEED_NOW,
    )  # fmt: skip
    state.conversations[1] = conversation
    for offset, kind in ((0, INCOMING), (600, OUTGOING), (1000, INCOMING), (1300, OUTGOING)):
        now[0] = SEED_NOW + offset
        add_message(state, conversation, content="x", message_type=kind, sender=("User", 1) if kind else None)
    transport = httpx2.ASGITransport(app=create_app(state))
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox", headers=ADMIN) as http:
        params = {"type": "account", "since": str(int(SEED_NOW)), "until": str(int(SEED_NOW + 3600))}
        summary = (await http.get(f"{V2}/reports/summary", params=params)).json()
    assert summary["avg_first_response_time"] == 600.0
    assert summary["reply_time"] == (600 + 300) / 2
    assert (summary["incoming_messages_count"], summary["outgoing_messages_count"]) == (2, 2)
    assert summary["conversations_count"] == 1 and summary["avg_resolution_time"] is None


# -- drafts --------------------------------------------------------------------------------------------------


async def test_draft_put_get_delete(client: httpx2.AsyncClient, state: SandboxState) -> None:
    path = "/api/v1/accounts/1/conversations/3/draft_messages"
    assert (await client.get(path)).json() == {"has_draft": False}
    saved = await client.put(path, json={"draft_message": {"message": "Hello"}})
    assert (saved.status_code, saved.content) == (200, b"")
    assert (await client.get(path)).json() == {"has_draft": True, "message": "Hello"}
    agent_view = await client.get(path, headers={"api_access_token": AGENT_TOKEN})
    assert agent_view.json() == {"has_draft": True, "message": "Hello"}, "one draft, shared by every agent"
    deleted = await client.delete(path)
    assert (deleted.status_code, deleted.content) == (200, b"")
    assert state.conversation(1, 3).draft_message is None


# -- the /conversations/meta throttle (4.12+) ------------------------------------------------------------------


async def test_meta_is_throttled_per_token_like_rack_attack(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.clock = lambda: 60 * 1000.0 + 5
    meta = "/api/v1/accounts/1/conversations/meta"
    for _ in range(30):
        assert (await client.get(meta)).status_code == 200
    throttled = await client.get(meta)
    assert throttled.status_code == 429
    assert throttled.text == "Retry later\n" and throttled.headers["content-type"].startswith("text/plain")
    assert "retry-after" not in throttled.headers
    assert (await client.get(meta, headers=AGENT)).status_code == 200, "another user's token has its own count"
    assert (await client.get("/api/v1/accounts/1/conversations")).status_code == 200, "only meta is throttled"
    state.clock = lambda: 60 * 1001.0
    assert (await client.get(meta)).status_code == 200, "a new minute, a new window"


async def test_before_4_12_meta_is_not_throttled(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.meta_throttle = None
    for _ in range(40):
        assert (await client.get("/api/v1/accounts/1/conversations/meta")).status_code == 200
