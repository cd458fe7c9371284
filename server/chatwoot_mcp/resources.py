"""MCP resources: a conversation's transcript and the account's directory, as text a client can attach.

Directory resources are URI templates with an optional `{?account_id}` query (chatwoot://agents, or
chatwoot://agents?account_id=2 on a multi-account server): static resources get no request context in the SDK,
and the context is where the shared client lives. Reads go through the same guards and views as the tools, so
customer text is marked <untrusted> here too.
"""

from __future__ import annotations

from mcp.server import MCPServer
from mcp.server.mcpserver import Context

from chatwoot_mcp.context import tool_context
from chatwoot_mcp.guards.messages import list_messages
from chatwoot_mcp.registry import parse_conversation_ref
from chatwoot_mcp.tools.directory import list_account_labels, list_agents, list_inboxes, list_teams
from chatwoot_mcp.views import ConversationDetail

__all__ = ["TRANSCRIPT_MESSAGES", "register_resources"]

TRANSCRIPT_MESSAGES = 60
"""How many recent messages a transcript resource shows (older ones: list_messages with `before`)."""


def _conversation_id(value: str) -> int:
    parsed = parse_conversation_ref(value)
    if not isinstance(parsed, int) or parsed < 1:
        raise ValueError(f"not a conversation id: {value!r}")
    return parsed


def register_resources(server: MCPServer) -> None:
    """Add the transcript and directory resources to `server`."""

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
        detail = ConversationDetail.of(await tools.client.conversations.get(account_id, number))
        history = await list_messages(tools, account_id, number, all_history=True, max_messages=TRANSCRIPT_MESSAGES)
        return f"{detail.text()}\n\nMessages:\n{history.text()}"

    def account(ctx: Context, account_id: int | None) -> int:
        return tool_context(ctx).account(account_id)

    @server.resource(
        "chatwoot://agents{?account_id}", name="agents", title="Agents", mime_type="text/plain",
        description="The account's agents: id, name, email, role, availability.",
    )  # fmt: skip
    async def agents(ctx: Context, account_id: int | None = None) -> str:
        return (await list_agents(tool_context(ctx), account(ctx, account_id))).text()

    @server.resource(
        "chatwoot://teams{?account_id}", name="teams", title="Teams", mime_type="text/plain",
        description="The account's teams: id, name, description.",
    )  # fmt: skip
    async def teams(ctx: Context, account_id: int | None = None) -> str:
        return (await list_teams(tool_context(ctx), account(ctx, account_id))).text()

    @server.resource(
        "chatwoot://inboxes{?account_id}", name="inboxes", title="Inboxes", mime_type="text/plain",
        description="The account's inboxes: id, name, channel.",
    )  # fmt: skip
    async def inboxes(ctx: Context, account_id: int | None = None) -> str:
        return (await list_inboxes(tool_context(ctx), account(ctx, account_id))).text()

    @server.resource(
        "chatwoot://labels{?account_id}", name="labels", title="Labels", mime_type="text/plain",
        description="The labels defined in the account.",
    )  # fmt: skip
    async def labels(ctx: Context, account_id: int | None = None) -> str:
        return (await list_account_labels(tool_context(ctx), account(ctx, account_id))).text()
