"""Progress notifications for the tools that read many pages, so that a host can show a bar.

A walk reports each page it has read as MCP progress: pages read out of a total that is either known (a filter
says how many conversations match) or estimated (a history walk cannot know its length before it reaches the
start, so its total is the pages its budget allows, refined as it goes; the notification says "about").
The SDK sends a notification only when the client's request carried a progress token: without one, reporting
puts nothing on the wire.

Cancellation needs no polling: when the client cancels (`notifications/cancelled`, or the 2026 era's dropped
request), the SDK cancels the call's scope, which interrupts the page request in flight, so no further request
reaches Chatwoot. As the protocol requires, a cancelled call gets no result at all; what a walk can still deliver
is a result it cut itself, within its own budgets: pages, and WALK_SECONDS of wall-clock time.
"""

from __future__ import annotations

import logging
import time
from types import TracebackType

import anyio
from mcp.server.mcpserver import Context

__all__ = ["WALK_SECONDS", "WalkProgress"]

log = logging.getLogger("chatwoot_mcp")

WALK_SECONDS = 25.0
"""Wall-clock budget of one walk. Hosts give up on a call after a while (60 s is the TypeScript SDK's default),
and a call given up is cancelled and answers nothing, so a slow walk stops itself first and returns what it read,
cut, with where to continue."""


class WalkProgress:
    """Reports the pages one tool call has read; logs a walk the client cancelled (as a `with` block).

    `ctx` is the request's context, or None when a guard is called without one (nothing is reported then).
    """

    def __init__(self, ctx: Context | None, tool: str) -> None:
        self.ctx = ctx
        self.tool = tool
        self.pages = 0
        self.started = time.monotonic()

    def out_of_time(self) -> str | None:
        """Why the walk stops here, if it has used its WALK_SECONDS (asked before each page after the first)."""
        if time.monotonic() - self.started > WALK_SECONDS:
            return f"read for {WALK_SECONDS:g} s, the longest one call reads"
        return None

    async def page(self, total: int | None, *, estimated: bool = False) -> None:
        """One more page was read; `total` is the pages this call expects to read in all (None: unknown)."""
        self.pages += 1
        if self.ctx is None:
            return
        if total is not None:
            total = max(total, self.pages)  # the spec's progress never passes its total
            about = "about " if estimated and total > self.pages else ""
            message = f"{self.tool}: read page {self.pages} of {about}{total}"
        else:
            message = f"{self.tool}: read page {self.pages}"
        await self.ctx.report_progress(self.pages, total, message)

    def __enter__(self) -> WalkProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is not None and issubclass(kind, anyio.get_cancelled_exc_class()):
            # Not an error (a client cancelling, or the server shutting down): the operator sees that the walk
            # stopped, and how much Chatwoot had served by then.
            log.info("%s cancelled after %d page(s); no further requests", self.tool, self.pages)
