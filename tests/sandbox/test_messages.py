"""Messages: the index's meta and paging rules (latest 20 / before / after / both / internal filter) and create."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from chatwoot_sandbox import (
    API_INBOX_ID,
    CSAT_CONVERSATION_ID,
    DEMO_ACCOUNT_ID,
    EMAIL_CONVERSATION_ID,
    LONG_CONVERSATION_ID,
    PROMPT_INJECTION_CONVERSATION_ID,
    SandboxState,
)
from chatwoot_sandbox.blobs import invoice_pdf, screenshot_png

pytestmark = pytest.mark.anyio

LONG = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{LONG_CONVERSATION_ID}/messages"


async def page(client: httpx2.AsyncClient, url: str = LONG, **params: str) -> Any:
    response = await client.get(url, params=params)
    assert response.status_code == 200
    return response.json()


def ids(body: Any) -> list[int]:
    return [m["id"] for m in body["payload"]]


async def test_index_meta(client: httpx2.AsyncClient, state: SandboxState) -> None:
    meta = (await page(client))["meta"]
    assert set(meta) == {
        "labels",
        "additional_attributes",
        "contact",
        "assignee",
        "agent_last_seen_at",
        "assignee_last_seen_at",
    }
    assert meta["contact"]["type"] == "contact" and meta["assignee"]["type"] == "user"
    assert meta["agent_last_seen_at"].endswith(".000Z")
    unassigned = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{PROMPT_INJECTION_CONVERSATION_ID}/messages"
    meta = (await page(client, unassigned))["meta"]
    assert "assignee" not in meta and meta["agent_last_seen_at"] is None


async def test_latest_twenty_ascending(client: httpx2.AsyncClient, state: SandboxState) -> None:
    all_ids = [m.id for m in state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).messages]
    assert len(all_ids) == 300
    assert ids(await page(client)) == all_ids[-20:]


async def test_before_after_and_both(client: httpx2.AsyncClient, state: SandboxState) -> None:
    all_ids = [m.id for m in state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).messages]
    assert ids(await page(client, before=str(all_ids[-20]))) == all_ids[-40:-20]
    assert ids(await page(client, before=str(all_ids[5]))) == all_ids[:5]
    assert ids(await page(client, after=str(all_ids[9]))) == all_ids[10:110]
    assert ids(await page(client, after=str(all_ids[10]), before=str(all_ids[250]))) == all_ids[10:250]


async def test_walking_back_reaches_the_first_message(client: httpx2.AsyncClient, state: SandboxState) -> None:
    seen: list[int] = []
    body = await page(client)
    while body["payload"]:
        seen = ids(body) + seen
        body = await page(client, before=str(body["payload"][0]["id"]))
    assert seen == [m.id for m in state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).messages]


async def test_filter_internal_messages(client: httpx2.AsyncClient, state: SandboxState) -> None:
    public = [
        m.id
        for m in state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID).messages
        if not m.private and m.message_type != 2
    ]
    assert len(public) < 300
    assert ids(await page(client, filter_internal_messages="true")) == public[-20:]


async def test_message_shapes(client: httpx2.AsyncClient) -> None:
    base = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations"
    csat = (await page(client, f"{base}/{CSAT_CONVERSATION_ID}/messages"))["payload"]
    activity = next(m for m in csat if m["message_type"] == 2)
    assert "sender" not in activity and "echo_id" not in activity and "attachments" not in activity
    assert csat[-1]["content_type"] == "input_csat" and csat[-1]["message_type"] == 3
    incoming = next(m for m in csat if m["message_type"] == 0)
    assert incoming["sender"]["type"] == "contact"
    outgoing = next(m for m in csat if m["message_type"] == 1 and not m["private"])
    assert set(outgoing["sender"]) == {
        "id",
        "name",
        "available_name",
        "avatar_url",
        "type",
        "availability_status",
        "thumbnail",
    }
    email = (await page(client, f"{base}/{EMAIL_CONVERSATION_ID}/messages"))["payload"]
    assert email[0]["content_type"] == "incoming_email" and email[0]["content_attributes"]["email"]["subject"]


async def test_create_outgoing_message(client: httpx2.AsyncClient, state: SandboxState) -> None:
    url = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{PROMPT_INJECTION_CONVERSATION_ID}/messages"
    conversation = state.conversation(DEMO_ACCOUNT_ID, PROMPT_INJECTION_CONVERSATION_ID)
    state.clock = lambda: 1796000000.5
    response = await client.post(url, json={"content": "We're on it.", "echo_id": "e-1", "private": "false"})
    body = response.json()
    assert body["message_type"] == 1 and body["private"] is False and body["echo_id"] == "e-1"
    assert body["sender"]["name"] == "Dana Whitfield" and body["created_at"] == 1796000000
    assert conversation.last_activity_at == 1796000000.5 and conversation.waiting_since is None
    assert conversation.first_reply_created_at is not None
    note = await client.post(url, json={"content": "internal", "private": True})
    assert note.json()["private"] is True


async def test_incoming_only_in_api_inboxes(client: httpx2.AsyncClient, state: SandboxState) -> None:
    url = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{LONG_CONVERSATION_ID}/messages"
    response = await client.post(url, json={"content": "hi", "message_type": "incoming"})
    assert (response.status_code, response.json()) == (
        422,
        {"error": "Incoming messages are only allowed in Api inboxes"},
    )
    api_conversation = next(
        c for c in state.account_conversations(DEMO_ACCOUNT_ID) if c.inbox_id == API_INBOX_ID and c.status == "resolved"
    )
    api_url = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{api_conversation.display_id}/messages"
    created = await client.post(api_url, json={"content": "it broke again", "message_type": "incoming"})
    assert created.json()["sender"]["type"] == "contact" and created.json()["message_type"] == 0
    assert api_conversation.status == "open"  # an incoming message reopens a resolved conversation
    assert api_conversation.waiting_since is not None


async def test_create_message_errors(client: httpx2.AsyncClient) -> None:
    url = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{LONG_CONVERSATION_ID}/messages"
    bad_type = await client.post(url, json={"content": "x", "message_type": "foo"})
    assert (bad_type.status_code, bad_type.json()) == (422, {"error": "'foo' is not a valid message_type"})
    too_long = await client.post(url, json={"content": "x" * 150_001})
    assert too_long.status_code == 422 and "too long" in too_long.json()["error"]
    assert (await client.post(url, json={"content": "x" * 150_000})).status_code == 200


# --- files: multipart create -----------------------------------------------------------------------------------


def _conversation_in(state: SandboxState, channel_type: str) -> int:
    return next(
        c.display_id
        for c in state.account_conversations(DEMO_ACCOUNT_ID)
        if state.inboxes[c.inbox_id].channel_type == channel_type
    )


def _messages_url(display_id: int) -> str:
    return f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{display_id}/messages"


async def test_create_with_files_renders_and_stores_them(client: httpx2.AsyncClient, state: SandboxState) -> None:
    display_id = _conversation_in(state, "Channel::Api")
    png, pdf = screenshot_png(), invoice_pdf()
    files = [
        ("attachments[]", ("my screen.png", png, "image/png")),
        ("attachments[]", ("inv.pdf", pdf, "application/pdf")),
    ]
    response = await client.post(
        _messages_url(display_id), data={"content": "see files", "private": "false"}, files=files
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["content"] == "see files" and body["private"] is False
    image, document = body["attachments"]
    keys = {"id", "message_id", "file_type", "account_id", "extension", "content_type", "data_url", "thumb_url"}
    assert keys | {"file_size", "width", "height"} == set(image)
    assert (image["file_type"], image["extension"], image["file_size"]) == ("image", "png", len(png))
    assert (document["file_type"], document["extension"], document["thumb_url"]) == ("file", "pdf", "")
    assert image["data_url"].endswith("/my%20screen.png") and image["message_id"] == body["id"]

    listed = (await page(client, _messages_url(display_id)))["payload"][-1]
    assert [a["id"] for a in listed["attachments"]] == [image["id"], document["id"]]
    files_url = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{display_id}/attachments"
    payload = (await client.get(files_url)).json()["payload"]
    assert {image["id"], document["id"]} <= {item["id"] for item in payload}
    redirect = await client.get(image["data_url"])
    assert redirect.status_code == 302
    downloaded = await client.get(redirect.headers["location"])
    assert downloaded.content == png and downloaded.headers["content-type"] == "image/png"


async def test_create_refuses_more_files_than_chatwoot_permits(client: httpx2.AsyncClient, state: SandboxState) -> None:
    display_id = _conversation_in(state, "Channel::Api")
    count = len(state.conversation(DEMO_ACCOUNT_ID, display_id).messages)
    files = [("attachments[]", (f"f{n}.txt", b"x", "text/plain")) for n in range(16)]
    response = await client.post(_messages_url(display_id), data={"content": "many"}, files=files)
    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed: Attachments exceeded maximum allowed"}
    assert len(state.conversation(DEMO_ACCOUNT_ID, display_id).messages) == count


async def test_web_widget_inboxes_check_size_and_type(client: httpx2.AsyncClient, state: SandboxState) -> None:
    state.maximum_file_upload_size = 1  # MB
    big = ("attachments[]", ("big.txt", b"x" * (1024 * 1024 + 1), "text/plain"))
    program = ("attachments[]", ("setup.exe", b"MZ", "application/x-msdownload"))
    web = _conversation_in(state, "Channel::WebWidget")
    for part, error in ((big, "file size is too big"), (program, "file type not supported")):
        response = await client.post(_messages_url(web), data={"content": "x"}, files=[part])
        assert response.status_code == 422
        assert response.json() == {"error": f"Validation failed: Attachments {error}"}
    api = _conversation_in(state, "Channel::Api")  # no checks outside the web widget
    response = await client.post(_messages_url(api), data={"content": "x"}, files=[big, program])
    assert response.status_code == 200
    assert [a["file_size"] for a in response.json()["attachments"]] == [1024 * 1024 + 1, 2]


async def test_a_file_part_without_brackets_and_a_broken_body_fail(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    url = _messages_url(_conversation_in(state, "Channel::Api"))
    response = await client.post(url, data={"content": "x"}, files=[("attachments", ("a.txt", b"a", "text/plain"))])
    assert response.status_code == 422 and "UploadedFile" in response.json()["error"]
    broken = await client.post(
        url, content=b"--b\r\nno headers", headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert broken.status_code == 400
