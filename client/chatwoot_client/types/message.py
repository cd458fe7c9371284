"""Messages, as the messages endpoints and a conversation's `messages`/`last_non_activity_message` send them."""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from chatwoot_client.types._base import ChatwootModel, Timestamp

__all__ = ["Message", "MessageContentType", "MessageSender", "MessageStatus", "MessageType"]


class MessageType(IntEnum):
    """Who a message is from. The server sends the integer; the names are what its API accepts on create."""

    INCOMING = 0
    OUTGOING = 1
    ACTIVITY = 2
    TEMPLATE = 3


def _message_type(value: Any) -> Any:
    if isinstance(value, str) and not value.isdigit():
        try:
            return MessageType[value.upper()]
        except KeyError:
            raise ValueError(f"unknown message_type {value!r}") from None
    return int(value) if isinstance(value, str) else value


MessageContentType = Literal[
    "text",
    "input_text",
    "input_textarea",
    "input_email",
    "input_select",
    "cards",
    "form",
    "article",
    "incoming_email",
    "input_csat",
    "integrations",
    "sticker",
    "voice_call",
]
MessageStatus = Literal["sent", "delivered", "read", "failed", "progress"]


class MessageSender(ChatwootModel):
    """The author: an agent (`type` "user"), a contact ("contact") or a bot ("agent_bot")."""

    id: int
    name: str | None = None
    type: str | None = None
    email: str | None = None
    available_name: str | None = None


class Message(ChatwootModel):
    """One message in a conversation. Private notes have `private=True`; activity messages are system events."""

    id: int
    content: str | None = None
    message_type: Annotated[MessageType, BeforeValidator(_message_type)]
    content_type: MessageContentType | None = "text"
    content_attributes: dict[str, Any] = Field(default_factory=dict)
    status: MessageStatus | None = None
    private: bool = False
    created_at: Timestamp = None
    conversation_id: int | None = None
    inbox_id: int | None = None
    source_id: str | None = None
    sender: MessageSender | None = None
    attachments: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def is_incoming(self) -> bool:
        """Written by the customer (text to treat as untrusted)."""
        return self.message_type == MessageType.INCOMING

    @property
    def is_activity(self) -> bool:
        """A system event such as "Conversation was resolved by ...", not something a person wrote."""
        return self.message_type == MessageType.ACTIVITY
