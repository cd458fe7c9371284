"""Macros: saved sequences of actions an agent runs on conversations in one go, as Chatwoot sends them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from chatwoot_client.types._base import ChatwootModel
from chatwoot_client.types.directory import Agent

__all__ = ["Macro", "MacroAction", "MacroVisibility"]

MacroVisibility = Literal["personal", "global"]


class MacroAction(ChatwootModel):
    """One step of a macro, e.g. `{"action_name": "add_label", "action_params": ["billing"]}`.

    `action_params` is what the step acts with: label names, a team or user id (`"self"` and `"nil"` too), a status,
    a message text. Steps run in the order they are stored.
    """

    action_name: str
    action_params: list[Any] = Field(default_factory=list)


class Macro(ChatwootModel):
    """A macro. `visibility` is "global" (everyone may run it), "personal" (only its author sees it), or None: an
    administrator's create or update without a visibility stores NULL, and such a macro drops out of every list."""

    id: int
    name: str | None = None
    visibility: MacroVisibility | None = None
    account_id: int | None = None
    actions: list[MacroAction] = Field(default_factory=list)
    created_by: Agent | None = None
    updated_by: Agent | None = None
    files: list[dict[str, Any]] = Field(default_factory=list)
