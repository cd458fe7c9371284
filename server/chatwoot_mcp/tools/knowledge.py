"""The knowledge toolset: what the team has already written down (canned responses)."""

from __future__ import annotations

from pydantic import Field

from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.registry import ToolSpec
from chatwoot_mcp.views import Compact, View

__all__ = ["TOOLS", "list_canned_responses"]

CONTENT_LIMIT = 1500
"""Characters of a canned response shown; the team's own text, so not marked untrusted, only bounded."""


class CannedItem(Compact):
    id: int
    short_code: str
    content: str


class CannedList(View):
    """Canned responses (saved replies) of the account."""

    responses: list[CannedItem] = Field(default_factory=list)

    def text(self) -> str:
        if not self.responses:
            return "No canned responses match."
        return "\n".join(f"/{item.short_code} ({item.id}): {item.content}" for item in self.responses)


async def list_canned_responses(tools: ToolContext, account_id: int, q: str | None = None) -> CannedList:
    """List the team's canned responses, or those whose short code or text contains `q`.

    Chatwoot fills placeholders such as {{contact.name}} when a reply containing them is sent.

    Parameters
    ----------
    q
        e.g. refund
    """
    responses = await tools.client.canned_responses.list(account_id, q.strip() if q and q.strip() else None)
    return CannedList(
        responses=[
            CannedItem(
                id=item.id,
                short_code=item.short_code,
                content=item.content if len(item.content) <= CONTENT_LIMIT else item.content[:CONTENT_LIMIT] + "…",
            )
            for item in responses
        ]
    )


TOOLS = [
    ToolSpec(
        "list_canned_responses", "List canned responses", list_canned_responses, "knowledge",
        read_only=True, idempotent=True,
    ),
]  # fmt: skip
