"""Dynamic toolsets: start with a few tools and let the model enable what the task needs.

Every tool's schema sits in the model's context on every turn. With `--dynamic-toolsets` the server lists only
the conversations toolset's read tools plus `list_toolsets` and `enable_toolset`; enabling a toolset registers
its tools and tells the client (`notifications/tools/list_changed`) to list them again. The configuration's
filters still decide what a toolset can add: read-only and exclude win, as everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from chatwoot_mcp.surface.spec import ToolSpec

__all__ = ["INITIAL_TOOLSET", "DynamicToolsets"]

INITIAL_TOOLSET = "conversations"


@dataclass
class DynamicToolsets:
    """Which toolsets the server lists now, and how to add one.

    `register` adds specs to the running server (see ChatwootServer.register).
    """

    available: dict[str, list[ToolSpec]]
    descriptions: dict[str, str]
    register: Callable[[Iterable[ToolSpec]], None]
    enabled: set[str] = field(default_factory=set)

    @classmethod
    def of(
        cls, specs: Iterable[ToolSpec], descriptions: dict[str, str], register: Callable[[Iterable[ToolSpec]], None]
    ) -> DynamicToolsets:
        # Every toolset is named, even one this configuration empties (read-only, excluded tools).
        available: dict[str, list[ToolSpec]] = {name: [] for name in descriptions}
        for spec in specs:
            available.setdefault(spec.toolset, []).append(spec)
        return cls(available, descriptions, register)

    def initial(self) -> list[ToolSpec]:
        """What the server lists before the model enables anything: the conversation read tools."""
        return [spec for spec in self.available.get(INITIAL_TOOLSET, []) if spec.read_only]

    def enable(self, toolset: str) -> list[str]:
        """Register `toolset`'s tools (those not listed yet); return their names."""
        if toolset in self.enabled:
            return []
        self.enabled.add(toolset)
        initial = {spec.name for spec in self.initial()}
        adding = [spec for spec in self.available.get(toolset, []) if spec.name not in initial]
        self.register(adding)
        return [spec.name for spec in adding]
