"""The ui:// documents a host frames: one self-contained HTML page per view (placeholder until the views land)."""

from __future__ import annotations

from functools import cache

__all__ = ["CONVERSATION", "PAGES", "QUEUE", "REPORT", "page_html"]

QUEUE = "ui://chatwoot/queue.html"
CONVERSATION = "ui://chatwoot/conversation.html"
REPORT = "ui://chatwoot/report.html"
PAGES = {QUEUE: "Conversation queue", CONVERSATION: "Conversation", REPORT: "Report"}
"""uri -> title."""


@cache
def page_html(uri: str) -> str:
    """The whole document for `uri` (inline script and style, nothing from another origin)."""
    title = PAGES[uri]
    return f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title><body></body></html>"
