"""The app-only tools (MCP Apps): what the ui:// views call through the host, never a model.

They are listed and callable only for clients that support apps (`_meta.ui.visibility: ["app"]`), after every
model-visible tool, and only while a tool linking to their view is visible to the request
(`chatwoot_mcp.surface.visibility`). `app_send_reply` is the click on Send: it needs the one-time token that only the
view was given (`chatwoot_mcp.apps.tokens`), so a model cannot send through it. `app_review_reply` writes nothing
to Chatwoot, but it issues a token to send with, so it asks for what sending asks for (the send scope, a server and
connection that may write).
"""

from chatwoot_mcp.surface.spec import ToolSpec

__all__ = ["CONVERSATION_VIEW", "QUEUE_VIEW", "REPORT_VIEW", "TOOLS", "VIEWS"]

QUEUE_VIEW = "ui://chatwoot/queue.html"
CONVERSATION_VIEW = "ui://chatwoot/conversation.html"
REPORT_VIEW = "ui://chatwoot/report.html"
VIEWS = (QUEUE_VIEW, CONVERSATION_VIEW, REPORT_VIEW)
"""The views' URIs, spelled here so that the rows import nothing of `chatwoot_mcp.apps` (start-up lists tools
without it); a test checks they are `chatwoot_mcp.apps.pages.PAGES`' keys."""

GUARDS = "chatwoot_mcp.guards.screens"

TOOLS = [
    ToolSpec(
        "app_queue_page", "Queue page (app)", f"{GUARDS}:app_queue_page", "apps",
        read_only=True, idempotent=True, app=QUEUE_VIEW, app_only=True,
    ),
    ToolSpec(
        "app_conversation", "Conversation (app)", f"{GUARDS}:app_conversation", "apps",
        read_only=True, app=CONVERSATION_VIEW, app_only=True,
    ),
    ToolSpec(
        "app_review_reply", "Review reply (app)", "chatwoot_mcp.guards.composer:app_review_reply", "apps",
        read_only=False, open_world=False, customer_visible=True, app=CONVERSATION_VIEW, app_only=True,
    ),
    ToolSpec(
        "app_send_reply", "Send reply (app)", "chatwoot_mcp.guards.composer:app_send_reply", "apps",
        read_only=False, verify_with="list_messages", customer_visible=True, app=CONVERSATION_VIEW, app_only=True,
    ),
]  # fmt: skip
