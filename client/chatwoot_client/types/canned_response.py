"""Canned responses: the team's saved replies, as Chatwoot sends them (ActiveRecord JSON with ISO times)."""

from __future__ import annotations

from chatwoot_client.types._base import ChatwootModel, Timestamp

__all__ = ["CannedResponse"]


class CannedResponse(ChatwootModel):
    """A saved reply. `content` may hold Liquid placeholders ({{contact.name}}), returned unrendered; Chatwoot fills
    them in when an outgoing message containing them is created."""

    id: int
    account_id: int | None = None
    short_code: str
    content: str
    created_at: Timestamp = None
    updated_at: Timestamp = None
