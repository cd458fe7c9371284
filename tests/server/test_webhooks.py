"""POST /webhooks/chatwoot: signed deliveries recorded as events; every bad one refused with nothing recorded.

Most tests drive the receiver as the HTTP app mounts it (ASGI, in front of authentication) over an in-process
state, and then read that state's stream; the last ones serve the whole HTTP app with uvicorn on a loopback port,
with a bearer token or per-user tokens configured, and read the events back through list_events.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from chatwoot_mcp.config import ConfigError, Settings, load_settings
from chatwoot_mcp.events.receiver import MAX_BODY, PATH, WebhookReceiver
from chatwoot_mcp.http.transports import http_app
from chatwoot_mcp.server import create_server
from chatwoot_mcp.state import MemoryState
from chatwoot_sandbox import ADMIN_TOKEN, AGENT_TOKEN, SandboxState, create_app

from .conftest import BASE_ENV, SANDBOX_URL, free_port, http_server, structured, text_of
from .team_support import served
from .webhook_support import SECRET, conversation_payload, message_payload, signed

pytestmark = pytest.mark.anyio

OLD_SECRET = "oLdSecretFromBefore4.12xyzABCDEFG"


def settings_with(**env: str) -> Settings:
    return load_settings({**BASE_ENV, "CHATWOOT_MCP_WEBHOOK_SECRET": SECRET, **env}, transport="streamable-http")


async def _nothing_else(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b"not here"})


@asynccontextmanager
async def receiver(settings: Settings | None = None) -> AsyncIterator[tuple[httpx2.AsyncClient, MemoryState]]:
    """The receiver over a fresh in-process state, and an HTTP client that reaches it."""
    state = MemoryState("test")
    app = WebhookReceiver(_nothing_else, settings or settings_with(), lambda: state)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://mcp.test") as http:
        yield http, state


async def recorded(state: Any) -> list[Any]:
    return await state.event_read("0-0", 1000, 0)


async def post(http: httpx2.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx2.Response:
    return await http.post(PATH, content=body, headers=headers)


# -- the signature and what surrounds it ---------------------------------------------------------------------------


async def test_a_signed_delivery_is_recorded() -> None:
    async with receiver() as (http, state):
        response = await post(http, *signed(message_payload("I need a refund")))
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "ok", "events": 1}
        [event] = await recorded(state)
    assert (event.kind, event.account_id, event.conversation_id) == ("customer_message", 1, 42)
    assert event.data["content"] == "I need a refund" and event.data["source"] == "webhook"


async def test_a_bad_signature_is_refused_and_nothing_recorded() -> None:
    async with receiver() as (http, state):
        body, headers = signed(message_payload("hello"), "wrongSecretWrongSecret")
        response = await post(http, body, headers)
        assert response.status_code == 401 and response.json() == {"error": "bad signature"}
        # The signed bytes are the raw body: the same JSON re-encoded (one space more) no longer verifies.
        body, headers = signed(message_payload("hello"))
        assert (await post(http, body.replace(b'": ', b'":  ', 1), headers)).status_code == 401
        assert await recorded(state) == []


async def test_every_configured_secret_verifies_for_rotation() -> None:
    async with receiver(settings_with(CHATWOOT_MCP_WEBHOOK_SECRET=f"{SECRET},{OLD_SECRET}")) as (http, state):
        assert (await post(http, *signed(message_payload("new"), SECRET))).status_code == 200
        assert (await post(http, *signed(message_payload("old", message_id=102), OLD_SECRET))).status_code == 200
        assert [event.data["content"] for event in await recorded(state)] == ["new", "old"]


@pytest.mark.parametrize(("offset", "reason"), [(-301, "too old"), (120, "in the future")])
async def test_a_stale_or_future_timestamp_is_refused_even_when_signed(offset: int, reason: str) -> None:
    async with receiver() as (http, state):
        response = await post(http, *signed(message_payload("hi"), timestamp=int(time.time()) + offset))
        assert response.status_code == 401 and reason in response.json()["error"]
        assert await recorded(state) == []


async def test_a_replayed_delivery_is_refused() -> None:
    async with receiver() as (http, state):
        body, headers = signed(message_payload("once"))
        assert (await post(http, body, headers)).status_code == 200
        assert (await post(http, body, headers)).status_code == 409
        # The delivery id is not signed: a replay under a new id is still the same signed bytes.
        assert (await post(http, body, headers | {"X-Chatwoot-Delivery": "another-id"})).status_code == 409
        # A new delivery (new id, new signature) reusing an old delivery id is a replay too.
        body2, headers2 = signed(message_payload("twice", message_id=999), delivery=headers["X-Chatwoot-Delivery"])
        assert (await post(http, body2, headers2)).status_code == 409
        assert [event.data["content"] for event in await recorded(state)] == ["once"]


async def test_an_oversized_body_is_refused_before_it_is_read() -> None:
    async with receiver() as (http, state):
        body, headers = signed(b"x" * (MAX_BODY + 1))
        response = await post(http, body, headers)
        assert response.status_code == 413

        sent = 0

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the cap holds while reading
            nonlocal sent
            for _ in range(64):
                sent += 1
                yield b"y" * 65536

        response = await http.post(PATH, content=chunks(), headers=headers)
        assert response.status_code == 413
        assert sent < 64, "the receiver read on past its cap"
        assert await recorded(state) == []


async def test_another_accounts_delivery_is_refused() -> None:
    async with receiver() as (http, state):
        response = await post(http, *signed(message_payload("hi", account_id=2)))
        assert response.status_code == 403
        assert await recorded(state) == []


@pytest.mark.parametrize("missing", ["X-Chatwoot-Signature", "X-Chatwoot-Timestamp", "X-Chatwoot-Delivery"])
async def test_a_missing_header_is_refused(missing: str) -> None:
    async with receiver() as (http, state):
        body, headers = signed(message_payload("hi"))
        del headers[missing]
        assert (await post(http, body, headers)).status_code == 401
        assert await recorded(state) == []


async def test_other_methods_and_bodies_that_are_not_json_objects() -> None:
    async with receiver() as (http, state):
        assert (await http.get(PATH)).status_code == 405
        assert (await post(http, *signed(b"[1, 2]"))).status_code == 400
        assert (await post(http, *signed(b"not json"))).status_code == 400
        assert (await http.get("/elsewhere")).status_code == 404  # every other path passes on
        assert await recorded(state) == []


# -- what each payload becomes -----------------------------------------------------------------------------------


async def deliver(payload: dict[str, Any]) -> list[Any]:
    async with receiver() as (http, state):
        response = await post(http, *signed(payload))
        assert response.status_code == 200, response.text
        return await recorded(state)


async def test_each_kind_is_mapped() -> None:
    agent = {"id": 3, "name": "Agent A", "type": "user"}
    team = {"id": 2, "name": "billing"}
    [created] = await deliver(conversation_payload("conversation_created", labels=["vip"]))
    assert created.kind == "conversation_created"
    assert created.data | {"source": "-"} == {
        "status": "open", "inbox_id": 1, "contact": "Jane <b>Doe</b>", "labels": ["vip"], "source": "-",
    }  # fmt: skip

    [status] = await deliver(conversation_payload("conversation_status_changed", status="resolved"))
    assert (status.kind, status.data["status"]) == ("status_changed", "resolved")

    changed = [
        {"assignee_id": {"previous_value": None, "current_value": 3}},
        {"team_id": {"previous_value": 1, "current_value": 2}},
        {"updated_at": {"previous_value": "a", "current_value": "b"}},
    ]
    [assigned] = await deliver(conversation_payload("conversation_updated", assignee=agent, team=team, changed=changed))
    assert assigned.kind == "assigned"
    assert assigned.data["assignee"] == {"id": 3, "name": "Agent A"} and assigned.data["team"] == team
    assert assigned.data["previous_team_id"] == 1 and "previous_assignee_id" not in assigned.data

    changed = [{"label_list": {"previous_value": ["vip"], "current_value": ["vip", "refund"]}}]
    [labelled] = await deliver(conversation_payload("conversation_updated", labels=["vip", "refund"], changed=changed))
    assert labelled.kind == "labelled"
    assert labelled.data | {"source": "-"} == {
        "labels": ["vip", "refund"], "added": ["refund"], "removed": [], "source": "-", "inbox_id": 1,
    }  # fmt: skip

    [customer] = await deliver(message_payload("I need a refund"))
    assert (customer.kind, customer.data["author"], customer.data["author_type"]) == (
        "customer_message", "Jane", "contact",
    )  # fmt: skip
    [reply] = await deliver(message_payload("On it", message_type="outgoing"))
    assert (reply.kind, reply.data["author"], reply.data["author_type"]) == ("agent_message", "Agent A", "user")
    [note] = await deliver(message_payload("VIP, careful", message_type="outgoing", private=True))
    assert (note.kind, note.data["content"]) == ("private_note", "VIP, careful")


@pytest.mark.parametrize(
    "payload",
    [
        {"event": "contact_updated", "account": {"id": 1}, "id": 7, "changed_attributes": [
            {"last_activity_at": {"previous_value": None, "current_value": "2026-06-17T09:04:00.000Z"}}]},
        message_payload("edited", event="message_updated"),
        {"event": "conversation_typing_on", "conversation": conversation_payload("conversation_updated"),
         "user": {"id": 3, "name": "Agent A", "type": "user"}, "is_private": False},
        conversation_payload("conversation_updated", changed=[{"waiting_since": {"previous_value": 0,
                                                                                 "current_value": 5}}]),
    ],
    ids=["contact_updated", "message_updated", "typing", "noise-only update"],
)  # fmt: skip
async def test_noise_makes_no_event(payload: dict[str, Any]) -> None:
    assert await deliver(payload) == []


async def test_a_status_change_delivered_twice_is_one_event() -> None:
    """A status change fires conversation_updated (with the previous status) and conversation_status_changed
    (changed_attributes null) for the same record: whichever arrives first is recorded."""
    async with receiver() as (http, state):
        changed = [{"status": {"previous_value": "open", "current_value": "resolved"}}]
        updated = conversation_payload("conversation_updated", status="resolved", changed=changed)
        assert (await post(http, *signed(updated))).json()["events"] == 1
        sibling = conversation_payload("conversation_status_changed", status="resolved")
        assert (await post(http, *signed(sibling))).json()["events"] == 0
        [event] = await recorded(state)
        assert event.data["status"] == "resolved" and event.data["previous"] == "open"
        # A later change of the same conversation is a new event.
        again = conversation_payload("conversation_status_changed", status="open", updated_at=1781687999.5)
        assert (await post(http, *signed(again))).json()["events"] == 1


async def test_a_payload_without_an_account_belongs_to_the_only_account() -> None:
    """Chatwoot before 4.15 sends conversation payloads without `account`: with one account served, it is that."""
    events = await deliver(conversation_payload("conversation_created", account_id=None))
    assert [(e.kind, e.account_id) for e in events] == [("conversation_created", 1)]
    async with receiver(settings_with(CHATWOOT_ACCOUNT_ID="1,2")) as (http, state):
        response = await post(http, *signed(conversation_payload("conversation_created", account_id=None)))
        assert response.status_code == 403 and await recorded(state) == []


# -- settings --------------------------------------------------------------------------------------------------


def test_the_secret_is_a_secret_and_must_look_like_one() -> None:
    settings = settings_with(CHATWOOT_MCP_WEBHOOK_SECRET=f" {SECRET} , {OLD_SECRET} ")
    assert settings.webhook_secrets == (SECRET, OLD_SECRET)
    assert SECRET in settings.secrets and OLD_SECRET in settings.secrets
    assert SECRET not in repr(settings)
    assert load_settings(BASE_ENV, webhook_secret=SECRET).webhook_secrets == (SECRET,)
    with pytest.raises(ConfigError) as error:
        settings_with(CHATWOOT_MCP_WEBHOOK_SECRET="short")
    assert "CHATWOOT_MCP_WEBHOOK_SECRET" in str(error.value) and "short" not in str(error.value)
    assert not load_settings({**BASE_ENV, "CHATWOOT_MCP_WEBHOOK_SECRET": SECRET}).webhooks  # stdio: polling


# -- over a real loopback server ---------------------------------------------------------------------------------


@asynccontextmanager
async def loopback(state: SandboxState, env: dict[str, str]) -> AsyncIterator[str]:
    settings = load_settings(env, transport="streamable-http", port=free_port())
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))
    app = http_app(create_server(settings, shared_http=http), settings, http)
    async with http, served(app, settings.port, lifespan="on") as base:
        yield base


@asynccontextmanager
async def mcp_client(base: str, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    async with http, Client(streamable_http_client(f"{base}/mcp", http_client=http), cache=None) as client:
        yield client


async def test_over_loopback_the_route_needs_a_signature_never_the_bearer() -> None:
    token = "a-bearer-token-of-the-mcp-server-0123"
    env = {**BASE_ENV, "CHATWOOT_MCP_WEBHOOK_SECRET": SECRET, "CHATWOOT_MCP_HTTP_TOKEN": token}
    async with loopback(SandboxState.demo(), env) as base, httpx2.AsyncClient(base_url=base) as http:
        body = json.dumps(message_payload("hello from Jane")).encode()
        bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        assert (await http.post(PATH, content=body, headers=bearer)).status_code == 401
        assert (await http.post("/mcp", content=b"{}", headers={"Content-Type": "application/json"})).status_code == 401

        async with mcp_client(base, token) as client:
            empty = structured(await client.call_tool("list_events", {}))
            assert empty["events"] == [] and empty["source"] == "webhooks"

            assert (await http.post(PATH, content=body, headers=signed(body)[1])).status_code == 200
            result = await client.call_tool("list_events", {"since": empty["next_since"]})
        [event] = structured(result)["events"]
        assert event["kind"] == "customer_message"
        assert event["content"] == "<untrusted>hello from Jane</untrusted>"
        assert "source: webhooks" in text_of(result)


async def test_over_loopback_without_a_secret_there_is_no_route() -> None:
    async with loopback(SandboxState.demo(), dict(BASE_ENV)) as base, httpx2.AsyncClient(base_url=base) as http:
        assert (await http.post(PATH, content=b"{}", headers=signed(b"{}")[1])).status_code == 404


async def test_per_user_tokens_route_open_without_a_bearer_and_users_see_their_accounts_and_inboxes_only() -> None:
    env = {
        "CHATWOOT_BASE_URL": SANDBOX_URL,
        "CHATWOOT_ACCOUNT_ID": "1,2",
        "CHATWOOT_MCP_AUTH": "chatwoot-token",
        "CHATWOOT_MCP_WEBHOOK_SECRET": SECRET,
    }
    async with loopback(SandboxState.demo(), env) as base, httpx2.AsyncClient(base_url=base) as http:
        for account in (1, 2):
            payload = message_payload(f"for account {account}", account_id=account, message_id=100 + account)
            response = await http.post(PATH, content=(signed_body := signed(payload))[0], headers=signed_body[1])
            assert response.status_code == 200, response.text
        # Inbox 2 (email) is one the agent is not a member of: Chatwoot would not show her its conversations.
        payload = message_payload("in the email inbox", account_id=1, message_id=200, inbox_id=2)
        response = await http.post(PATH, content=(signed_body := signed(payload))[0], headers=signed_body[1])
        assert response.status_code == 200, response.text
        async with mcp_client(base, AGENT_TOKEN) as agent, mcp_client(base, ADMIN_TOKEN) as admin:
            mine = structured(await agent.call_tool("list_events", {"account_id": 1}))["events"]
            assert [e["content"] for e in mine] == ["<untrusted>for account 1</untrusted>"]
            everything = structured(await admin.call_tool("list_events", {"account_id": 1}))["events"]
            assert [e["content"] for e in everything] == [
                "<untrusted>for account 1</untrusted>", "<untrusted>in the email inbox</untrusted>",
            ]  # fmt: skip
            refused = await agent.call_tool("list_events", {"account_id": 2})
            assert refused.is_error and "not a member of account 2" in text_of(refused)
            theirs = structured(await admin.call_tool("list_events", {"account_id": 2}))["events"]
            assert [e["content"] for e in theirs] == ["<untrusted>for account 2</untrusted>"]


async def test_the_sse_transport_has_the_route_too() -> None:
    settings = load_settings({**BASE_ENV, "CHATWOOT_MCP_WEBHOOK_SECRET": SECRET}, transport="sse", port=free_port())
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(SandboxState.demo())))
    server = create_server(settings, shared_http=http)
    app = http_app(server, settings, http)
    async with http, served(app, settings.port, lifespan="on") as base, httpx2.AsyncClient(base_url=base) as client:
        bad = await client.post(PATH, content=b"{}", headers={"Content-Type": "application/json"})
        assert bad.status_code == 401
        response = await client.post(PATH, content=(delivery := signed(message_payload("over sse")))[0],
                                     headers=delivery[1])  # fmt: skip
        assert response.status_code == 200, response.text
        shared = server.shared_state()
        assert shared is not None
        events = await shared.event_read(None, 10, 0)
    assert [event.data["content"] for event in events] == ["over sse"]


async def test_serve_sandbox_over_http_delivers_its_own_webhooks(tmp_path: Any) -> None:
    """`serve --sandbox --transport streamable-http`: the embedded sandbox has a webhook pointing at the server's own
    receiver (its secret generated), so a write made through a tool comes back as an event from webhooks."""
    async with http_server(tmp_path, "streamable-http") as process, mcp_client(process.base, None) as client:
        cursor = structured(await client.call_tool("list_events", {}))["next_since"]
        note = await client.call_tool("add_private_note", {"conversation_id": 1, "content": "checked the refund"})
        assert not note.is_error, text_of(note)
        result = await client.call_tool("list_events", {"since": cursor, "wait_seconds": 10})
        page = structured(result)
        assert page["source"] == "webhooks", text_of(result)
        assert [(e["kind"], e["conversation_id"], e["content"]) for e in page["events"]] == [
            ("private_note", 1, "checked the refund")
        ], text_of(result)
        assert "(agents only)" in text_of(result)

        # A status change fires conversation_status_changed and conversation_updated: one event comes of them.
        status = await client.call_tool("toggle_status", {"conversation_id": 1, "status": "resolved"})
        assert not status.is_error, text_of(status)
        await anyio.sleep(1.0)  # the sandbox's jobs build and send both deliveries
        changed = structured(await client.call_tool("list_events", {"since": page["next_since"], "wait_seconds": 5}))
    assert [(e["kind"], e["status"]) for e in changed["events"]] == [("status_changed", "resolved")], changed
