"""The supervisor's report tools (toolset `supervisor`): the queue now and a period's figures; administrators only."""

from chatwoot_mcp.surface.spec import ToolSpec

GUARDS = "chatwoot_mcp.guards.reports"

TOOLS = [
    ToolSpec(
        "get_queue_metrics", "Queue metrics", f"{GUARDS}:get_queue_metrics", "supervisor",
        read_only=True, idempotent=True,
    ),
    ToolSpec("get_report", "Report", f"{GUARDS}:get_report", "supervisor", read_only=True, idempotent=True),
]  # fmt: skip
