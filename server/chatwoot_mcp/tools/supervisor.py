"""The supervisor toolset: the team's macros, and changes to many conversations at once, each verified."""

from chatwoot_mcp.surface.spec import ToolSpec

TOOLS = [
    ToolSpec(
        "list_macros", "List macros", "chatwoot_mcp.guards.macros:list_macros", "supervisor",
        read_only=True, idempotent=True,
    ),
    # Whether a run reaches the customer depends on the macro, not on the row: the guard asks for chatwoot:send
    # when the macro messages the customer (a row's scope is static).
    ToolSpec(
        "run_macro", "Run a macro", "chatwoot_mcp.guards.macros:run_macro", "supervisor", read_only=False,
    ),
    ToolSpec(
        "bulk_update_conversations", "Update many conversations", "chatwoot_mcp.guards.bulk:bulk_update_conversations",
        "supervisor", read_only=False, idempotent=True,
    ),
]  # fmt: skip
