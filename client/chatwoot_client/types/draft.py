"""A conversation's draft: the text in its reply box that Chatwoot keeps for every agent of the conversation."""

from __future__ import annotations

from chatwoot_client.types._base import ChatwootModel

__all__ = ["Draft"]


class Draft(ChatwootModel):
    """`GET …/draft_messages`: `{"has_draft": false}` or `{"has_draft": true, "message": "…"}`. Chatwoot keeps one
    draft per conversation, shared by all its agents, and does not record who wrote it."""

    has_draft: bool = False
    message: str | None = None
