"""What a file is, read from its bytes (never from its name or the type someone claimed for it).

`sniff` names the type of a file's first bytes: the images a model can be shown, PDF, Office Open XML and
OpenDocument text (ZIP containers, told apart by what they hold), programs of every common platform, and plain
text (valid UTF-8 without NUL bytes). `ends_early` says whether a file of a known type stops before its format's
end: what a base64 string cut off by a model looks like.
"""

from __future__ import annotations

import io
import re
import zipfile

__all__ = ["ALLOWED", "EXECUTABLE", "ends_early", "image_type", "sniff"]

PNG, JPEG, GIF, WEBP, PDF = "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"
TEXT, CSV = "text/plain", "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"

ALLOWED: dict[str, tuple[str, tuple[str, ...]]] = {
    PNG: ("a PNG image", ("png",)),
    JPEG: ("a JPEG image", ("jpg", "jpeg")),
    GIF: ("a GIF image", ("gif",)),
    WEBP: ("a WebP image", ("webp",)),
    PDF: ("a PDF", ("pdf",)),
    TEXT: ("plain text", ("txt", "log", "md")),
    CSV: ("CSV text", ("csv",)),
    DOCX: ("a Word document", ("docx",)),
    XLSX: ("an Excel workbook", ("xlsx",)),
    PPTX: ("a PowerPoint presentation", ("pptx",)),
    ODT: ("an OpenDocument text", ("odt",)),
}
"""The types a reply or note may carry: what each is called, and the file name endings that fit it. All are types
Chatwoot accepts even in a website-widget inbox (the only inbox kind where it checks)."""

EXECUTABLE = "program"
"""What `sniff` calls a program (a Windows, Linux or macOS executable, a script, an Office file with macros)."""

_MAGIC = {
    b"\x89PNG\r\n\x1a\n": PNG,
    b"\xff\xd8\xff": JPEG,
    b"GIF87a": GIF,
    b"GIF89a": GIF,
    b"%PDF-": PDF,
}
_PROGRAMS = {
    b"MZ": "a Windows program",
    b"\x7fELF": "a Linux program",
    b"\xfe\xed\xfa\xce": "a macOS program",
    b"\xfe\xed\xfa\xcf": "a macOS program",
    b"\xce\xfa\xed\xfe": "a macOS program",
    b"\xcf\xfa\xed\xfe": "a macOS program",
    b"\xca\xfe\xba\xbe": "a macOS or Java program",
    b"#!": "a script",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
"""Control characters no text file holds (tab, newlines and form feed are fine)."""
_OTHERS = {
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old binary Office file (or an installer)",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"\x1f\x8b": "a gzip archive",
}


def image_type(data: bytes) -> str | None:
    """The image's MIME type read from its first bytes, if it is a PNG, JPEG, GIF or WebP."""
    kind = sniff(data)[0]
    return kind if kind in (PNG, JPEG, GIF, WEBP) else None


def sniff(data: bytes) -> tuple[str | None, str]:
    """(MIME type, what it is in words) of `data`: an allowed type, EXECUTABLE, or None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP, ALLOWED[WEBP][0]
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind, ALLOWED[kind][0]
    for magic, words in _PROGRAMS.items():
        if data.startswith(magic):
            return EXECUTABLE, words
    if data.startswith(b"PK\x03\x04"):
        return _zipped(data)
    for magic, words in _OTHERS.items():
        if data.startswith(magic):
            return None, words
    if _is_text(data):
        return TEXT, ALLOWED[TEXT][0]
    return None, "binary data of an unknown kind"


def _zipped(data: bytes) -> tuple[str | None, str]:
    """An Office Open XML or OpenDocument file by what it holds; any other ZIP is an archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return EXECUTABLE, "an Office file with macros"
            if "[Content_Types].xml" in names:
                for folder, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
                    if any(name.startswith(folder) for name in names):
                        return kind, ALLOWED[kind][0]
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT, ALLOWED[ODT][0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None, "a damaged or cut-off ZIP file"
    return None, "a ZIP archive"


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(text, 0, 65536) is None


def ends_early(kind: str, data: bytes) -> bool:
    """Whether `data`, a file of type `kind`, stops before its format's end marker (a cut-off upload)."""
    tail = data.rstrip(b"\x00\r\n\t ")
    if kind == PNG:
        return not data.endswith(b"IEND\xaeB`\x82")
    if kind == JPEG:
        return b"\xff\xd9" not in tail[-64:]
    if kind == GIF:
        return not tail.endswith(b";")
    if kind == WEBP:
        return int.from_bytes(data[4:8], "little") + 8 > len(data)
    if kind == PDF:
        return b"%%EOF" not in tail[-2048:]
    return False  # ZIP containers were opened by `sniff` (their directory is at the end); text has no end marker
