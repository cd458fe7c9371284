"""Writing into a conversation: private notes freely, customer-visible replies only when confirmed.

A reply reaches the customer and cannot be unsent, so `send_reply` asks the user through MCP elicitation
whenever the client can show a question (even if the model passed confirm=true: the model's own yes is not the
user's); only clients that cannot ask fall back to `confirm=true`. Replies are never retried (the client
does not retry message creation once it may have reached Chatwoot), and the same text to the same
conversation twice within DUPLICATE_WINDOW is refused unless `confirm_duplicate=true`: the usual way a
customer gets a reply twice is a model that retries after a timeout.
"""

from __future__ import annotations

import time
from typing import Annotated

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve

from chatwoot_client import (
    ChatwootAuthError,
    ChatwootNotFoundError,
    ChatwootPermissionError,
    ChatwootRateLimitError,
    ChatwootValidationError,
)
from chatwoot_mcp.context import ToolContext, tool_context
from chatwoot_mcp.errors import Refusal
from chatwoot_mcp.guards.confirm import Confirmation, is_confirmed, supports_elicitation
from chatwoot_mcp.triage_views import PostedMessage
from chatwoot_mcp.views import message_view

__all__ = ["DUPLICATE_WINDOW", "add_private_note", "normalise_reply", "send_reply"]

DUPLICATE_WINDOW = 600.0
"""Seconds during which the same reply to the same conversation counts as a duplicate."""

PREVIEW_LIMIT = 1500


def normalise_reply(content: str) -> str:
    """What makes two replies "the same": case and whitespace do not count."""
    return " ".join(content.split()).casefold()


def _recent_duplicate(tools: ToolContext, key: tuple[int, int, str]) -> float | None:
    """Seconds since the same reply was sent, if within the window (old entries are forgotten here)."""
    now = time.monotonic()
    for old in [k for k, at in tools.recent_replies.items() if now - at > DUPLICATE_WINDOW]:
        del tools.recent_replies[old]
    sent = tools.recent_replies.get(key)
    return None if sent is None else now - sent


def _check_content(content: str) -> None:
    if not content.strip():
        raise Refusal("The message is empty. Nothing was sent.")


async def add_private_note(tools: ToolContext, account_id: int, conversation_id: int, content: str) -> PostedMessage:
    """Add a private note to a conversation: seen only by agents, never sent to the customer.

    Not idempotent: each call adds another note.

    Parameters
    ----------
    conversation_id
        The conversation: 123, "#123" or its Chatwoot URL.
    content
        The note's text (Markdown).
    """
    _check_content(content)
    message = await tools.client.messages.create(account_id, conversation_id, content, "outgoing", private=True)
    return PostedMessage(
        conversation_id=conversation_id,
        message=message_view(message),
        private=message.private,
        reached_customer=False,
    )


async def ask_to_send(
    ctx: Context, conversation_id: int, content: str, confirm: bool = False, confirm_duplicate: bool = False
) -> Confirmation | Elicit[Confirmation]:
    """Ask the user before a reply goes out, when the client can ask; else pass the caller's `confirm` on."""
    if not supports_elicitation(ctx) or not content.strip():
        return Confirmation(confirm=confirm)
    tools = tool_context(ctx)
    if tools.settings.pinned_account and not confirm_duplicate:
        key = (tools.settings.default_account_id, conversation_id, normalise_reply(content))
        if _recent_duplicate(tools, key) is not None:
            return Confirmation(confirm=False)  # refused as a duplicate anyway: do not bother the user
    preview = content if len(content) <= PREVIEW_LIMIT else content[:PREVIEW_LIMIT] + "…"
    again = " (the same text was sent recently: it would go out a second time)" if confirm_duplicate else ""
    return Elicit(
        f"Send this reply to the CUSTOMER of conversation #{conversation_id}{again}? It cannot be unsent.\n\n{preview}",
        Confirmation,
    )


async def send_reply(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    content: str,
    confirm: bool = False,
    confirm_duplicate: bool = False,
    *,
    confirmation: Annotated[ElicitationResult[Confirmation], Resolve(ask_to_send)],
) -> PostedMessage:
    """SEND a reply to the customer: it is delivered to them (chat, email, WhatsApp...) and cannot be unsent.

    Only send what the user has approved. The user is asked to confirm when the client supports it; clients
    that cannot ask must pass confirm=true. Never retried: after an error or timeout, check list_messages
    before sending again. The same text to the same conversation within 10 minutes is refused unless
    confirm_duplicate=true. For notes only agents see, use add_private_note.

    Parameters
    ----------
    conversation_id
        The conversation: 123, "#123" or its Chatwoot URL.
    content
        The reply's exact text, as the customer will see it.
    confirm
        True when the user approved this exact text (for clients that cannot ask the user themselves).
    confirm_duplicate
        True to send text identical to a reply sent to this conversation in the last 10 minutes.
    """
    _check_content(content)
    key = (account_id, conversation_id, normalise_reply(content))
    async with tools.conversation_locks((account_id, conversation_id)):
        ago = _recent_duplicate(tools, key)
        if ago is not None and not confirm_duplicate:
            raise Refusal(
                f"The same reply was already sent to conversation #{conversation_id} {int(ago // 60)} min "
                f"{int(ago % 60)} s ago. Nothing was sent. Check list_messages; if the customer really should "
                "get it again, call send_reply with confirm_duplicate=true (it is still confirmed)."
            )
        if not is_confirmed(confirmation):
            raise Refusal(
                f"send_reply was not confirmed, so nothing was sent to the customer of #{conversation_id}. Show the "
                "user the exact text; only after they approve it, call send_reply again with confirm=true (or "
                "use add_private_note for a note only agents see)."
            )
        tools.recent_replies[key] = time.monotonic()  # before sending: a timeout may still have delivered it
        try:
            message = await tools.client.messages.create(account_id, conversation_id, content, "outgoing")
        except (
            ChatwootValidationError,
            ChatwootNotFoundError,
            ChatwootAuthError,
            ChatwootPermissionError,
            ChatwootRateLimitError,
        ):
            del tools.recent_replies[key]  # refused by Chatwoot: certainly not sent
            raise
    return PostedMessage(
        conversation_id=conversation_id,
        message=message_view(message),
        private=message.private,
        reached_customer=not message.private,
    )
