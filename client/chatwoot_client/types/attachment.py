"""Message attachments: the JSON items in a message's `attachments`, a downloaded file, and a file to send."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field

from chatwoot_client.types._base import ChatwootModel, Timestamp
from chatwoot_client.types.message import MessageSender

__all__ = ["Attachment", "AttachmentList", "ConversationAttachment", "DownloadedAttachment", "MessageFile"]


class Attachment(ChatwootModel):
    """One item of `Message.attachments` (`Attachment#push_event_data`).

    `file_type` is image, audio, video, file, location, fallback, share, contact, embed... `content_type` and
    `extension` come from Chatwoot 4.13 on (None before); `width`/`height` are often None. `data_url` is the file
    (a redirect URL on the Chatwoot host), `thumb_url` a small preview for images ("" otherwise).
    """

    id: int
    message_id: int | None = None
    file_type: str | None = None
    account_id: int | None = None
    extension: str | None = None
    content_type: str | None = None
    data_url: str | None = None
    thumb_url: str | None = None
    file_size: int | None = None
    width: int | None = None
    height: int | None = None
    fallback_title: str | None = None


class ConversationAttachment(Attachment):
    """An item of a conversation's attachment list: the file, when its message was sent and by whom.

    This list does not carry `content_type` (Chatwoot's `_attachment` view leaves it out); `created_at` is the
    message's time.
    """

    created_at: Timestamp = None
    sender: MessageSender | None = None


class AttachmentList(ChatwootModel):
    """One page of a conversation's attachments (100 a page, newest message first) and how many there are."""

    total_count: int = 0
    attachments: list[ConversationAttachment] = Field(default_factory=list)
    page: int = 1


@dataclass(frozen=True)
class DownloadedAttachment:
    """A file read from an attachment URL, at most `max_bytes` long."""

    url: str
    content: bytes
    content_type: str | None
    filename: str | None

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class MessageFile:
    """A file to attach to a new message: sent as one `attachments[]` part of a multipart message create.

    `content_type` is the part's Content-Type, from which Chatwoot decides the attachment's `file_type` (image,
    video, audio, else file); `filename` gives the attachment its name and `extension`.
    """

    filename: str
    content: bytes = field(repr=False)
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)
