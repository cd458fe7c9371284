"""The directory toolset: who and what is in the account, from the server's 60-second cache."""

from chatwoot_mcp.surface.spec import ToolSpec

TOOLS = [
    ToolSpec(
        "list_agents", "List agents", "chatwoot_mcp.guards.directory:list_agents", "directory",
        read_only=True, idempotent=True,
    ),
    ToolSpec(
        "list_teams", "List teams", "chatwoot_mcp.guards.directory:list_teams", "directory",
        read_only=True, idempotent=True,
    ),
    ToolSpec(
        "list_inboxes", "List inboxes", "chatwoot_mcp.guards.directory:list_inboxes", "directory",
        read_only=True, idempotent=True,
    ),
    ToolSpec(
        "list_account_labels", "List account labels", "chatwoot_mcp.guards.directory:list_account_labels",
        "directory", read_only=True, idempotent=True,
    ),
]  # fmt: skip
