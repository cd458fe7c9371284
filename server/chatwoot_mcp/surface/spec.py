"""The tool declaration: one `ToolSpec` row per tool, and what can be read off it without building the tool.

A tool is declared once, as a row pointing at an async client method (by its path on the client,
e.g. "conversations.get") or at a guard function of this package (by its import path,
"chatwoot_mcp.guards.labels:add_labels"). Targets and views are named, not imported, so the rows (chatwoot_mcp.tools)
import nothing but this module; `chatwoot_mcp.surface.registry` builds the MCP tool from a row.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mcp.types import ToolAnnotations

if TYPE_CHECKING:
    from chatwoot_mcp.views.base import View

__all__ = ["ToolSpec"]


@dataclass(frozen=True)
class ToolSpec:
    """One MCP tool, declared once.

    `target` is either a dotted path on AsyncChatwootClient ("conversations.labels.list"), called as
    `method(account_id, **arguments)`, or a guard `async def guard(tools: ToolContext, account_id, ...)`, named by
    its import path ("module:function") or given as the function itself. `view(result, arguments)` turns the
    target's result into the View that is returned (`arguments` are the call's, with `account_id`), likewise an
    import path or the function; without a view the target must itself return a View.
    """

    name: str
    title: str
    target: str | Callable[..., Any]
    toolset: str
    read_only: bool
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = True
    view: str | Callable[[Any, dict[str, Any]], View] | None = None
    verify_with: str = "get_conversation"
    """The read tool that shows whether a write whose outcome is unknown was applied."""
    customer_visible: bool = False
    """The customer sees what this tool does (a reply, a conversation started with a message): with OAuth it needs
    the `chatwoot:send` scope, not only `chatwoot:write`."""
    output_schema: bool = True
    """False: results still carry structuredContent, but tools/list declares no output schema (the two dynamic-toolsets
    tools, whose text says everything, so that the first listing stays small)."""
    app: str | None = None
    """The ui:// view (MCP Apps) a host may show this tool's result in (`chatwoot_mcp.apps.pages`). Only a client that
    supports apps sees it, as the tool's `_meta.ui.resourceUri`."""
    app_only: bool = False
    """Called by that view, never by a model (`_meta.ui.visibility: ["app"]`): listed and callable only for clients
    that support apps (`chatwoot_mcp.tools.apps`)."""

    def ui_meta(self) -> dict[str, Any] | None:
        """The tool's `_meta.ui` for a client that supports apps, or None for a tool without a view."""
        if self.app is None:
            return None
        return {"resourceUri": self.app, "visibility": ["app"]} if self.app_only else {"resourceUri": self.app}

    @cached_property
    def function(self) -> Callable[..., Any]:
        """The async callable the tool runs (an unbound client method, or the guard)."""
        if callable(self.target):
            return self.target
        if ":" in self.target:
            return _imported(self.target)
        from chatwoot_client import AsyncChatwootClient

        owner: Any = AsyncChatwootClient
        *resources, method = self.target.split(".")
        for attribute in resources:
            owner = typing.get_type_hints(getattr(owner, attribute).func)["return"]
        return getattr(owner, method)

    @property
    def is_guard(self) -> bool:
        return callable(self.target) or ":" in self.target

    @cached_property
    def view_function(self) -> Callable[[Any, dict[str, Any]], View] | None:
        """The view, imported if it is named by its import path."""
        return _imported(self.view) if isinstance(self.view, str) else self.view

    @cached_property
    def wants_context(self) -> bool:
        """Whether the guard takes the request's `ctx` (not a tool argument)."""
        return self.is_guard and "ctx" in inspect.signature(self.function).parameters

    @cached_property
    def output_model(self) -> type[View]:
        from chatwoot_mcp.views.base import View

        source = self.view_function or self.function
        model = typing.get_type_hints(source)["return"]
        if not (inspect.isclass(model) and issubclass(model, View)):
            raise TypeError(f"tool {self.name}: results must be a View, got {model!r}; declare a view")
        return model

    @cached_property
    def description(self) -> str:
        """What the model reads: a guard's whole summary (written for it), a client method's first paragraph.

        A client method's later paragraphs speak to Python callers (return types, retries), not to a model.
        """
        from chatwoot_mcp.surface.docstrings import parse_docstring  # building a tool's schema only: not at start-up

        paragraphs = parse_docstring(self.function.__doc__).summary.split("\n\n")
        return " ".join(paragraphs if self.is_guard else paragraphs[:1])

    def annotations(self) -> ToolAnnotations:
        """All four hints, explicitly (hosts differ in what they assume for a missing one); the title is the tool's
        own `title`, not repeated here."""
        return ToolAnnotations(
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=self.open_world,
        )


def _imported(path: str) -> Callable[..., Any]:
    """The function at an import path such as "chatwoot_mcp.guards.labels:add_labels"."""
    module, _, name = path.partition(":")
    found: Any = importlib.import_module(module)
    for attribute in name.split("."):
        found = getattr(found, attribute)
    if not callable(found):
        raise TypeError(f"{path} is not a function")
    return found
