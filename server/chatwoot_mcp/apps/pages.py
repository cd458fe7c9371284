"""The ui:// documents a host frames: one self-contained HTML page per view, built from `static/` on first use.

Each page is `static/page.html` with `base.css` inlined as its one `<style>` and, as its one `<script>`, the host
bridge (`bridge.js`), the shared helpers (`common.js`) and the view's own code, then the line that starts it. The
queue carries the conversation view too: a click opens a conversation in the same frame. Nothing is loaded from
anywhere, so the host's default CSP (inline script and style, `data:` images, no connections) is all a page needs.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["CONVERSATION", "PAGES", "QUEUE", "REPORT", "page_html"]

QUEUE = "ui://chatwoot/queue.html"
CONVERSATION = "ui://chatwoot/conversation.html"
REPORT = "ui://chatwoot/report.html"
PAGES = {QUEUE: "Conversation queue", CONVERSATION: "Conversation", REPORT: "Report"}
"""uri -> title."""

_SCRIPTS = {
    QUEUE: (("bridge.js", "common.js", "conversation.js", "queue.js"), "Queue.boot();"),
    CONVERSATION: (("bridge.js", "common.js", "conversation.js"), "Conversation.boot();"),
    REPORT: (("bridge.js", "common.js", "report.js"), "Report.boot();"),
}


def _static(name: str) -> str:
    return files("chatwoot_mcp.apps").joinpath("static", name).read_text(encoding="utf-8")


@cache
def page_html(uri: str) -> str:
    """The whole document for `uri` (inline script and style, nothing from another origin)."""
    names, start = _SCRIPTS[uri]
    script = "\n".join([*(_static(name) for name in names), start])
    style = _static("base.css")
    # Inline, the only way out of a <script> or <style> element is its end tag: the sources must not write one.
    if "</script" in script.lower() or "</style" in style.lower():
        raise ValueError("an inline script or style would end its element early")
    page = _static("page.html")
    return page.replace("{{title}}", PAGES[uri]).replace("{{style}}", style).replace("{{script}}", script)
