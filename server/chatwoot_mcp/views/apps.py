"""What the app-only tools return to the ui:// views (MCP Apps): data for a person's screen, not for a model.

Customer text here is raw (no <untrusted> wrapper: the view shows it with textContent, never as markup), with the
invisible and bidirectional characters removed that could disguise it (`edges.untrusted.visible_only`), and flagged
`from_customer` so the view can mark it. The composer's token is never a field: it rides in the result's `_meta`
(`View.meta`), which hosts give the view and never the model.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr

from chatwoot_client.types import Conversation, Message, MessageType
from chatwoot_mcp.edges.untrusted import visible_only
from chatwoot_mcp.views.base import Compact, View, file_name, iso
from chatwoot_mcp.views.conversations import ConversationDetail, ConversationSummary
from chatwoot_mcp.views.triage import SearchHit

__all__ = [
    "COMPOSER_META",
    "AppConversation",
    "AppMessage",
    "ContactCard",
    "QueuePage",
    "ReviewedReply",
    "SendResult",
    "app_message",
    "contact_card",
]

COMPOSER_META = "chatwoot-mcp/composer"
"""The result `_meta` key of the composer's token: {"token": ..., "expires_at": ISO 8601}."""


class QueuePage(View):
    """One page of the queue the view shows, in the shape of the tool it came from: list_conversations' and
    filter_conversations' (`conversations`, `total`) or search_conversations' (`results`)."""

    page: int
    conversations: list[ConversationSummary] | None = None
    total: int | None = None
    results: list[SearchHit] | None = None
    next_page: int | None = None
    summary: str = Field(default="", exclude=True)
    """The source tool's own text for this page."""

    def text(self) -> str:
        return self.summary


class AppFile(Compact):
    id: int
    name: str | None = None
    kind: str = "file"
    """Chatwoot's file type: image, audio, video, file, location, fallback..."""
    size: int | None = None
    thumbnail: bool = False
    """An image get_attachment can show (the view asks for it, and shows it as a data: URL)."""


class AppMessage(Compact):
    id: int
    type: Literal["incoming", "outgoing", "activity", "template", "private_note"]
    author: str | None = None
    from_customer: bool
    content: str | None = None
    """Raw text (never markup): show it with textContent."""
    at: str | None = None
    files: list[AppFile] = Field(default_factory=list)


def app_message(message: Message) -> AppMessage:
    from_customer = message.is_incoming or (message.sender is not None and message.sender.type == "contact")
    kind: Any = "private_note" if message.private else MessageType(message.message_type).name.lower()
    files = []
    for item in message.attachments:
        if not isinstance(item.get("id"), int):
            continue
        raw = item.get("fallback_title") or file_name(item.get("data_url"))
        size = item.get("file_size")
        declared = item.get("file_type")
        file_type = declared if isinstance(declared, str) else "file"
        files.append(
            AppFile(
                id=item["id"],
                name=visible_only(raw) if isinstance(raw, str) else None,
                kind=file_type,
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                thumbnail=file_type == "image",
            )
        )
    name = message.sender.name if message.sender else None
    return AppMessage(
        id=message.id,
        type=kind,
        author=visible_only(name) if name else None,
        from_customer=from_customer,
        content=visible_only(message.content) if message.content is not None else None,
        at=iso(message.created_at),
        files=files,
    )


class ContactCard(Compact):
    """Who the customer is; every field is the customer's own to write."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    from_customer: bool = True


def contact_card(conversation: Conversation) -> ContactCard:
    sender = conversation.meta.sender
    if sender is None:
        return ContactCard()
    extra = (sender.model_extra or {}).get("additional_attributes")
    company = extra.get("company_name") if isinstance(extra, dict) else None

    def clean(value: Any) -> str | None:
        return visible_only(value) if isinstance(value, str) and value.strip() else None

    return ContactCard(
        name=clean(sender.name), email=clean(sender.email), phone=clean(sender.phone_number), company=clean(company)
    )


class _Composed(View):
    """A result that may carry the composer's token in its `_meta` (never in a field)."""

    _composer: dict[str, str] | None = PrivateAttr(default=None)

    def compose(self, composer: dict[str, str] | None) -> None:
        self._composer = composer

    def meta(self) -> dict[str, Any] | None:
        return {COMPOSER_META: self._composer} if self._composer is not None else None


class AppConversation(_Composed):
    """A conversation as the conversation view shows it: details, the latest messages (oldest first), the contact
    card, a link to it in Chatwoot, and the reply in the composer."""

    conversation: ConversationDetail
    messages: list[AppMessage]
    contact: ContactCard
    link: str
    draft: str = ""
    can_send: bool = Field(default=False, description="Send is possible here (a token is in the result's _meta)")
    why_not: str | None = Field(default=None, description="Why Send is not possible here, when it is not")

    def text(self) -> str:
        shown = f"#{self.conversation.id} is shown in the conversation view: {len(self.messages)} latest messages"
        composer = "a reply composer" if self.can_send else "no Send (" + (self.why_not or "not allowed here") + ")"
        draft = f", the draft ({len(self.draft)} characters) in the composer" if self.draft else ""
        return f"{shown}, the contact card and {composer}{draft}. Nothing was sent."


class ReviewedReply(_Composed):
    """The person's edited reply, now confirmed by a new token (the old one is spent)."""

    conversation_id: int
    content: str

    def text(self) -> str:
        return (
            f"The reply for #{self.conversation_id} was edited in the view ({len(self.content)} characters); it is "
            "sent only when the person clicks Send. Nothing was sent."
        )


class SendResult(View):
    """What a click on Send did."""

    conversation_id: int
    message_id: int
    status: Literal["sent"] = "sent"
    answer_lost: str | None = Field(default=None, exclude=True)

    def text(self) -> str:
        lost = f" (Chatwoot's answer was lost: {self.answer_lost}; the message is in the conversation)"
        return (
            f"Reply SENT to the customer on #{self.conversation_id} (message {self.message_id}), confirmed by the "
            f"person's click in the view{lost if self.answer_lost else ''}."
        )
