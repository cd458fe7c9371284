"""Results of the supervisor tools: the macros a user can run, in plain words, and what a batch write did to each
conversation (done, skipped by Chatwoot, or not visible yet).

Macro names and action texts are written by the account's own agents and administrators, like canned responses
(see `guards/knowledge.py`), not by customers: they are neutralised and bounded but not marked untrusted.
"""

from __future__ import annotations

from pydantic import Field

from chatwoot_mcp.views.base import Compact, View

__all__ = ["BatchResult", "MacroItem", "MacroList"]


class MacroItem(Compact):
    id: int
    name: str
    visibility: str | None = None
    actions: list[str] = Field(description="What it does, in order")
    customer_visible: bool = Field(description="Some action reaches the customer (a message, a file, an email)")

    def line(self) -> str:
        flag = " [CUSTOMER SEES IT]" if self.customer_visible else ""
        return f"{self.id} {self.name} ({self.visibility or 'hidden'}){flag}: {'; '.join(self.actions) or 'no actions'}"


class MacroList(View):
    """The macros this user can run: global ones and their own personal ones."""

    macros: list[MacroItem]

    def text(self) -> str:
        return "\n".join(item.line() for item in self.macros) or "No macros."


class BatchResult(View):
    """What a batch write did, read back from Chatwoot conversation by conversation."""

    summary: str = Field(default="", exclude=True)
    done: list[int] = Field(description="Conversations that now show the change")
    skipped: list[int] = Field(default_factory=list, description="Left alone by Chatwoot (outside your inboxes)")
    note: str | None = None

    def text(self) -> str:
        lines = [self.summary, f"done: {_ids(self.done)}"]
        if self.skipped:
            lines.append(f"skipped: {_ids(self.skipped)}")
        if self.note:
            lines.append(self.note)
        return "\n".join(line for line in lines if line)


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids) or "none"
