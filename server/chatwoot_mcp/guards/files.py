"""Files a reply or a note carries: decoded, checked from their bytes, and named for the user's confirmation.

A file arrives as {name, mime_type, content (base64)}. Before anything is sent, every file is decoded and checked:
at most MAX_FILES of at most MAX_BYTES each, a type this server sends (`filetypes.ALLOWED`: images, PDF, plain
text and CSV, Word/Excel/PowerPoint and OpenDocument text) read FROM THE BYTES, the declared type and the name's
ending agreeing with them, and the file complete (a model that cuts a long base64 string short sends a broken
file). A program, an Office file with macros or an archive is never sent, whatever it is called. A problem with
any file refuses the whole call, naming the file and what to do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from chatwoot_client.types import MessageFile
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.guards.filetypes import ALLOWED, EXECUTABLE, ends_early, sniff
from chatwoot_mcp.views.base import size_text

__all__ = ["MAX_BYTES", "MAX_FILES", "CheckedFile", "OutgoingFile", "check_files", "describe_files"]

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
"""Largest file (decoded): far below what Chatwoot and mail servers take, and already a lot of base64 for a model."""
NAME_LIMIT = 255

_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/csv": "text/csv"}
_TEXT_TYPES = ("text/plain", "text/csv")


class OutgoingFile(BaseModel):
    """A file to attach."""

    name: str
    mime_type: str
    content: str = Field(description="base64")


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check: its name, its type (as the bytes show it) and its bytes."""

    name: str
    mime_type: str
    data: bytes = field(repr=False)

    def label(self) -> str:
        """ "invoice.pdf (a PDF, 12.3 KB)": how the user's confirmation names the file."""
        return f"{self.name} ({ALLOWED[self.mime_type][0]}, {size_text(len(self.data))})"

    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def upload(self) -> MessageFile:
        return MessageFile(self.name, self.data, self.mime_type)


def describe_files(files: list[CheckedFile]) -> str:
    """The files as one line for a confirmation ("" without files)."""
    return "; ".join(file.label() for file in files)


def _allowed() -> str:
    endings = ", ".join(f".{endings[0]}" for _, endings in ALLOWED.values())
    return f"This server sends images, PDF, text, CSV and Office documents ({endings})."


def check_files(files: list[OutgoingFile] | None, nothing: str) -> list[CheckedFile]:
    """Every file decoded and checked, or a Refusal naming the first file that fails and why (`nothing`: what was
    not done, e.g. "Nothing was sent.")."""
    if not files:
        return []
    if len(files) > MAX_FILES:
        raise Refusal(f"{len(files)} files were given; at most {MAX_FILES} go with one message. {nothing}")
    return [_check(number, file, nothing) for number, file in enumerate(files, start=1)]


def _check(number: int, file: OutgoingFile, nothing: str) -> CheckedFile:
    name = _check_name(number, file.name, nothing)
    which = f"File {number} ({name})"
    data = _decode(which, file.content, nothing)
    declared = _ALIASES.get(file.mime_type.split(";")[0].strip().lower(), file.mime_type.split(";")[0].strip().lower())
    kind, words = sniff(data)
    if kind == EXECUTABLE:
        raise Refusal(f"{which} is {words}, which is never sent. {nothing} Attach only documents and images.")
    if kind is None:
        raise Refusal(f"{which} is {words}, which this server does not send. {nothing} {_allowed()}")
    if declared not in ALLOWED:
        raise Refusal(f"{which} is declared {declared}, a type this server does not send. {nothing} {_allowed()}")
    ending = name.rsplit(".", 1)[1].lower() if "." in name else ""
    if kind == "text/plain" and declared in _TEXT_TYPES:
        kind = "text/csv" if ending == "csv" else "text/plain"  # text is text: CSV or not, only the name says
    if declared != kind and not (declared in _TEXT_TYPES and kind in _TEXT_TYPES):
        raise Refusal(
            f"{which} is declared {declared}, but its bytes are {words} ({kind}). {nothing} Pass the type the file "
            "really has, or the right file."
        )
    if ends_early(kind, data):
        raise Refusal(
            f"{which} is {words} that ends early: the base64 looks cut off. {nothing} Send the whole file's base64."
        )
    endings = ALLOWED[kind][1]
    if ending not in endings:
        stem = name.rsplit(".", 1)[0] if "." in name else name
        raise Refusal(
            f"{which} is {words}, but its name does not end in .{endings[0]}. {nothing} Name it {stem}.{endings[0]} "
            "(the customer's computer opens a file by its ending)."
        )
    return CheckedFile(name, kind, data)


def _check_name(number: int, name: str, nothing: str) -> str:
    clean = name.strip()
    problem = None
    if not clean or clean in (".", ".."):
        problem = "has no name"
    elif len(clean) > NAME_LIMIT:
        problem = f"has a name longer than {NAME_LIMIT} characters"
    elif any(ch in "/\\" for ch in clean):
        problem = "has a name with a folder in it (/ or \\)"
    elif not clean.isprintable():
        problem = "has a name with control or invisible characters"
    if problem:
        raise Refusal(f"File {number} {problem}. {nothing} Give a plain file name such as invoice.pdf.")
    return clean


def _decode(which: str, content: str, nothing: str) -> bytes:
    text = content.strip()
    if text.startswith("data:") and ";base64," in text[:200]:
        text = text.split(";base64,", 1)[1]  # a data: URL: its base64 part
    text = "".join(text.split())  # line breaks every 76 characters, as MIME writes base64
    if len(text) > (MAX_BYTES + 2) // 3 * 4:
        size = len(text) * 3 // 4
        raise Refusal(f"{which} is about {size_text(size)}; at most {size_text(MAX_BYTES)} per file. {nothing}")
    try:
        altchars = b"-_" if ("-" in text or "_" in text) else None
        data = base64.b64decode(text, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(
            f"{which}: `content` is not valid base64. {nothing} Encode the file's bytes as base64 (A-Z, a-z, 0-9, "
            "+ and /, padded with =) and call again."
        ) from None
    if not data:
        raise Refusal(f"{which} is empty. {nothing} Attach the file's content.")
    return data
