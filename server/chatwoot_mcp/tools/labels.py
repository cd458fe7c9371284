"""The labels toolset: reading labels and the guarded ways of changing them."""

from __future__ import annotations

from typing import Any

from chatwoot_mcp.guards.labels import add_labels, remove_labels, set_labels
from chatwoot_mcp.registry import ToolSpec
from chatwoot_mcp.views import LabelSet


def label_set_view(result: list[str], arguments: dict[str, Any]) -> LabelSet:
    return LabelSet(conversation_id=arguments["conversation_id"], labels=result)


TOOLS = [
    ToolSpec(
        "list_labels", "List labels", "conversations.labels.list", "labels",
        read_only=True, idempotent=True, view=label_set_view,
    ),
    ToolSpec(
        "add_labels", "Add labels", add_labels, "labels", read_only=False, idempotent=True, verify_with="list_labels",
    ),
    ToolSpec(
        "remove_labels", "Remove labels", remove_labels, "labels",
        read_only=False, idempotent=True, verify_with="list_labels",
    ),
    ToolSpec(
        "set_labels", "Replace all labels", set_labels, "labels",
        read_only=False, destructive=True, idempotent=True, verify_with="list_labels",
    ),
]  # fmt: skip
