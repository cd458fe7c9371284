"""What the draft tools return: the conversation's shared draft, and what a save or clear replaced."""

from __future__ import annotations

from pydantic import Field

from chatwoot_mcp.views.base import View

__all__ = ["DraftView", "draft_start"]

START = 80
"""How much of a draft a refusal or a replacement shows."""


def draft_start(text: str, limit: int = START) -> str:
    """The first `limit` characters of a draft, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


class DraftView(View):
    """A conversation's draft: shared by its agents, shown in Chatwoot's reply box, never sent by itself."""

    conversation_id: int
    draft: str | None = Field(default=None, description="The draft's text; absent: none")
    replaced: str | None = Field(default=None, description="Start of the draft this call overwrote or cleared")
    action: str | None = Field(default=None, exclude=True)

    def text(self) -> str:
        head = f"#{self.conversation_id} {self.action or 'draft'}"
        lines = [f"{head}: {self.draft}" if self.draft is not None else f"{head}: no draft"]
        if self.replaced:
            lines.append(f"replaced: {self.replaced}")
        if self.action == "draft saved":
            lines.append("Not sent: a person reviews and sends it from Chatwoot's reply box.")
        return "\n".join(lines)
