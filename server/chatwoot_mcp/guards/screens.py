"""What the ui:// views read (MCP Apps): the next page of the queue, and a conversation with its composer.

These are app-only tools: a view calls them through its host, a model never sees them (`chatwoot_mcp.tools.apps`).
A queue page is the source tool run again with another page, so its arguments are checked exactly as the model's
were. A conversation comes with its latest messages as raw text for a person's screen, the contact card, a link to
it in Chatwoot, and, when this connection may send, the one-time token that lets a click on Send confirm the reply
shown (`chatwoot_mcp.apps.tokens`).
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from mcp.server.mcpserver import Context

from chatwoot_client.types import Message
from chatwoot_mcp.apps.tokens import issue, text_digest
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.guards.composer import binding_for, may_send, newest_spoken
from chatwoot_mcp.state import StateUnavailable
from chatwoot_mcp.views.apps import AppConversation, QueuePage, app_message, contact_card
from chatwoot_mcp.views.conversations import ConversationDetail

__all__ = ["HISTORY", "app_conversation", "app_queue_page", "conversation_link"]

HISTORY = 100
"""The latest messages the conversation view shows."""
PAGE = 20
"""Messages per page of Chatwoot's history (fewer: the start was reached)."""
QUEUE_SOURCES = ("list_conversations", "filter_conversations", "search_conversations")


async def app_queue_page(
    tools: ToolContext,
    account_id: int,
    source: Literal["list_conversations", "filter_conversations", "search_conversations"],
    arguments: dict[str, Any],
    page: int,
    ctx: Context | None = None,
) -> QueuePage:
    """Another page of the queue view (the app calls this, not the model).

    Parameters
    ----------
    source
        The tool the view shows.
    arguments
        That tool's arguments, as the view got them.
    page
        From 1.
    """
    if ctx is None:  # pragma: no cover - the registry always passes the request
        raise Refusal("app_queue_page needs the request it serves.")
    from chatwoot_mcp.surface.request_view import request_view
    from chatwoot_mcp.surface.visibility import refusal

    server: Any = ctx.mcp_server
    refused = refusal(server.chatwoot_settings, request_view(ctx.request_context), source)
    if refused is not None:
        raise Refusal(refused)
    call = {key: value for key, value in arguments.items() if key != "pages"} | {"page": page}
    if "account_id" not in call and not server.chatwoot_settings.pinned_account:
        call["account_id"] = account_id
    result = await server.call_tool(source, call, ctx)
    text = "\n".join(getattr(block, "text", "") for block in getattr(result, "content", ()))
    if getattr(result, "is_error", False) or getattr(result, "structured_content", None) is None:
        raise Refusal(text or f"{source} gave no page.")
    return QueuePage.model_validate({**result.structured_content, "summary": text})


def conversation_link(base_url: str, account_id: int, conversation_id: int) -> str:
    """The conversation in Chatwoot's own interface, without any credentials, query or fragment of the base URL."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}/app/accounts/{account_id}/conversations/{conversation_id}"


async def _latest(tools: ToolContext, account_id: int, conversation_id: int) -> list[Message]:
    """The latest HISTORY messages (every kind), oldest first."""
    found: list[Message] = []
    cursor: int | None = None
    while len(found) < HISTORY:
        page = await tools.client.messages.list(account_id, conversation_id, before=cursor)
        found = [*page, *found]
        if len(page) < PAGE:
            break
        cursor = min(message.id for message in page)
    found.sort(key=lambda message: message.id)
    return found[-HISTORY:]


async def app_conversation(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    draft: str | None = None,
    ctx: Context | None = None,
) -> AppConversation:
    """A conversation for the conversation view, with its reply composer (the app calls this, not the model).

    Parameters
    ----------
    conversation_id
        The conversation.
    draft
        The reply to show in the composer.
    """
    conversation = await tools.client.conversations.get(account_id, conversation_id)
    messages = await _latest(tools, account_id, conversation_id)
    text = draft or ""
    view = AppConversation(
        conversation=ConversationDetail.of(conversation),
        messages=[app_message(message) for message in messages],
        contact=contact_card(conversation),
        link=conversation_link(tools.settings.base_url, account_id, conversation_id),
        draft=text,
    )
    why_not = may_send(tools, ctx)
    if why_not is not None:
        view.why_not = why_not
        return view
    newest = newest_spoken(messages)
    binding = await binding_for(tools, account_id, conversation_id, newest.id if newest else None, text_digest(text))
    try:
        issued = await issue(tools.state, binding)
    except StateUnavailable:
        view.why_not = "the server's shared state cannot be reached, so a click could not be confirmed"
        return view
    view.compose(issued.meta())
    view.can_send = True
    return view
