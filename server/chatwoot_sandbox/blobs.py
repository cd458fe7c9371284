"""Files attached to messages, and Active Storage's URLs for them.

A message's attachment JSON carries `data_url` (`url_for(file)`): a redirect URL on the installation's host
(`FRONTEND_URL`), `/rails/active_storage/blobs/redirect/<signed id>/<filename>`, which answers 302 to the storage
service. The sandbox's service is Active Storage's Disk service on the same host
(`/rails/active_storage/disk/<key>/<filename>`). Neither needs the API token: the signed URL is the credential.
The URLs are absolute on the host the request came to (`frontend_url`, set per request by the app).
"""

from __future__ import annotations

import struct
import zlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import quote

from chatwoot_sandbox.records import Blob, Conversation, Message
from chatwoot_sandbox.tables import Tables

frontend_url: ContextVar[str] = ContextVar("frontend_url", default="http://localhost:3000")

REDIRECT_PREFIX = "/rails/active_storage/blobs/redirect/"
DISK_PREFIX = "/rails/active_storage/disk/"
IMAGE_TYPES = ("image/jpeg", "image/jpg", "image/png", "image/gif", "image/bmp", "image/webp")
VIDEO_TYPES = ("video/ogg", "video/mp4", "video/webm", "video/quicktime")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request (ActionDispatch::Http::UploadedFile): name, declared type, bytes."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


def file_type(content_type: str) -> str:
    """`FileTypeHelper#file_type`: the MIME whitelists decide, so SVG and HEIC are `file`."""
    if content_type in IMAGE_TYPES or content_type == "image":
        return "image"
    if content_type in VIDEO_TYPES or content_type == "video":
        return "video"
    if "audio/" in content_type:
        return "audio"
    return "file"


def absolute(url: str) -> str:
    return frontend_url.get().rstrip("/") + url if url.startswith("/") else url


def attach(
    state: Tables,
    conversation: Conversation,
    message: Message,
    filename: str,
    content_type: str,
    data: bytes,
    size: tuple[int, int] | None = None,
) -> dict[str, object]:
    """Store `data` and add its attachment JSON (`Attachment#push_event_data`, ≥4.13) to `message`."""
    attachment_id = len(state.blobs) + 1
    key = f"sbx{attachment_id:04d}k{zlib.crc32(data):08x}"
    state.blobs[key] = Blob(key, filename, content_type, data)
    kind = file_type(content_type)
    extension = filename.rsplit(".", 1)[1] if "." in filename else None
    url = f"{REDIRECT_PREFIX}{key}/{quote(filename)}"  # url_for escapes the name: spaces, #, ? ...
    item: dict[str, object] = {
        "id": attachment_id,
        "message_id": message.id,
        "file_type": kind,
        "account_id": conversation.account_id,
        "extension": extension,
        "content_type": content_type,
        "data_url": url + ("?disposition=inline" if kind == "audio" else ""),
        "thumb_url": url if kind == "image" else "",
        "file_size": len(data),
        "width": size[0] if size else None,
        "height": size[1] if size else None,
    }
    if kind == "audio":
        item["transcribed_text"] = ""
    message.attachments.append(item)
    return item


def rendered(attachments: list[dict[str, object]]) -> list[dict[str, object]]:
    """The attachments with their URLs made absolute on the host the request came to."""
    return [
        {
            key: absolute(value) if key in ("data_url", "thumb_url") and isinstance(value, str) else value
            for key, value in item.items()
        }
        for item in attachments
    ]


# -- demo files, built in code ----------------------------------------------------------------------------------


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def screenshot_png(width: int = 64, height: int = 40) -> bytes:
    """A small valid PNG: a fake app window (grey title bar, white body, a red error banner)."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            if y < 6:
                pixel = (90, 90, 100)
            elif 14 <= y < 22 and 6 <= x < width - 6:
                pixel = (220, 50, 47)
            else:
                pixel = (250, 250, 250) if (x // 8 + y // 8) % 2 else (235, 238, 242)
            row.extend(pixel)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )


def invoice_pdf() -> bytes:
    """A one-page PDF with a line of text."""
    stream = b"BT /F1 14 Tf 40 100 Td (Invoice INV-2026-0042: 49.00 EUR) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def voice_note_wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A short mono 8-bit WAV (a soft 440 Hz beep), as a voice note might arrive."""
    frames = bytes(128 + int(40 * ((i * 440 * 2 // rate) % 2 * 2 - 1)) for i in range(int(seconds * rate)))
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(frames),
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        rate,
        rate,
        1,
        8,
        b"data",
        len(frames),
    )
    return header + frames
