"""The labels toolset: reading labels and the guarded ways of changing them."""

from chatwoot_mcp.surface.spec import ToolSpec

GUARDS = "chatwoot_mcp.guards.labels"

TOOLS = [
    ToolSpec(
        "list_labels", "List labels", "conversations.labels.list", "labels",
        read_only=True, idempotent=True, view="chatwoot_mcp.views.client:label_set_view",
    ),
    ToolSpec(
        "add_labels", "Add labels", f"{GUARDS}:add_labels", "labels",
        read_only=False, idempotent=True, verify_with="list_labels",
    ),
    ToolSpec(
        "remove_labels", "Remove labels", f"{GUARDS}:remove_labels", "labels",
        read_only=False, idempotent=True, verify_with="list_labels",
    ),
    ToolSpec(
        "set_labels", "Replace all labels", f"{GUARDS}:set_labels", "labels",
        read_only=False, destructive=True, idempotent=True, verify_with="list_labels",
    ),
]  # fmt: skip
