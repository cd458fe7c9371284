"""A conversation's draft: the reply Chatwoot keeps in its reply box for a person to review and send.

Saving a draft is a write inside Chatwoot, not a send: the customer sees nothing until an agent sends it, so it
needs neither the user's confirmation nor the `chatwoot:send` scope. Chatwoot keeps ONE draft per conversation,
shared by all its agents, and does not record who wrote it; so a different draft already there is refused unless
`replace=true` (it may be a colleague's unsent work). A draft this same user saved through chatwoot-mcp is known
(kept in the shared state for a day) and may be overwritten or cleared freely. Every write is read back.

Clearing is its own tool (`clear_draft`), not `save_draft` with empty text: an empty string is the likeliest
accidental argument, and a separate, destructive-annotated tool makes "delete this draft" a deliberate act.
"""

from __future__ import annotations

import hashlib

from chatwoot_client.types import Draft
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.edges.outcomes import Unverified
from chatwoot_mcp.edges.untrusted import DETAIL_LIMIT
from chatwoot_mcp.guards.replies import normalise_reply, visible_text
from chatwoot_mcp.views.drafts import DraftView, draft_start

__all__ = ["DRAFT_MEMORY", "clear_draft", "get_draft", "save_draft"]

DRAFT_MEMORY = 86400.0
"""Seconds chatwoot-mcp remembers which user saved a conversation's draft (Chatwoot itself does not record it)."""


def _text(draft: Draft) -> str | None:
    """The draft's text, or None when there is none (an empty or blank draft is none)."""
    return draft.message if draft.has_draft and draft.message and draft.message.strip() else None


def _digest(text: str) -> str:
    return hashlib.sha256(normalise_reply(text).encode()).hexdigest()[:32]


def _key(account_id: int, conversation_id: int) -> str:
    return f"draft:{account_id}:{conversation_id}"


def _shown(text: str) -> str:
    return (
        text if len(text) <= DETAIL_LIMIT else text[:DETAIL_LIMIT] + f"… [{len(text) - DETAIL_LIMIT} more characters]"
    )


async def _whose(tools: ToolContext, account_id: int, conversation_id: int, text: str) -> tuple[bool, str]:
    """Whether the draft `text` is the caller's own (saved by them through chatwoot-mcp), and who wrote it in words."""
    kept = await tools.state.cache_get(_key(account_id, conversation_id))
    me = tools.identity.user_id if tools.identity is not None else None
    if isinstance(kept, dict) and kept.get("digest") == _digest(text):
        if kept.get("user") == me:
            return True, "yours"
        return False, f"saved by {kept.get('name') or 'another user'} through chatwoot-mcp"
    return False, "Chatwoot does not record who wrote it"


async def _check_replace(
    tools: ToolContext, account_id: int, conversation_id: int, current: str, replace: bool, what: str
) -> None:
    mine, who = await _whose(tools, account_id, conversation_id, current)
    if not mine and not replace:
        raise Refusal(
            f'#{conversation_id} already has a different draft ({who}): "{draft_start(current)}". It may be a '
            f"colleague's unsent work. Nothing was written. Show it to the user; {what} it only if they agree, with "
            "replace=true."
        )


async def get_draft(tools: ToolContext, account_id: int, conversation_id: int) -> DraftView:
    """Read the conversation's draft: the unsent reply in Chatwoot's reply box, shared by its agents.

    Parameters
    ----------
    conversation_id
        The conversation.
    """
    text = _text(await tools.client.conversations.draft.get(account_id, conversation_id))
    return DraftView(conversation_id=conversation_id, draft=_shown(text) if text is not None else None)


async def save_draft(
    tools: ToolContext, account_id: int, conversation_id: int, content: str, replace: bool = False
) -> DraftView:
    """Save a draft reply in Chatwoot's reply box for a person to review and send; the customer gets nothing.

    Parameters
    ----------
    conversation_id
        The conversation.
    content
        The draft's text.
    replace
        Overwrite a different draft already there.
    """
    if not visible_text(content):
        raise Refusal("The draft has no visible text. Nothing was written. To remove a draft, use clear_draft.")
    drafts = tools.client.conversations.draft
    async with tools.state.lock(f"conversation:{account_id}:{conversation_id}"):
        current = _text(await drafts.get(account_id, conversation_id))
        same = current is not None and normalise_reply(current) == normalise_reply(content)
        if current is not None and not same:
            await _check_replace(tools, account_id, conversation_id, current, replace, "overwrite")
        await drafts.save(account_id, conversation_id, content)
        if (await drafts.get(account_id, conversation_id)).message != content:
            raise Unverified(f"Chatwoot accepted the draft, but #{conversation_id} now shows a different one.")
        identity = tools.identity
        memory = {"user": identity.user_id if identity else None, "name": identity.name if identity else None}
        await tools.state.cache_set(
            _key(account_id, conversation_id), memory | {"digest": _digest(content)}, DRAFT_MEMORY
        )
    replaced = draft_start(current) if current is not None and not same else None
    return DraftView(conversation_id=conversation_id, draft=_shown(content), replaced=replaced, action="draft saved")


async def clear_draft(tools: ToolContext, account_id: int, conversation_id: int, replace: bool = False) -> DraftView:
    """Delete the conversation's draft (nothing is sent).

    Parameters
    ----------
    conversation_id
        The conversation.
    replace
        Also when it is not a draft you saved.
    """
    drafts = tools.client.conversations.draft
    async with tools.state.lock(f"conversation:{account_id}:{conversation_id}"):
        current = _text(await drafts.get(account_id, conversation_id))
        if current is None:
            return DraftView(conversation_id=conversation_id, action="had no draft")
        await _check_replace(tools, account_id, conversation_id, current, replace, "clear")
        await drafts.delete(account_id, conversation_id)
        if _text(await drafts.get(account_id, conversation_id)) is not None:
            raise Unverified(f"Chatwoot accepted the deletion, but #{conversation_id} still shows a draft.")
    return DraftView(conversation_id=conversation_id, replaced=draft_start(current), action="draft cleared")
