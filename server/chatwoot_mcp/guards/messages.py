"""Reading a conversation's history: one page, or the whole of it walked backwards within a budget.

Chatwoot pages messages backwards: no cursor gives the latest 20, `before=<id>` the 20 just before that id,
always oldest first. Walking back page by page with `before` = the oldest id seen reaches the start when a
page comes back short. A budget (message count and rendered bytes) keeps a 5,000-message conversation from
flooding the model's context; a walk it stops is reported as cut, with the cursor to continue from.

Filters: private notes are shown by default (agents need them to triage), activity messages ("Assigned to
...", "marked resolved") are hidden by default (noise). Chatwoot's `filter_internal_messages` drops both at
once, so it is used only when both are hidden; any other mix is filtered here, after the fetch.
"""

from __future__ import annotations

import math
from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from chatwoot_client.types import Message
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.progress import WalkProgress
from chatwoot_mcp.views.base import MessageView, message_view
from chatwoot_mcp.views.triage import MessageHistory

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_MESSAGES", "PAGE_SIZE", "list_messages"]

PAGE_SIZE = 20
"""What Chatwoot returns per page without `after`; a shorter page means the start was reached."""
DEFAULT_MAX_MESSAGES = 500
DEFAULT_MAX_BYTES = 60_000
MAX_PAGES = 150
"""Hard stop on HTTP pages per call, for histories that are mostly hidden by the filters."""


def _estimated_pages(pages: int, kept: int, used: int, max_messages: int, max_bytes: int) -> int:
    """The pages a walk reads before its budget stops it, at the rate pages have filled it so far.

    An estimate (for progress only): a history that starts sooner ends the walk sooner.
    """
    if kept == 0:
        return MAX_PAGES  # everything so far was hidden by the filters: only the page cap bounds the walk
    fits = min(max_messages, max_bytes * kept // max(used, 1))
    return min(MAX_PAGES, max(pages + 1, math.ceil(fits * pages / kept)))


def _kept(message: Message, include_private_notes: bool, include_activity: bool) -> bool:
    if message.private and not include_private_notes:
        return False
    return include_activity or not message.is_activity


async def list_messages(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    before: int | None = None,
    all_history: bool = False,
    include_private_notes: bool = True,
    include_activity: bool = False,
    max_messages: Annotated[int, Field(ge=1, le=5000)] = DEFAULT_MAX_MESSAGES,
    max_bytes: Annotated[int, Field(ge=1000, le=1_000_000)] = DEFAULT_MAX_BYTES,
    ctx: Context | None = None,
) -> MessageHistory:
    """Read messages, oldest first: the latest ~20, or all within a budget (says if cut).

    Parameters
    ----------
    conversation_id
        The conversation.
    before
        Older than this id (next_before).
    all_history
        Walk back to the start.
    include_private_notes
        Agent-only notes.
    include_activity
        Assignment/status events.
    max_messages
        Budget.
    max_bytes
        Budget, bytes of text.
    """
    server_filter = not include_private_notes and not include_activity
    client = tools.client.messages
    kept: list[MessageView] = []  # newest first while walking
    used = hidden = pages = 0
    cursor = before
    reached_start = False
    cut_reason: str | None = None
    oldest_kept: int | None = None
    page_limit = MAX_PAGES if all_history else 1
    with WalkProgress(ctx, "list_messages") as progress:
        while True:
            if pages >= page_limit:
                if all_history:
                    cut_reason = f"read {MAX_PAGES} pages, the most one call reads"
                break
            if pages and (cut_reason := progress.out_of_time()):
                break
            page = await client.list(account_id, conversation_id, before=cursor, filter_internal_messages=server_filter)
            pages += 1
            for message in reversed(page):  # newest first
                if not _kept(message, include_private_notes, include_activity):
                    hidden += 1
                    continue
                view = message_view(message)
                size = len(view.line().encode())
                if len(kept) >= max_messages:
                    cut_reason = f"reached max_messages={max_messages}"
                elif used + size > max_bytes:
                    cut_reason = f"reached max_bytes={max_bytes} of message text"
                if cut_reason:
                    break
                kept.append(view)
                used += size
                oldest_kept = message.id
            last = cut_reason is not None or len(page) < PAGE_SIZE or pages >= page_limit
            if last:
                await progress.page(pages)
            else:
                await progress.page(_estimated_pages(pages, len(kept), used, max_messages, max_bytes), estimated=True)
            if cut_reason:
                break
            if len(page) < PAGE_SIZE:
                reached_start = True
                break
            cursor = min(message.id for message in page)
    if cut_reason:
        next_before = oldest_kept if oldest_kept is not None else cursor
    else:
        next_before = None if reached_start else cursor
    return MessageHistory(
        conversation_id=conversation_id,
        messages=kept[::-1],
        complete=reached_start and cut_reason is None and before is None,
        reached_start=reached_start and cut_reason is None,
        cut=cut_reason is not None,
        cut_reason=(
            f"{cut_reason}; the newest {len(kept)} messages are shown. Call again with before={next_before} "
            f"to continue{', or raise the budget' if cut_reason.startswith('reached max_') else ''}."
            if cut_reason
            else None
        ),
        next_before=next_before,
        hidden=hidden,
        pages_read=pages,
        private_notes=include_private_notes,
        activity=include_activity,
    )
