"""The events toolset: what happened in Chatwoot, from its webhooks or, where none can reach the server, polling."""

from chatwoot_mcp.surface.spec import ToolSpec

TOOLS = [
    ToolSpec(
        "list_events", "List events", "chatwoot_mcp.guards.events:list_events", "events",
        read_only=True, idempotent=True,
    ),
]  # fmt: skip
