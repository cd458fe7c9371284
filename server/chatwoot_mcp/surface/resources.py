"""MCP resources: a conversation's transcript, the open queue and the account's directory, as text a client can
attach. The transcript and the queue send updates to subscribers (`chatwoot_mcp.events.notify`).

Directory resources are URI templates with an optional `{?account_id}` query (chatwoot://agents, or
chatwoot://agents?account_id=2 on a multi-account server): static resources get no request context in the SDK,
and the context is where the shared client lives. Reads go through the same guards and views as the tools, so
customer text is marked <untrusted> here too, and every text (or failure) is scrubbed of secrets as tool output is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError

from chatwoot_client import ChatwootError
from chatwoot_mcp.context import ToolContext, tool_context
from chatwoot_mcp.edges.arguments import parse_conversation_id, whole_number
from chatwoot_mcp.edges.errors import Refusal, describe_error
from chatwoot_mcp.edges.redaction import redact
from chatwoot_mcp.guards.directory import list_account_labels, list_agents, list_inboxes, list_teams
from chatwoot_mcp.guards.messages import list_messages
from chatwoot_mcp.views.base import View
from chatwoot_mcp.views.conversations import ConversationDetail, ConversationPage

__all__ = ["TRANSCRIPT_MESSAGES", "register_resources"]

TRANSCRIPT_MESSAGES = 60
"""How many recent messages a transcript resource shows (older ones: list_messages with `before`)."""


def _conversation_id(value: str) -> int:
    # A ResourceError's message reaches the client as written; anything else would echo the whole URI back.
    try:
        parsed = parse_conversation_id(value)
    except ValueError as error:
        raise ResourceError(str(error)) from None
    if parsed < 1:
        raise ResourceError("a conversation id is a number such as 123")
    return parsed


def _contact_id(value: str) -> int:
    try:
        number = int(whole_number(value.strip()))
    except ValueError:
        number = 0
    if number < 1:
        raise ResourceError("a contact id is a number such as 42 (search_contacts finds one)")
    return number


@asynccontextmanager
async def _reading(tools: ToolContext) -> AsyncIterator[None]:
    """Failures the reader can act on, in the tools' words and without secrets, instead of a bare "Error reading"."""
    try:
        yield
    except Refusal as refusal:
        raise ResourceError(redact(str(refusal), tools.settings.secrets)) from None
    except ChatwootError as error:
        raise ResourceError(redact(describe_error(error), tools.settings.secrets)) from None


def register_resources(server: MCPServer) -> None:
    """Add the transcript, queue and directory resources to `server`."""

    @server.resource(
        "chatwoot://conversations/{conversation_id}",
        name="conversation_transcript",
        title="Conversation transcript",
        description="A conversation's details and its recent messages (private notes included, activity left out), "
        "oldest first. Customer text is inside <untrusted> tags.",
        mime_type="text/plain",
    )
    async def conversation_transcript(conversation_id: str, ctx: Context) -> str:
        tools = tool_context(ctx)
        account_id = tools.settings.default_account_id
        number = _conversation_id(conversation_id)
        async with _reading(tools):
            detail = ConversationDetail.of(await tools.client.conversations.get(account_id, number))
            history = await list_messages(tools, account_id, number, all_history=True, max_messages=TRANSCRIPT_MESSAGES)
        return redact(f"{detail.text()}\n\nMessages:\n{history.text()}", tools.settings.secrets)

    @server.resource(
        "chatwoot://conversations{?account_id}",
        name="queue",
        title="Open queue",
        description="The account's open conversations, most recent activity first (the first 25). Subscribe to "
        "hear when one changes. Customer text is inside <untrusted> tags.",
        mime_type="text/plain",
    )
    async def queue(ctx: Context, account_id: int | None = None) -> str:
        tools = tool_context(ctx)
        async with _reading(tools):
            page = await tools.client.conversations.list(
                tools.account(account_id), status="open", sort_by="last_activity_at_desc"
            )
        return redact(ConversationPage.of(page).text(), tools.settings.secrets)

    @server.resource(
        "chatwoot://contacts/{contact_id}",
        name="contact",
        title="Contact",
        description="Who a customer is: profile, labels, custom attributes and recent conversations. Customer "
        "text is inside <untrusted> tags.",
        mime_type="text/plain",
    )
    async def contact(contact_id: str, ctx: Context) -> str:
        from chatwoot_mcp.guards.contacts import get_contact

        tools = tool_context(ctx)
        number = _contact_id(contact_id)
        async with _reading(tools):
            view = await get_contact(tools, tools.settings.default_account_id, contact_id=number)
        return redact(view.text(), tools.settings.secrets)

    async def directory(ctx: Context, account_id: int | None, listing: Callable[..., Awaitable[View]]) -> str:
        tools = tool_context(ctx)
        async with _reading(tools):
            view = await listing(tools, tools.account(account_id))
        return redact(view.text(), tools.settings.secrets)

    @server.resource(
        "chatwoot://agents{?account_id}", name="agents", title="Agents", mime_type="text/plain",
        description="The account's agents: id, name, email, role, availability.",
    )  # fmt: skip
    async def agents(ctx: Context, account_id: int | None = None) -> str:
        return await directory(ctx, account_id, list_agents)

    @server.resource(
        "chatwoot://teams{?account_id}", name="teams", title="Teams", mime_type="text/plain",
        description="The account's teams: id, name, description.",
    )  # fmt: skip
    async def teams(ctx: Context, account_id: int | None = None) -> str:
        return await directory(ctx, account_id, list_teams)

    @server.resource(
        "chatwoot://inboxes{?account_id}", name="inboxes", title="Inboxes", mime_type="text/plain",
        description="The account's inboxes: id, name, channel.",
    )  # fmt: skip
    async def inboxes(ctx: Context, account_id: int | None = None) -> str:
        return await directory(ctx, account_id, list_inboxes)

    @server.resource(
        "chatwoot://labels{?account_id}", name="labels", title="Labels", mime_type="text/plain",
        description="The labels defined in the account.",
    )  # fmt: skip
    async def labels(ctx: Context, account_id: int | None = None) -> str:
        return await directory(ctx, account_id, list_account_labels)
