"""Messages against the sandbox, async and sync: paging, internal-message filtering, replies, notes and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from chatwoot_client import ChatwootNotFoundError, ChatwootValidationError
from chatwoot_client.types import Message, MessageFile, MessageType
from chatwoot_sandbox import (
    ADMIN_USER_ID,
    CSAT_CONVERSATION_ID,
    DEMO_ACCOUNT_ID,
    EMAIL_CONVERSATION_ID,
    LONG_CONVERSATION_ID,
    SandboxState,
)
from chatwoot_sandbox.blobs import invoice_pdf, screenshot_png
from tests.client.conftest import AnyClient, pick, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID
ACTIVITY = 2


def _long_ids(state: SandboxState) -> list[int]:
    return [m.id for m in state.conversation(ACCOUNT, LONG_CONVERSATION_ID).messages]


def _api_inbox_ids(state: SandboxState) -> set[int]:
    return {i.id for i in state.account_inboxes(ACCOUNT) if i.channel_type == "Channel::Api"}


# --- list ------------------------------------------------------------------------------------------------------


async def test_list_gives_the_latest_20_oldest_first(client: AnyClient, state: SandboxState) -> None:
    ids = _long_ids(state)
    assert len(ids) == 300

    messages = await resolve(client.messages.list(ACCOUNT, LONG_CONVERSATION_ID))

    assert all(isinstance(m, Message) for m in messages)
    assert [m.id for m in messages] == ids[-20:]
    assert all(m.conversation_id == LONG_CONVERSATION_ID for m in messages)
    assert dict(state.requests[-1].query) == {}


async def test_list_pages_backwards_with_before(client: AnyClient, state: SandboxState) -> None:
    ids = _long_ids(state)
    latest = await resolve(client.messages.list(ACCOUNT, LONG_CONVERSATION_ID))

    older = await resolve(client.messages.list(ACCOUNT, LONG_CONVERSATION_ID, before=latest[0].id))

    assert [m.id for m in older] == ids[-40:-20]
    assert dict(state.requests[-1].query) == {"before": str(latest[0].id)}

    # Walking back page by page reaches the first message and stops there.
    collected = [m.id for m in latest]
    oldest = latest[0].id
    while page := await resolve(client.messages.list(ACCOUNT, LONG_CONVERSATION_ID, before=oldest)):
        collected[:0] = [m.id for m in page]
        oldest = page[0].id
    assert collected == ids


async def test_list_pages_forwards_with_after(client: AnyClient, state: SandboxState) -> None:
    ids = _long_ids(state)

    newer = await resolve(client.messages.list(ACCOUNT, LONG_CONVERSATION_ID, after=ids[9]))

    assert [m.id for m in newer] == ids[10:110]
    assert dict(state.requests[-1].query) == {"after": str(ids[9])}


async def test_list_between_after_and_before(client: AnyClient, state: SandboxState) -> None:
    ids = _long_ids(state)
    between = await resolve(client.messages.list(ACCOUNT, LONG_CONVERSATION_ID, after=ids[50], before=ids[60]))
    assert [m.id for m in between] == ids[50:60]


async def test_filter_internal_messages_drops_notes_and_activity(client: AnyClient, state: SandboxState) -> None:
    record = state.conversation(ACCOUNT, LONG_CONVERSATION_ID)
    public = [m.id for m in record.messages if not m.private and m.message_type != ACTIVITY]
    assert len(public) < len(record.messages), "the long conversation should hold notes or activity"

    messages = await resolve(client.messages.list(ACCOUNT, LONG_CONVERSATION_ID, filter_internal_messages=True))

    assert [m.id for m in messages] == public[-20:]
    assert not any(m.private or m.is_activity for m in messages)
    assert dict(state.requests[-1].query) == {"filter_internal_messages": "true"}


async def test_list_parses_email_and_csat_messages(client: AnyClient, state: SandboxState) -> None:
    for display_id, content_type in [(EMAIL_CONVERSATION_ID, "incoming_email"), (CSAT_CONVERSATION_ID, "input_csat")]:
        expected = {m.content_type for m in state.conversation(ACCOUNT, display_id).messages}
        assert content_type in expected

        messages = await resolve(client.messages.list(ACCOUNT, display_id, after=0))

        assert content_type in {m.content_type for m in messages}


async def test_list_of_an_unknown_conversation_is_not_found(client: AnyClient) -> None:
    with pytest.raises(ChatwootNotFoundError, match="Resource could not be found"):
        await resolve(client.messages.list(ACCOUNT, 99_999))


# --- create ----------------------------------------------------------------------------------------------------


async def test_create_a_reply(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")

    message = await resolve(client.messages.create(ACCOUNT, record.display_id, "Your refund is on its way."))

    assert message.content == "Your refund is on its way."
    assert message.message_type is MessageType.OUTGOING
    assert not message.private
    assert message.sender is not None and (message.sender.id, message.sender.type) == (ADMIN_USER_ID, "user")
    stored = record.messages[-1]
    assert (stored.id, stored.content, stored.message_type, stored.private) == (message.id, message.content, 1, False)
    assert state.requests[-1].json == {
        "content": "Your refund is on its way.",
        "message_type": "outgoing",
        "private": False,
    }


async def test_create_a_private_note(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")

    note = await resolve(client.messages.create(ACCOUNT, record.display_id, "Customer is a VIP", private=True))

    assert note.private
    assert record.messages[-1].private
    public = await resolve(client.messages.list(ACCOUNT, record.display_id, filter_internal_messages=True))
    assert note.id not in {m.id for m in public}
    everything = await resolve(client.messages.list(ACCOUNT, record.display_id))
    assert everything[-1].id == note.id


async def test_create_an_incoming_message_in_an_api_inbox(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.inbox_id in _api_inbox_ids(state))

    message = await resolve(client.messages.create(ACCOUNT, record.display_id, "Any news?", "incoming"))

    assert message.is_incoming
    assert message.sender is not None and (message.sender.id, message.sender.type) == (record.contact_id, "contact")


async def test_incoming_message_outside_an_api_inbox_is_refused(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.inbox_id not in _api_inbox_ids(state))
    count = len(record.messages)

    with pytest.raises(ChatwootValidationError) as caught:
        await resolve(client.messages.create(ACCOUNT, record.display_id, "spoofed", message_type="incoming"))

    assert caught.value.status_code == 422
    assert caught.value.description == "Incoming messages are only allowed in Api inboxes"
    assert len(record.messages) == count
    assert len(state.requests) == 1


async def test_create_with_content_type_and_attributes(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    items = {"items": [{"title": "Yes", "value": "yes"}, {"title": "No", "value": "no"}]}

    message = await resolve(
        client.messages.create(
            ACCOUNT,
            record.display_id,
            "Did that help?",
            content_type="input_select",
            content_attributes=items,
            echo_id="echo-1",
        )
    )

    assert message.content_type == "input_select"
    assert message.content_attributes == items
    assert message.model_extra is not None and message.model_extra["echo_id"] == "echo-1"


async def test_too_long_content_is_a_validation_error(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    with pytest.raises(ChatwootValidationError, match="Content is too long"):
        await resolve(client.messages.create(ACCOUNT, record.display_id, "x" * 150_001))


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"attachments": [b"file"]}, TypeError, "attachment"),
        ({"attachments": [("a.txt", b"x", "text/plain")], "template_params": {}}, TypeError, "template_params"),
        ({"cc_emails": "a@example.com"}, TypeError, "cc_emails"),
        ({"foo": 1}, TypeError, "foo"),
    ],
    ids=["attachments", "template-params-with-files", "cc_emails", "foo"],
)
async def test_create_refuses_what_it_cannot_send(
    client: AnyClient, state: SandboxState, options: dict[str, Any], error: type[Exception], words: str
) -> None:
    record = pick(state, lambda c: c.status == "open")
    count = len(record.messages)
    with pytest.raises(error, match=words):
        await resolve(client.messages.create(ACCOUNT, record.display_id, "hi", **options))
    assert state.requests == []
    assert len(record.messages) == count


# --- files: multipart create -----------------------------------------------------------------------------------


async def test_create_with_files_sends_multipart_and_returns_them(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    png, pdf = screenshot_png(), invoice_pdf()

    message = await resolve(
        client.messages.create(
            ACCOUNT,
            record.display_id,
            "Here you go",
            private=True,
            attachments=[MessageFile("screen.png", png, "image/png"), ("invoice.pdf", pdf, "application/pdf")],
        )
    )

    sent = state.requests[-1]
    assert sent.method == "POST" and sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.json is None
    body = sent.body
    assert body.count(b'name="attachments[]"') == 2
    assert b'name="attachments[]"; filename="screen.png"\r\nContent-Type: image/png' in body
    assert b'filename="invoice.pdf"\r\nContent-Type: application/pdf' in body
    for field, value in (("content", b"Here you go"), ("message_type", b"outgoing"), ("private", b"true")):
        assert f'name="{field}"\r\n\r\n'.encode() + value + b"\r\n" in body
    assert png in body and pdf in body

    assert message.content == "Here you go" and message.private
    kinds = [(a["file_type"], a["extension"], a["file_size"]) for a in message.attachments]
    assert kinds == [("image", "png", len(png)), ("file", "pdf", len(pdf))]
    stored = record.messages[-1]
    assert [a["id"] for a in stored.attachments] == [a["id"] for a in message.attachments]


async def test_create_without_files_stays_json(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    await resolve(client.messages.create(ACCOUNT, record.display_id, "plain", attachments=[]))
    sent = state.requests[-1]
    assert sent.headers["content-type"] == "application/json"
    assert sent.json == {"content": "plain", "message_type": "outgoing", "private": False}


async def test_create_with_files_passes_chatwoots_refusal_on(client: AnyClient, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    count = len(record.messages)
    files = [(f"f{n}.txt", b"x", "text/plain") for n in range(16)]
    with pytest.raises(ChatwootValidationError, match="exceeded maximum allowed"):
        await resolve(client.messages.create(ACCOUNT, record.display_id, "many", attachments=files))
    assert len(record.messages) == count
