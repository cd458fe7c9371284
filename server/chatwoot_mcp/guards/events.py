"""list_events: the account's event feed, read with a cursor, waiting a little for the next event if asked.

Events come from Chatwoot's signed webhooks when they can reach this server (an HTTP transport with a webhook
secret), otherwise from polling, which each call drives (`events.polling`: at most one request per account every
POLL_INTERVAL seconds, while someone reads). A caller sees the events of the account the call acts in, which with
per-user tokens is one its user belongs to (`ToolContext.account`), and of the inboxes its Chatwoot user may see
(the directory's inboxes: an agent's are those they are a member of).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

from pydantic import Field

from chatwoot_client import ChatwootError
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal, describe_error
from chatwoot_mcp.events.model import (
    CURSOR,
    MAX_WAIT,
    RETENTION_COUNT,
    RETENTION_SECONDS,
    START,
    Event,
    EventKind,
    event_key,
)
from chatwoot_mcp.events.polling import POLL_INTERVAL, poll
from chatwoot_mcp.views.events import EventPage, event_item

__all__ = ["PAGE", "READ_BATCH", "list_events"]

PAGE = 50
"""Events one call returns at most."""
READ_BATCH = 200
"""Events read from the stream per step (a filter may keep few of them)."""


async def list_events(
    tools: ToolContext,
    account_id: int,
    since: str | None = None,
    kinds: list[EventKind] | None = None,
    conversation_id: int | None = None,
    wait_seconds: Annotated[int, Field(ge=0, le=int(MAX_WAIT))] = 0,
) -> EventPage:
    """What happened in conversations, oldest first: new, status, assigned, labels, customer/agent messages,
    private notes.

    Parameters
    ----------
    since
        next_since from the last call; omitted: the latest events.
    kinds
        Only these.
    conversation_id
        Only this conversation.
    wait_seconds
        If none yet, wait up to this long for one (0-25).
    """
    if since is not None and (not CURSOR.fullmatch(since) or event_key(since)[0] > (time.time() + 60) * 1000):
        # A cursor from the future would never be passed: ids are times, so nothing would ever come after it.
        raise Refusal("since must be a next_since value from list_events (like 1733500000000-0). Nothing was read.")
    polling = not tools.settings.webhooks
    source = f"polling every {POLL_INTERVAL:.0f} s" if polling else "webhooks"
    # The inboxes this user may see (an agent: those they are a member of), so a feed shows no more than Chatwoot.
    inboxes = {inbox.id for inbox in await tools.directory.inboxes(account_id)}
    wanted = _filter(account_id, set(kinds or ()), conversation_id, inboxes)
    deadline = time.monotonic() + wait_seconds
    notes: list[str] = []
    if polling:
        await _poll(tools, account_id, notes)
    if since is not None:
        notes.extend(await _missed(tools, since))
    batch = await tools.state.event_read(since, READ_BATCH, 0)
    if since is None:
        events, more = [event for event in batch if wanted(event)][-PAGE:], False
        cursor = batch[-1].id if batch else START
    else:
        events, cursor, more = _page(batch, since, wanted)
    while not events and (remaining := deadline - time.monotonic()) > 0:
        step = min(remaining, POLL_INTERVAL) if polling else remaining
        batch = await tools.state.event_read(cursor, READ_BATCH, step)
        if batch:
            events, cursor, more = _page(batch, cursor, wanted)
        elif polling:
            await _poll(tools, account_id, notes)
    if not events:
        notes.append(_empty(polling, wait_seconds))
    return EventPage(
        events=[event_item(event) for event in events],
        next_since=cursor,
        source=source,
        more=more,
        note=" ".join(notes) or None,
    )


def _filter(
    account_id: int, kinds: set[str], conversation_id: int | None, inboxes: set[int]
) -> Callable[[Event], bool]:
    def wanted(event: Event) -> bool:
        inbox_id = event.data.get("inbox_id")
        return (
            event.account_id == account_id
            and (inbox_id is None or inbox_id in inboxes)
            and (not kinds or event.kind in kinds)
            and (conversation_id is None or event.conversation_id == conversation_id)
        )

    return wanted


def _page(batch: list[Event], cursor: str, wanted: Callable[[Event], bool]) -> tuple[list[Event], str, bool]:
    """The wanted events of `batch` (at most PAGE), the cursor after the last event looked at, and whether more
    may follow it."""
    found = []
    for event in batch:
        if wanted(event):
            found.append(event)
            if len(found) == PAGE:
                return found, event.id, event is not batch[-1] or len(batch) == READ_BATCH
    return found, batch[-1].id if batch else cursor, len(batch) == READ_BATCH


async def _missed(tools: ToolContext, since: str) -> list[str]:
    """What the feed no longer holds after `since`: events the retention limit removed since that cursor."""
    dropped = event_key(await tools.state.event_dropped_through())
    too_old = since != START and event_key(since)[0] < (time.time() - RETENTION_SECONDS) * 1000
    if event_key(since) >= dropped and not too_old:
        return []
    return [
        f"Events after since may be missing: the feed keeps {RETENTION_COUNT:,} events and "
        f"{RETENTION_SECONDS / 3600:.0f} hours, and some after this cursor are gone. Read the queue "
        "(list_conversations) for where things stand now."
    ]


async def _poll(tools: ToolContext, account_id: int, notes: list[str]) -> None:
    try:
        polled = await poll(tools, account_id)
    except ChatwootError as error:
        notes.append(f"Polling Chatwoot failed, so changes since the last poll may be missing: {describe_error(error)}")
        return
    if polled is not None and polled[1]:
        notes.append("Polling just started: changes from now on are reported.")


def _empty(polling: bool, waited: int) -> str:
    after = f" (waited {waited} s)" if waited else ""
    if polling:
        return (
            f"No events{after}: polling saw no change in the 25 most recently active conversations. It polls only "
            "while list_events is called; call again with next_since (wait_seconds up to 25)."
        )
    return (
        f"No events{after}: Chatwoot delivered no change since next_since. It sends each webhook once, without "
        "retry; call again with next_since (wait_seconds up to 25)."
    )
