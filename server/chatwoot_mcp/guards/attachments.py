"""Reading a file a message carries: an image the model can look at, a text file it can read, else its details.

Files are fetched only from the configured Chatwoot host (the client refuses any other URL and any redirect
elsewhere), and only up to a size bound: an image is sent as MCP image content so a multimodal model sees it; a
text-like file is sent as text, cut to a budget and marked untrusted (data, whoever attached it); anything else (PDF,
audio, video, archives) is described with its link, without being downloaded.
"""

from __future__ import annotations

import base64
from typing import Any

from pydantic import Field

from chatwoot_client import ChatwootAttachmentError, ChatwootAttachmentTooLargeError
from chatwoot_client.types import ConversationAttachment
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.edges.untrusted import clean_name, untrusted, untrusted_name
from chatwoot_mcp.guards.filetypes import image_type
from chatwoot_mcp.views.base import View, file_name, iso, untrusted_note

__all__ = ["IMAGE_LIMIT", "TEXT_CHARS", "AttachmentFile", "get_attachment"]

IMAGE_LIMIT = 1024 * 1024
"""Largest image sent to the model (bytes); a larger one is refused with its size."""
TEXT_BYTES = 256 * 1024
"""Most bytes read of a text-like file."""
TEXT_CHARS = 8000
"""Characters of a text-like file shown; the rest is cut, and the result says how much."""
MAX_PAGES = 20
"""Pages of the conversation's attachment list (100 each) looked through for the id."""

Binary = bytes  # the field `bytes` (a size) shadows the type inside AttachmentFile

_TEXT_EXTENSIONS = {"txt", "csv", "tsv", "json", "xml", "md", "log", "yaml", "yml", "html", "htm", "ics", "eml"}
_TEXT_TYPES = {"application/json", "application/xml", "application/csv"}


class AttachmentFile(View):
    """A message's file: shown as an image, as text, or described with its link."""

    id: int
    conversation_id: int
    message_id: int | None = None
    type: str | None = Field(default=None, description="image, audio, video, file, location, ...")
    name: str | None = None
    bytes: int | None = None
    sent_by: str | None = None
    at: str | None = None
    shown_as: str = Field(description="image (an image block follows), text, or details (not downloaded)")
    content_type: str | None = None
    content: str | None = Field(default=None, description="A text file's content")
    cut: bool = False
    link: str | None = Field(default=None, description="The file's URL on the Chatwoot host")
    image: Binary | None = Field(default=None, exclude=True)

    def text(self) -> str:
        size = f", {self.bytes} bytes" if self.bytes is not None else ""
        what = " ".join(part for part in (self.type, self.name) if part) or "file"
        message = f" (message {self.message_id})" if self.message_id is not None else ""
        lines = [f"File {self.id} on #{self.conversation_id}{message}: {what}{size}"]
        lines.append(f"Sent by {self.sent_by or 'unknown'} at {self.at or '?'}.")
        if self.shown_as == "image":
            lines.append(f"The image ({self.content_type}) follows.")
        elif self.shown_as == "text":
            lines.append(self.content or "")  # a cut file's text ends with how much was cut
        else:
            lines.append(f"Not shown (only images and text files are read here). Link: {self.link}")
        return "\n".join([*lines, *untrusted_note(lines)])

    def media(self) -> list[Any]:
        if self.image is None or self.content_type is None:
            return []
        from mcp.types import ImageContent

        return [ImageContent(type="image", data=base64.b64encode(self.image).decode(), mime_type=self.content_type)]


async def _find(
    tools: ToolContext, account_id: int, conversation_id: int, attachment_id: int
) -> ConversationAttachment:
    seen: list[ConversationAttachment] = []
    for page in range(1, MAX_PAGES + 1):
        listing = await tools.client.conversations.attachments(account_id, conversation_id, page)
        for item in listing.attachments:
            if item.id == attachment_id:
                return item
        seen += listing.attachments
        if not listing.attachments or len(seen) >= listing.total_count:
            break
    files = ", ".join(f"{item.id} ({item.file_type})" for item in seen[:10])
    known = f"Its files: {files}." if files else "It has no files."
    raise Refusal(f"Conversation #{conversation_id} has no attachment {attachment_id}. {known}")


async def get_attachment(
    tools: ToolContext, account_id: int, conversation_id: int, attachment_id: int
) -> AttachmentFile:
    """Read a message's attachment: an image is shown to you, a text file given as text, else its details.

    Images up to 1 MB; files only from the Chatwoot host.

    Parameters
    ----------
    conversation_id
        The conversation.
    attachment_id
        A file's id in list_messages (`files`).
    """
    item = await _find(tools, account_id, conversation_id, attachment_id)
    from_customer = item.sender is not None and item.sender.type == "contact"
    sender_name = item.sender.name if item.sender else None
    name = item.fallback_title or file_name(item.data_url)
    result = AttachmentFile(
        id=item.id,
        conversation_id=conversation_id,
        message_id=item.message_id,
        type=item.file_type,
        name=untrusted_name(name) if from_customer else clean_name(name),
        bytes=item.file_size,
        sent_by=(untrusted_name(sender_name) if from_customer else clean_name(sender_name)) or None,
        at=iso(item.created_at),
        shown_as="details",
        link=item.data_url or None,
    )
    extension = (item.extension or (name or "").rsplit(".", 1)[-1]).lower()
    if item.file_type == "image":
        if item.file_size is not None and item.file_size > IMAGE_LIMIT:
            raise Refusal(
                f"Attachment {item.id} is an image of {item.file_size} bytes, more than the {IMAGE_LIMIT} bytes "
                f"this server sends to the model. Its link: {item.data_url}"
            )
        return await _as_image(tools, result, item)
    if item.file_type == "file" and extension in _TEXT_EXTENSIONS:
        return await _as_text(tools, result, item)
    return result


async def _download(tools: ToolContext, item: ConversationAttachment, limit: int) -> tuple[bytes, str | None]:
    if not item.data_url:
        raise Refusal(f"Attachment {item.id} has no file link (a {item.file_type}); nothing to read.")
    try:
        file = await tools.client.attachments.download(item.data_url, max_bytes=limit)
    except ChatwootAttachmentTooLargeError as error:
        size = f"{error.size} bytes" if error.size is not None else f"more than {limit} bytes"
        raise Refusal(f"Attachment {item.id} is {size}, over the limit of {limit}. Its link: {item.data_url}") from None
    except ChatwootAttachmentError as error:
        raise Refusal(f"Attachment {item.id} could not be read: {error}. Its link: {item.data_url}") from None
    except ValueError:
        raise Refusal(
            f"Attachment {item.id} is stored outside the Chatwoot host, and this server fetches files only from "
            f"Chatwoot. Its link: {item.data_url}"
        ) from None
    return file.content, file.content_type


async def _as_image(tools: ToolContext, result: AttachmentFile, item: ConversationAttachment) -> AttachmentFile:
    data, declared = await _download(tools, item, IMAGE_LIMIT)
    kind = image_type(data)
    if kind is None:
        result.content_type = declared
        return result  # not a PNG, JPEG, GIF or WebP whatever it claims: described, not shown
    result.shown_as, result.content_type, result.image, result.bytes = "image", kind, data, len(data)
    return result


async def _as_text(tools: ToolContext, result: AttachmentFile, item: ConversationAttachment) -> AttachmentFile:
    data, declared = await _download(tools, item, TEXT_BYTES + 1)
    if b"\x00" in data[:4096]:
        result.content_type = declared
        return result  # binary despite its name
    content = data[:TEXT_BYTES].decode("utf-8", errors="replace")
    result.shown_as, result.content_type = "text", declared
    result.cut = len(data) > TEXT_BYTES or len(content) > TEXT_CHARS
    # A file's text is read as data whoever attached it: it may hold anything (a forwarded email, a log).
    result.content = untrusted(content, TEXT_CHARS)
    return result
