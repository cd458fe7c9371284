"""Attachments: the demo files read by the client from the sandbox, the size bound, and the host rule."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import httpx2
import pytest

from chatwoot_client import ChatwootAttachmentError, ChatwootAttachmentTooLargeError, ChatwootNotFoundError
from chatwoot_client.types import Attachment, DownloadedAttachment
from chatwoot_sandbox import (
    DEMO_ACCOUNT_ID,
    INVOICE_PDF_CONVERSATION_ID,
    SCREENSHOT_CONVERSATION_ID,
    VOICE_NOTE_CONVERSATION_ID,
    SandboxState,
)
from tests.client.conftest import AnyClient, Kind, Reply, Script, mock_client, resolve

pytestmark = pytest.mark.anyio

ACCOUNT = DEMO_ACCOUNT_ID


async def _attachment(client: AnyClient, display_id: int) -> Attachment:
    messages = await resolve(client.messages.list(ACCOUNT, display_id))
    items = [Attachment.model_validate(a) for m in messages for a in m.attachments]
    assert len(items) == 1
    return items[0]


def _png_size(data: bytes) -> tuple[int, int]:
    """Check the PNG signature and every chunk's CRC; decompress the image data; return (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, payload = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + payload)
        chunks[kind] = chunks.get(kind, b"") + payload
        offset += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    assert b"IEND" in chunks
    return width, height


async def test_a_screenshot_is_read_as_a_valid_png(client: AnyClient, state: SandboxState) -> None:
    item = await _attachment(client, SCREENSHOT_CONVERSATION_ID)
    assert item.file_type == "image" and item.content_type == "image/png" and item.extension == "png"
    assert item.data_url and item.data_url.startswith(client.base_url + "/rails/active_storage/blobs/redirect/")

    file = await resolve(client.attachments.download(item.data_url, max_bytes=100_000))

    assert isinstance(file, DownloadedAttachment)
    assert file.content_type == "image/png" and file.filename == "safari-export-error.png"
    assert file.size == item.file_size
    assert _png_size(file.content) == (item.width, item.height) == (64, 40)
    assert all("api_access_token" not in r.headers for r in state.requests.since(len(state.requests) - 2))


async def test_a_pdf_and_a_voice_note(client: AnyClient) -> None:
    pdf = await _attachment(client, INVOICE_PDF_CONVERSATION_ID)
    assert pdf.file_type == "file" and pdf.data_url and pdf.thumb_url == ""
    file = await resolve(client.attachments.download(pdf.data_url, max_bytes=100_000))
    assert file.content.startswith(b"%PDF-1.4") and file.content.rstrip().endswith(b"%%EOF")

    audio = await _attachment(client, VOICE_NOTE_CONVERSATION_ID)
    assert audio.file_type == "audio" and audio.data_url and audio.data_url.endswith("?disposition=inline")
    sound = await resolve(client.attachments.download(audio.data_url, max_bytes=100_000))
    assert sound.content[:4] == b"RIFF" and sound.content[8:12] == b"WAVE" and sound.content_type == "audio/wav"


async def test_a_file_over_the_limit_is_refused_with_its_size(client: AnyClient) -> None:
    item = await _attachment(client, SCREENSHOT_CONVERSATION_ID)
    assert item.data_url and item.file_size

    with pytest.raises(ChatwootAttachmentTooLargeError) as caught:
        await resolve(client.attachments.download(item.data_url, max_bytes=100))

    assert caught.value.size == item.file_size and caught.value.max_bytes == 100


async def test_urls_off_the_chatwoot_host_are_refused_without_a_request(client: AnyClient, state: SandboxState) -> None:
    before = len(state.requests)
    for url in ("https://evil.example/x.png", "http://sandbox.evil.example/x", "file:///etc/passwd", "not a url"):
        with pytest.raises(ValueError):
            await resolve(client.attachments.download(url, max_bytes=1000))
    with pytest.raises(ValueError):
        await resolve(client.attachments.download(client.base_url + "/x", max_bytes=0))
    assert len(state.requests) == before


async def test_an_unknown_blob_is_a_404(client: AnyClient) -> None:
    with pytest.raises(ChatwootNotFoundError):
        await resolve(
            client.attachments.download(client.base_url + "/rails/active_storage/disk/nope/x.png", max_bytes=10)
        )


async def test_a_redirect_to_another_host_is_not_followed(kind: Kind) -> None:
    script = Script(Reply(302, headers={"location": "https://bucket.s3.example/x.png"}), Reply(200, text="secret"))
    client = mock_client(kind, script)

    with pytest.raises(ChatwootAttachmentError, match="another host"):
        await resolve(
            client.attachments.download(
                "http://chatwoot.test/rails/active_storage/blobs/redirect/k/x.png", max_bytes=10
            )
        )

    assert script.calls == ["GET /rails/active_storage/blobs/redirect/k/x.png"]


async def test_without_content_length_reading_stops_at_the_limit(kind: Kind) -> None:
    parts = [b"a" * 60, b"b" * 60, b"c" * 60]

    async def async_parts() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    def stream(request: httpx2.Request) -> httpx2.Response:
        content = async_parts() if kind == "async" else iter(parts)
        return httpx2.Response(200, content=content, request=request)

    client = mock_client(kind, stream)

    with pytest.raises(ChatwootAttachmentTooLargeError) as caught:
        await resolve(client.attachments.download("http://chatwoot.test/f.bin", max_bytes=100))
    assert caught.value.size is None


async def test_a_conversations_attachment_list_names_each_file_with_its_sender(client: AnyClient) -> None:
    page = await resolve(client.conversations.attachments(ACCOUNT, SCREENSHOT_CONVERSATION_ID))
    assert page.total_count == 1 and page.page == 1
    [item] = page.attachments
    assert item.file_type == "image" and item.extension == "png"
    assert item.content_type is None  # Chatwoot's attachment list leaves it out
    assert item.data_url and item.data_url.endswith("/safari-export-error.png")
    assert item.sender is not None and item.sender.type == "contact"
    assert item.created_at is not None
    messages = await resolve(client.messages.list(ACCOUNT, SCREENSHOT_CONVERSATION_ID))
    assert item.message_id in {m.id for m in messages if m.attachments}


async def test_a_conversation_without_files_has_an_empty_attachment_list(client: AnyClient) -> None:
    page = await resolve(client.conversations.attachments(ACCOUNT, 1, page=2))
    assert page.total_count == 0 and page.attachments == [] and page.page == 2


async def test_the_attachment_list_of_an_unknown_conversation_is_not_found(client: AnyClient) -> None:
    with pytest.raises(ChatwootNotFoundError):
        await resolve(client.conversations.attachments(ACCOUNT, 99_999))
