"""Account webhooks as Chatwoot serves and sends them (events doc §1): the admin-only API and its validation, then
the events the sandbox's own writes fire, their payload shapes and quirks, the signature, and the delivery rules
(one POST per subscribed event, tried once, 5 s timeout, payload built when the job runs)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import uuid
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chatwoot_sandbox import (
    AGENT_TOKEN,
    API_INBOX_ID,
    BOT_TOKEN,
    DEMO_ACCOUNT_ID,
    LONG_CONVERSATION_ID,
    SECOND_ACCOUNT_ID,
    SandboxState,
)
from chatwoot_sandbox.records import Conversation
from chatwoot_sandbox.webhook_delivery import ALLOWED_EVENTS, DEFAULT_SUBSCRIPTIONS
from chatwoot_sandbox.webhooks import WebhookInvalid, add_webhook

pytestmark = pytest.mark.anyio

ACCOUNT = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}"
AGENT = {"api_access_token": AGENT_TOKEN}
BOT = {"api_access_token": BOT_TOKEN}
HOOK_URL = "https://relay.example.com/chatwoot"
BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{24}$")


class Receiver:
    """A webhook endpoint behind an httpx2.MockTransport: records every POST, answers `status` (or raises)."""

    def __init__(self, status: int = 200, error: type[Exception] | None = None) -> None:
        self.status = status
        self.error = error
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if self.error is not None:
            raise self.error("receiver down")
        return httpx2.Response(self.status, text="ignored")

    def payloads(self, event: str | None = None) -> list[dict[str, Any]]:
        found = [json.loads(r.content) for r in self.requests]
        return [p for p in found if event is None or p["event"] == event]

    def events(self) -> list[str]:
        return [p["event"] for p in self.payloads()]


def wire(state: SandboxState, subscriptions: list[str] | None = None, status: int = 200) -> tuple[Receiver, str]:
    """A webhook on the demo account subscribed to `subscriptions` (every event by default), delivering to a
    Receiver; returns the receiver and the webhook's secret."""
    receiver = Receiver(status)
    state.outbox.transport = httpx2.MockTransport(receiver)
    webhook = add_webhook(
        state, DEMO_ACCOUNT_ID, HOOK_URL, list(ALLOWED_EVENTS) if subscriptions is None else subscriptions
    )
    return receiver, webhook.secret


def api_conversation(state: SandboxState, status: str = "open") -> Conversation:
    return next(
        c for c in state.account_conversations(DEMO_ACCOUNT_ID) if c.inbox_id == API_INBOX_ID and c.status == status
    )


def verify(secret: str, request: httpx2.Request) -> bool:
    """The receiver's check, as events doc §1.7 writes it."""
    ts = request.headers["X-Chatwoot-Timestamp"]
    sig = request.headers["X-Chatwoot-Signature"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{ts}.".encode() + request.content, hashlib.sha256).hexdigest()
    return hmac.compare_digest(sig, expected)


# -- the API --------------------------------------------------------------------------------------------------------


async def test_create_with_flat_json_takes_the_eight_default_events_and_shows_a_new_secret(
    client: httpx2.AsyncClient,
) -> None:
    assert (await client.get(f"{ACCOUNT}/webhooks")).json() == {"payload": {"webhooks": []}}
    created = await client.post(f"{ACCOUNT}/webhooks", json={"url": HOOK_URL, "name": "MCP relay"})
    assert created.status_code == 200, created.text
    webhook = created.json()["payload"]["webhook"]
    assert list(webhook) == ["id", "name", "url", "account_id", "subscriptions", "secret"]
    assert webhook["subscriptions"] == list(DEFAULT_SUBSCRIPTIONS) and len(webhook["subscriptions"]) == 8
    assert "conversation_typing_on" not in webhook["subscriptions"] and "inbox_created" not in webhook["subscriptions"]
    assert BASE58.match(webhook["secret"]) and webhook["name"] == "MCP relay" and webhook["account_id"] == 1
    listed = (await client.get(f"{ACCOUNT}/webhooks")).json()["payload"]["webhooks"]
    assert listed == [webhook]  # the secret is shown to the administrator every time


async def test_create_wrapped_with_an_inbox_echoes_the_inbox_and_null_subscriptions_default(
    client: httpx2.AsyncClient,
) -> None:
    body = {"webhook": {"url": HOOK_URL, "subscriptions": None, "inbox_id": API_INBOX_ID, "secret": "mine"}}
    webhook = (await client.post(f"{ACCOUNT}/webhooks", json=body)).json()["payload"]["webhook"]
    assert webhook["inbox"]["id"] == API_INBOX_ID and webhook["name"] is None
    assert webhook["subscriptions"] == list(DEFAULT_SUBSCRIPTIONS)
    assert webhook["secret"] != "mine"  # not client-settable


@pytest.mark.parametrize(
    ("body", "message", "attributes"),
    [
        ({"url": "not a url"}, "Url is invalid", ["url"]),
        ({"url": "ftp://example.com/hook"}, "Url is invalid", ["url"]),
        (
            {"url": HOOK_URL, "subscriptions": ["message_created", "nope"]},
            "Subscriptions Invalid events",
            ["subscriptions"],
        ),
        ({"url": HOOK_URL, "subscriptions": []}, "Subscriptions Invalid events", ["subscriptions"]),
        (
            {"url": "x", "subscriptions": ["x"]},
            "Url is invalid, Subscriptions Invalid events",
            ["url", "subscriptions"],
        ),
        ({"name": "no url"}, "Url is invalid", ["url"]),
    ],
)
async def test_validation_is_the_record_invalid_422(
    client: httpx2.AsyncClient, body: dict[str, object], message: str, attributes: list[str]
) -> None:
    answer = await client.post(f"{ACCOUNT}/webhooks", json=body)
    assert answer.status_code == 422
    assert answer.json() == {"message": message, "attributes": attributes}


async def test_the_url_format_is_unanchored_and_the_url_unique_per_account(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    loose = await client.post(f"{ACCOUNT}/webhooks", json={"url": "see https://relay.example.com/x please"})
    assert loose.status_code == 200  # the regexp only has to match somewhere
    assert (await client.post(f"{ACCOUNT}/webhooks", json={"url": HOOK_URL})).status_code == 200
    taken = await client.post(f"{ACCOUNT}/webhooks", json={"url": HOOK_URL})
    assert taken.status_code == 422 and taken.json() == {"message": "Url has already been taken", "attributes": ["url"]}
    add_webhook(state, SECOND_ACCOUNT_ID, HOOK_URL)  # another account may use it
    with pytest.raises(WebhookInvalid, match="Url has already been taken"):
        add_webhook(state, DEMO_ACCOUNT_ID, HOOK_URL)


async def test_a_body_without_webhook_keys_is_param_missing(client: httpx2.AsyncClient) -> None:
    for body in ({}, {"unrelated": 1}):
        answer = await client.post(f"{ACCOUNT}/webhooks", json=body)
        assert answer.status_code == 422
        assert answer.json() == {"error": "param is missing or the value is empty: webhook"}


async def test_update_by_patch_or_put_keeps_the_secret_and_delete_is_an_empty_200(client: httpx2.AsyncClient) -> None:
    webhook = (await client.post(f"{ACCOUNT}/webhooks", json={"url": HOOK_URL})).json()["payload"]["webhook"]
    path = f"{ACCOUNT}/webhooks/{webhook['id']}"
    patched = (await client.patch(path, json={"subscriptions": ["message_created"]})).json()["payload"]["webhook"]
    assert patched["subscriptions"] == ["message_created"] and patched["url"] == HOOK_URL
    assert patched["secret"] == webhook["secret"]
    put = await client.put(path, json={"webhook": {"url": "https://other.example.com/h", "name": "renamed"}})
    assert put.json()["payload"]["webhook"]["name"] == "renamed"
    bad = await client.patch(path, json={"subscriptions": ["typing"]})
    assert bad.status_code == 422 and bad.json()["attributes"] == ["subscriptions"]
    deleted = await client.delete(path)
    assert deleted.status_code == 200 and deleted.content == b""
    assert (await client.delete(path)).json() == {"error": "Resource could not be found"}
    assert (await client.patch(f"{ACCOUNT}/webhooks/999", json={"url": HOOK_URL})).status_code == 404


async def test_only_administrators_may_touch_webhooks(client: httpx2.AsyncClient, state: SandboxState) -> None:
    webhook = add_webhook(state, DEMO_ACCOUNT_ID, HOOK_URL)
    calls = [
        ("GET", f"{ACCOUNT}/webhooks"),
        ("POST", f"{ACCOUNT}/webhooks"),
        ("PATCH", f"{ACCOUNT}/webhooks/{webhook.id}"),
        ("PUT", f"{ACCOUNT}/webhooks/999"),  # authorize(Webhook) comes before the lookup
        ("DELETE", f"{ACCOUNT}/webhooks/{webhook.id}"),
    ]
    for method, path in calls:
        answer = await client.request(method, path, json={"url": "https://x.example.com"}, headers=AGENT)
        assert answer.status_code == 401 and answer.json() == {"error": "You are not authorized to do this action"}
        bot = await client.request(method, path, json={"url": "https://x.example.com"}, headers=BOT)
        assert bot.status_code == 401
        assert bot.json() == {"error": "Access to this endpoint is not authorized for bots"}
    assert list(state.webhooks) == [webhook.id] and state.webhooks[webhook.id].url == HOOK_URL


# -- what fires, and the payloads -------------------------------------------------------------------------------------


async def test_a_status_change_fires_status_changed_with_null_changes_and_updated_with_the_status(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    receiver, _ = wire(state)
    conversation = api_conversation(state)
    path = f"{ACCOUNT}/conversations/{conversation.display_id}"
    assert (await client.post(f"{path}/toggle_status", json={"status": "resolved"})).status_code == 200
    await state.webhooks_idle()
    assert sorted(receiver.events()) == ["conversation_status_changed", "conversation_updated"]  # no activity message
    changed = receiver.payloads("conversation_status_changed")[0]
    assert changed["changed_attributes"] is None and changed["status"] == "resolved"
    updated = receiver.payloads("conversation_updated")[0]
    keys = [next(iter(change)) for change in updated["changed_attributes"]]
    assert keys[0] == "status" and "updated_at" in keys
    assert updated["changed_attributes"][0] == {"status": {"previous_value": "open", "current_value": "resolved"}}


async def test_the_conversation_payload_has_the_webhook_shape(client: httpx2.AsyncClient, state: SandboxState) -> None:
    receiver, _ = wire(state)
    conversation = api_conversation(state)
    conversation.assignee_id = None
    conversation.team_id = None
    path = f"{ACCOUNT}/conversations/{conversation.display_id}"
    await client.post(f"{path}/toggle_priority", json={"priority": "high"})
    await state.webhooks_idle()
    [payload] = receiver.payloads("conversation_updated")
    assert list(payload)[-3:] == ["account", "event", "changed_attributes"]
    assert payload["account"] == {"id": 1, "name": state.accounts[1].name}
    assert payload["id"] == conversation.display_id and payload["priority"] == "high"
    assert payload["meta"]["assignee"] is None and payload["meta"]["assignee_type"] is None  # present, null
    assert payload["meta"]["team"] is None and payload["meta"]["sender"]["type"] == "contact"
    assert set(payload["contact_inbox"]) >= {"id", "contact_id", "inbox_id", "source_id", "pubsub_token"}
    assert payload["first_reply_created_at"] is None or payload["first_reply_created_at"].endswith("Z")
    assert isinstance(payload["updated_at"], float) and isinstance(payload["waiting_since"], int)
    assert not {"uuid", "account_id", "muted", "last_non_activity_message"} & set(payload)
    for message in payload["messages"]:
        assert isinstance(message["message_type"], int) and message["message_type"] != 2 and not message["private"]
    assert payload["changed_attributes"][0] == {"priority": {"previous_value": None, "current_value": "high"}}


async def test_assignee_team_and_labels_fire_conversation_updated(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    receiver, _ = wire(state, ["conversation_updated"])
    conversation = api_conversation(state)
    conversation.labels = ["billing"]
    path = f"{ACCOUNT}/conversations/{conversation.display_id}"
    await client.post(f"{path}/assignments", json={"assignee_id": 1})
    await client.post(f"{path}/labels", json={"labels": ["billing", "vip"]})
    await state.webhooks_idle()
    changes = [{key for change in p["changed_attributes"] for key in change} for p in receiver.payloads()]
    assert {"assignee_id", "updated_at"} <= changes[0]
    assert {"label_list", "cached_label_list"} <= changes[1]
    labels = next(c["label_list"] for c in receiver.payloads()[1]["changed_attributes"] if "label_list" in c)
    assert labels == {"previous_value": ["billing"], "current_value": ["billing", "vip"]}
    assert receiver.payloads()[0]["meta"]["assignee"]["type"] == "user"


async def test_an_incoming_message_fires_message_created_contact_updated_and_the_waiting_update(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    receiver, _ = wire(state)
    conversation = api_conversation(state, "resolved")
    path = f"{ACCOUNT}/conversations/{conversation.display_id}/messages"
    created = await client.post(path, json={"content": "Still <broken> & sad\\\n\n", "message_type": "incoming"})
    assert created.status_code == 200, created.text
    await state.webhooks_idle()
    events = receiver.events()
    assert events.count("message_created") == 1 and events.count("contact_updated") == 1
    assert events.count("conversation_status_changed") == 1  # the customer reopened it
    [message] = receiver.payloads("message_created")
    assert message["message_type"] == "incoming" and message["content_type"] == "text"
    assert message["content"] == "Still <broken> & sad"  # hard break normalised, trailing newlines gone
    assert message["created_at"].endswith("Z") and message["inbox"]["id"] == API_INBOX_ID
    assert not {"status", "echo_id", "sender_type", "updated_at"} & set(message)
    assert "type" not in message["sender"] and message["sender"]["account"]["id"] == 1
    assert message["conversation"]["messages"][0]["id"] == created.json()["id"]
    body = next(r.content for r in receiver.requests if b'"message_created"' in r.content)
    assert b"\\u003cbroken\\u003e \\u0026 sad" in body  # ActiveSupport escapes HTML entities in JSON
    [contact] = receiver.payloads("contact_updated")
    keys = [next(iter(change)) for change in contact["changed_attributes"]]
    assert keys == ["last_activity_at", "updated_at"] and contact["id"] == conversation.contact_id


async def test_private_notes_fire_message_created_and_activity_messages_do_not(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    receiver, _ = wire(state, ["message_created"])
    path = f"{ACCOUNT}/conversations/{LONG_CONVERSATION_ID}"
    await client.post(f"{path}/messages", json={"content": "internal only", "private": True})
    await client.post(f"{path}/toggle_status", json={"status": "pending"})  # leaves an activity message
    await client.post(f"{path}/messages", json={"content": "Hi!"})
    await state.webhooks_idle()
    notes = receiver.payloads()
    assert [(m["private"], m["message_type"]) for m in notes] == [(True, "outgoing"), (False, "outgoing")]
    assert notes[0]["sender"] == {
        "id": 1,
        "name": state.users[1].name,
        "email": state.users[1].email,
        "type": "user",
    }
    assert all(m["content"] != "internal only" for m in notes[1]["conversation"]["messages"])


async def test_a_new_conversation_fires_conversation_created(client: httpx2.AsyncClient, state: SandboxState) -> None:
    receiver, _ = wire(state, ["conversation_created"])
    contact_id = api_conversation(state).contact_id
    answer = await client.post(f"{ACCOUNT}/conversations", json={"inbox_id": API_INBOX_ID, "contact_id": contact_id})
    await state.webhooks_idle()
    [created] = receiver.payloads()
    assert created["id"] == answer.json()["id"] and created["messages"] == []
    assert "changed_attributes" not in created


# -- signing and delivery ---------------------------------------------------------------------------------------------


async def test_every_post_is_signed_as_chatwoot_signs_it(client: httpx2.AsyncClient, state: SandboxState) -> None:
    receiver, secret = wire(state)
    await client.post(f"{ACCOUNT}/conversations/{LONG_CONVERSATION_ID}/toggle_status", json={"status": "resolved"})
    await state.webhooks_idle()
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        assert request.method == "POST" and str(request.url) == HOOK_URL
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["Accept"] == "application/json"
        assert uuid.UUID(request.headers["X-Chatwoot-Delivery"]).version == 4
        assert re.fullmatch(r"[0-9]{10}", request.headers["X-Chatwoot-Timestamp"])
        assert re.fullmatch(r"sha256=[0-9a-f]{64}", request.headers["X-Chatwoot-Signature"])
        assert verify(secret, request)
        assert not verify("another-secret", request)
        assert request.extensions["timeout"] == {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
    assert len({r.headers["X-Chatwoot-Delivery"] for r in receiver.requests}) == 2


async def test_one_post_per_subscribed_event_and_webhook_ignoring_inbox_id(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    receiver, _ = wire(state, ["conversation_status_changed"])
    add_webhook(state, DEMO_ACCOUNT_ID, "https://second.example.com/h", ["conversation_updated"], inbox_id=999)
    add_webhook(state, SECOND_ACCOUNT_ID, "https://elsewhere.example.com/h")
    await client.post(f"{ACCOUNT}/conversations/{LONG_CONVERSATION_ID}/toggle_status", json={"status": "resolved"})
    await state.webhooks_idle()
    sent = sorted((str(r.url), json.loads(r.content)["event"]) for r in receiver.requests)
    assert sent == [
        ("https://relay.example.com/chatwoot", "conversation_status_changed"),
        ("https://second.example.com/h", "conversation_updated"),
    ]


@pytest.mark.parametrize("failure", ["500", "timeout"])
async def test_a_failed_delivery_is_tried_once_logged_and_swallowed(
    client: httpx2.AsyncClient, state: SandboxState, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    receiver, _ = wire(state, ["conversation_status_changed"])
    if failure == "500":
        receiver.status = 500
    else:
        receiver.error = httpx2.ReadTimeout
    path = f"{ACCOUNT}/conversations/{LONG_CONVERSATION_ID}/toggle_status"
    assert (await client.post(path, json={"status": "resolved"})).status_code == 200
    await state.webhooks_idle()
    await asyncio.sleep(0.05)
    assert len(receiver.requests) == 1  # no retry
    [delivery] = state.outbox.sent
    assert not delivery.ok and delivery.event == "conversation_status_changed"
    assert ("500" in (delivery.error or "")) if failure == "500" else "ReadTimeout" in (delivery.error or "")
    assert "conversation_status_changed" in caplog.text and "/chatwoot" not in caplog.text  # host only
    assert (await client.post(path, json={"status": "open"})).status_code == 200  # the sandbox carries on


async def test_the_payload_is_built_when_the_job_runs(client: httpx2.AsyncClient, state: SandboxState) -> None:
    receiver, _ = wire(state, ["conversation_updated"])
    state.jobs.delay = 60  # the worker is behind: both updates land before either job runs
    path = f"{ACCOUNT}/conversations/{LONG_CONVERSATION_ID}/toggle_priority"
    await client.post(path, json={"priority": "low"})
    await client.post(path, json={"priority": "urgent"})
    assert receiver.requests == []
    await state.webhooks_idle()
    first, second = receiver.payloads()
    assert first["priority"] == second["priority"] == "urgent"  # both show the state at job time
    assert first["changed_attributes"][0]["priority"]["current_value"] == "low"
    assert second["changed_attributes"][0]["priority"] == {"previous_value": "low", "current_value": "urgent"}


async def test_a_webhook_deleted_before_the_job_gets_nothing(client: httpx2.AsyncClient, state: SandboxState) -> None:
    receiver, _ = wire(state)
    state.jobs.delay = 60
    await client.post(f"{ACCOUNT}/conversations/{LONG_CONVERSATION_ID}/toggle_priority", json={"priority": "low"})
    state.webhooks.clear()
    await state.webhooks_idle()
    assert receiver.requests == []


async def test_without_webhooks_nothing_is_queued(client: httpx2.AsyncClient, state: SandboxState) -> None:
    await client.post(f"{ACCOUNT}/conversations/{LONG_CONVERSATION_ID}/toggle_status", json={"status": "resolved"})
    assert state.jobs.pending == [] and list(state.outbox.sent) == []


async def test_the_worker_delivers_without_another_request_into_an_asgi_receiver(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    """What an embedding server does: deliver in-process to its own receiver app, verified there."""
    seen: list[str] = []
    webhook = add_webhook(state, DEMO_ACCOUNT_ID, "http://mcp.local/webhooks/chatwoot", ["conversation_status_changed"])

    async def receive(request: Request) -> Response:
        body = await request.body()
        ts = request.headers["x-chatwoot-timestamp"]
        expected = hmac.new(webhook.secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers["x-chatwoot-signature"], f"sha256={expected}"):
            return Response(status_code=401)
        seen.append(json.loads(body)["event"])
        return Response(status_code=200)

    receiver_app = Starlette(routes=[Route("/webhooks/chatwoot", receive, methods=["POST"])])
    state.outbox.transport = httpx2.ASGITransport(app=receiver_app)
    await client.post(f"{ACCOUNT}/conversations/{LONG_CONVERSATION_ID}/toggle_status", json={"status": "resolved"})
    for _ in range(200):
        if seen:
            break
        await asyncio.sleep(0.01)
    assert seen == ["conversation_status_changed"]
    await state.webhooks_idle()
    assert [d.status for d in state.outbox.sent] == [200]
