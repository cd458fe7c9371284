"""Files on send_reply and add_private_note: checked from their bytes, named in the confirmation, sent as one
multipart message, refused (with nothing sent) when anything about them is wrong, and part of a reply's identity in
the duplicate window."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

import pytest

from chatwoot_mcp.guards.files import MAX_BYTES
from chatwoot_sandbox import DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID, SandboxState
from chatwoot_sandbox.blobs import invoice_pdf, screenshot_png
from tests.server.triage_fixtures import Asker, connect, posts, text

pytestmark = pytest.mark.anyio

CONVERSATION = LONG_CONVERSATION_ID
REPLY = "Here are the screenshot and your invoice."
PNG, PDF = screenshot_png(), invoice_pdf()


def file(name: str, mime_type: str, data: bytes) -> dict[str, str]:
    return {"name": name, "mime_type": mime_type, "content": base64.b64encode(data).decode()}


def office(folder: str, *extra: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<doc/>")
        for name in extra:
            archive.writestr(name, b"\0")
    return buffer.getvalue()


def last_message(state: SandboxState) -> Any:
    return state.conversation(DEMO_ACCOUNT_ID, CONVERSATION).messages[-1]


async def test_a_confirmed_reply_with_a_png_and_a_pdf_is_one_message_with_two_files() -> None:
    state = SandboxState.demo()
    asker = Asker("accept")
    files = [file("screen.png", "image/png", PNG), file("invoice.pdf", "application/pdf", PDF)]
    async with connect(state, asker) as client:
        result = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "attachments": files}
        )
    assert not result.is_error, text(result)
    [question] = asker.questions
    assert "screen.png (a PNG image, 187 B)" in question and f"invoice.pdf (a PDF, {len(PDF)} B)" in question
    assert "With 2 files" in question and REPLY in question

    [post] = posts(state, "/messages")
    assert post.headers["content-type"].startswith("multipart/form-data")
    message = last_message(state)
    assert message.content == REPLY and not message.private
    assert [(a["file_type"], a["content_type"], a["file_size"]) for a in message.attachments] == [
        ("image", "image/png", len(PNG)),
        ("file", "application/pdf", len(PDF)),
    ]
    assert [state.blobs[a["data_url"].split("/")[-2]].data for a in message.attachments] == [PNG, PDF]
    data = result.structured_content or {}
    assert [(f["name"], f["type"]) for f in data["message"]["files"]] == [
        ("screen.png", "image"),
        ("invoice.pdf", "file"),
    ]
    assert "screen.png" in text(result)


async def test_the_confirm_preview_names_the_files_and_a_private_note_carries_one() -> None:
    state = SandboxState.demo()
    csv = file("orders.csv", "text/csv", b"order,total\nA-1,49.00\n")
    async with connect(state) as client:
        refused = await client.call_tool(
            "send_reply", {"conversation_id": CONVERSATION, "content": REPLY, "attachments": [csv]}
        )
        note = await client.call_tool(
            "add_private_note", {"conversation_id": CONVERSATION, "content": "Export attached", "attachments": [csv]}
        )
    assert refused.is_error and "Nothing was sent." in text(refused)
    assert "orders.csv (CSV text, 22 B)" in text(refused)
    assert not note.is_error, text(note)
    message = last_message(state)
    assert message.private and message.content == "Export attached"
    assert [(a["content_type"], a["extension"]) for a in message.attachments] == [("text/csv", "csv")]
    assert len(posts(state, "/messages")) == 1


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REFUSALS = {
    "bad base64": (
        [{"name": "a.png", "mime_type": "image/png", "content": "not base64!!"}],
        "not valid base64",
    ),
    "too many": ([file(f"s{n}.png", "image/png", PNG) for n in range(6)], "at most 5"),
    "too large": (
        [{"name": "big.pdf", "mime_type": "application/pdf", "content": "A" * ((MAX_BYTES // 3 + 2) * 4)}],
        "at most 10.0 MB",
    ),
    "type mismatch": ([file("invoice.png", "image/png", PDF)], "declared image/png, but its bytes are a PDF"),
    "executable": ([file("invoice.pdf", "application/pdf", b"MZ\x90\x00" + b"\0" * 64)], "a Windows program"),
    "macros": ([file("letter.docx", DOCX, office("word", "word/vbaProject.bin"))], "Office file with macros"),
    "archive": ([file("logs.zip", "application/zip", office("logs"))], "which this server does not send"),
    "cut off": ([file("screen.png", "image/png", PNG[:-20])], "ends early"),
    "wrong ending": ([file("screen.exe", "image/png", PNG)], "Name it screen.png"),
    "empty": ([file("empty.txt", "text/plain", b"")], "is empty"),
    "no content": ([{"name": "a.txt", "mime_type": "text/plain"}], "`attachments` item 0 `content` is required (text)"),
    "path in name": ([file("../etc/passwd.txt", "text/plain", b"x")], "folder"),
    "not allowed type": ([file("page.html", "text/html", b"<html></html>")], "a type this server does not send"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
@pytest.mark.parametrize("tool", ["send_reply", "add_private_note"])
async def test_every_file_problem_is_refused_before_anything_is_sent(tool: str, case: str) -> None:
    files, words = REFUSALS[case]
    state = SandboxState.demo()
    asker = Asker("accept")
    before = len(state.requests)
    arguments = {"conversation_id": CONVERSATION, "content": REPLY, "attachments": files}
    async with connect(state, asker) as client:
        result = await client.call_tool(tool, arguments | ({"confirm": True} if tool == "send_reply" else {}))
    assert result.is_error
    nothing = "Nothing was sent." if tool == "send_reply" else "Nothing was written."
    assert words in text(result), text(result)
    assert nothing in text(result) or "Nothing was written." in text(result)  # argument checks say "written"
    assert asker.questions == []  # the user is not asked about a reply that cannot go out
    assert len(state.requests) == before, [r.path for r in state.requests[before:]]


async def test_the_same_text_and_files_twice_is_a_duplicate_but_other_files_are_not() -> None:
    state = SandboxState.demo()
    png, pdf = file("screen.png", "image/png", PNG), file("invoice.pdf", "application/pdf", PDF)
    call = {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
    async with connect(state) as client:
        first = await client.call_tool("send_reply", call | {"attachments": [png, pdf]})
        again = await client.call_tool("send_reply", call | {"attachments": [pdf, png | {"name": "renamed.png"}]})
        other = await client.call_tool("send_reply", call | {"attachments": [pdf]})
        bare = await client.call_tool("send_reply", call)
    assert not first.is_error, text(first)
    assert again.is_error and "same text and files" in text(again) and "Nothing was sent." in text(again)
    assert not other.is_error, text(other)
    assert not bare.is_error, text(bare)
    assert len(posts(state, "/messages")) == 3


async def test_a_lost_answer_is_found_by_its_text_and_files() -> None:
    state = SandboxState.demo()
    state.inject_fault(502, method="POST", path_contains="/messages", after_handling=True)
    call = {"conversation_id": CONVERSATION, "content": REPLY, "confirm": True}
    async with connect(state) as client:
        result = await client.call_tool("send_reply", call | {"attachments": [file("s.png", "image/png", PNG)]})
        again = await client.call_tool("send_reply", call | {"attachments": [file("s.png", "image/png", PNG)]})
    assert not result.is_error, text(result)
    assert (result.structured_content or {}).get("answer_lost")
    assert again.is_error and "already sent" in text(again)
    assert len([m for m in state.conversation(DEMO_ACCOUNT_ID, CONVERSATION).messages if m.content == REPLY]) == 1


async def test_office_documents_and_text_are_sent_with_their_types() -> None:
    state = SandboxState.demo()
    files = [
        file("notes.docx", DOCX, office("word")),
        file("sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", office("xl")),
        file("readme.txt", "text/plain; charset=utf-8", "Grüße\n".encode()),
        {"name": "photo.jpg", "mime_type": "image/jpg", "content": "data:image/jpeg;base64," + _jpeg()},
    ]
    async with connect(state) as client:
        result = await client.call_tool(
            "add_private_note", {"conversation_id": CONVERSATION, "content": "docs", "attachments": files}
        )
    assert not result.is_error, text(result)
    assert [a["extension"] for a in last_message(state).attachments] == ["docx", "xlsx", "txt", "jpg"]
    assert last_message(state).attachments[3]["file_type"] == "image"


def _jpeg() -> str:
    return base64.b64encode(b"\xff\xd8\xff\xe0" + b"\0" * 32 + b"\xff\xd9").decode()
