"""The supervisor's report tools (toolset `supervisor`): the queue now and a period's figures; administrators only."""

from chatwoot_mcp.surface.spec import ToolSpec
from chatwoot_mcp.tools.apps import REPORT_VIEW

GUARDS = "chatwoot_mcp.guards.reports"

TOOLS = [
    ToolSpec(
        "get_queue_metrics", "Queue metrics", f"{GUARDS}:get_queue_metrics", "supervisor",
        read_only=True, idempotent=True, app=REPORT_VIEW,
    ),
    ToolSpec(
        "get_report", "Report", f"{GUARDS}:get_report", "supervisor", read_only=True, idempotent=True, app=REPORT_VIEW,
    ),
]  # fmt: skip
