"""The directory tools: who and what is in the account, from the server's 60-second cache."""

from __future__ import annotations

from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.views.triage import AgentList, InboxList, LabelList, TeamList

__all__ = ["list_account_labels", "list_agents", "list_inboxes", "list_teams"]


async def list_agents(tools: ToolContext, account_id: int) -> AgentList:
    """List the account's agents."""
    return AgentList.of(await tools.directory.agents(account_id))


async def list_teams(tools: ToolContext, account_id: int) -> TeamList:
    """List the account's teams."""
    return TeamList.of(await tools.directory.teams(account_id))


async def list_inboxes(tools: ToolContext, account_id: int) -> InboxList:
    """List the account's inboxes (channels)."""
    return InboxList.of(await tools.directory.inboxes(account_id))


async def list_account_labels(tools: ToolContext, account_id: int) -> LabelList:
    """List the account's labels."""
    return LabelList.of(await tools.directory.labels(account_id))
