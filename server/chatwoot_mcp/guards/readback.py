"""What the batch writes share: one checked list of conversations, reads that prove the user may see them, and the
bounded wait for a change Chatwoot makes in the background after it has already answered.

Chatwoot answers a macro run and a bulk action with an empty 200 before anything happens; a Sidekiq job does the
work a moment later (seconds on a busy queue). So the only proof is reading the conversations back: EFFECT_WAIT
seconds at most, polling with backoff (0.25 s, 0.5 s, then every second), re-reading only the conversations that
do not show the change yet. Five seconds covers a healthy queue's usual delay several times over while keeping the
call far inside the minute hosts wait for a tool; what has not shown by then is reported as not visible yet, with
the read tool to check, never as done.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from pydantic import BeforeValidator, Field, WithJsonSchema

from chatwoot_client import ChatwootAuthError, ChatwootError, ChatwootNotFoundError, ChatwootPermissionError
from chatwoot_client.types import Conversation
from chatwoot_mcp.context import REQUEST_SCOPES, ToolContext
from chatwoot_mcp.edges.arguments import MAX_ID, parse_conversation_id
from chatwoot_mcp.edges.errors import Refusal

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

__all__ = [
    "EFFECT_WAIT",
    "MAX_BATCH",
    "ConversationIds",
    "batch_ids",
    "granted_scopes",
    "read_conversations",
    "shown",
    "wait_for_effects",
]

MAX_BATCH = 100
"""Conversations one call may change."""
EFFECT_WAIT = 5.0
"""Seconds to wait for a background change to show (see the module docstring)."""
POLL_DELAYS = (0.25, 0.5)
"""The first waits before re-reading; then every POLL_EVERY seconds until EFFECT_WAIT."""
POLL_EVERY = 1.0
READERS = 8
"""Conversations read at the same time."""


ConversationIds = list[
    Annotated[
        int,
        Field(ge=1, le=MAX_ID),
        BeforeValidator(parse_conversation_id),
        WithJsonSchema({"type": "integer", "minimum": 1}, mode="validation"),
    ]
]
"""Conversation ids as agents write them (123 or "#123"; never true/false): what a batch tool takes."""


def shown(ids: list[int], limit: int = 5) -> str:
    """ "#3, #5, #7 and 12 more": the first few ids of a batch."""
    head = ", ".join(f"#{i}" for i in ids[:limit])
    return head + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def batch_ids(conversation_ids: list[int], nothing: str) -> list[int]:
    """The ids, de-duplicated in order; refused when empty or more than MAX_BATCH."""
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise Refusal(f"No conversations given. {nothing}")
    if len(ids) > MAX_BATCH:
        raise Refusal(f"{len(ids)} conversations is more than {MAX_BATCH} in one call. {nothing} Split the batch.")
    return ids


def granted_scopes(ctx: Context[Any, Any] | None) -> frozenset[str] | None:
    """The OAuth scopes the request's token grants; None when the request is not OAuth-authorized."""
    request = ctx.request_context.request if ctx is not None else None
    scope = getattr(request, "scope", None)
    granted = scope.get(REQUEST_SCOPES) if isinstance(scope, dict) else None
    return None if granted is None else frozenset(granted)


async def _each(ids: list[int], read: Callable[[int], Awaitable[None]]) -> None:
    limiter = anyio.CapacityLimiter(READERS)

    async def one(conversation_id: int) -> None:
        async with limiter:
            await read(conversation_id)

    async with anyio.create_task_group() as group:
        for conversation_id in ids:
            group.start_soon(one, conversation_id)


async def read_conversations(
    tools: ToolContext, account_id: int, ids: list[int], nothing: str
) -> dict[int, Conversation]:
    """Every conversation, read as the user; refused, naming them, if any cannot be read (unknown or not theirs)."""
    found: dict[int, Conversation] = {}
    unreadable: list[int] = []

    async def read(conversation_id: int) -> None:
        try:
            found[conversation_id] = await tools.client.conversations.get(account_id, conversation_id)
        except (ChatwootNotFoundError, ChatwootAuthError, ChatwootPermissionError):
            unreadable.append(conversation_id)

    await _each(ids, read)
    if unreadable:
        raise Refusal(
            f"You cannot read {shown(sorted(unreadable), 20)} (not found, or not in your inboxes or teams), so they "
            f"are not changed. {nothing} Call again without them."
        )
    return {conversation_id: found[conversation_id] for conversation_id in ids}


async def wait_for_effects(ids: list[int], visible: Callable[[int], Awaitable[bool]]) -> list[int]:
    """Poll `visible` for each id (concurrently, re-asking only those not visible yet) until all are or EFFECT_WAIT
    has passed; return the ids that show the change, in the given order. A read that fails counts as not yet."""
    deadline = time.monotonic() + EFFECT_WAIT
    done: set[int] = set()
    delays = iter(POLL_DELAYS)

    async def check(conversation_id: int) -> None:
        try:
            if await visible(conversation_id):
                done.add(conversation_id)
        except ChatwootError:
            pass  # not known yet; the next round asks again

    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        await anyio.sleep(min(next(delays, POLL_EVERY), left))
        await _each([i for i in ids if i not in done], check)
        if len(done) == len(ids):
            break
    return [i for i in ids if i in done]
