"""The knowledge toolset: what the team has already written down (canned responses, help-center articles)."""

from chatwoot_mcp.surface.spec import ToolSpec

TOOLS = [
    ToolSpec(
        "list_canned_responses", "List canned responses", "chatwoot_mcp.guards.knowledge:list_canned_responses",
        "knowledge", read_only=True, idempotent=True,
    ),
    ToolSpec(
        "search_articles", "Search articles", "chatwoot_mcp.guards.knowledge:search_articles", "knowledge",
        read_only=True, idempotent=True,
    ),
    ToolSpec(
        "get_article", "Read an article", "chatwoot_mcp.guards.knowledge:get_article", "knowledge",
        read_only=True, idempotent=True,
    ),
]  # fmt: skip
