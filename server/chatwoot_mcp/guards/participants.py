"""Conversation participants (watchers): agents who follow a conversation without being assigned to it."""

from __future__ import annotations

from pydantic import Field

from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.guards.people import resolve_agent
from chatwoot_mcp.views.base import PersonRef, View

__all__ = ["add_participants", "list_participants"]


class ParticipantList(View):
    """The agents watching a conversation."""

    participants: list[PersonRef] = Field(default_factory=list)

    def text(self) -> str:
        return "watching: " + (", ".join(f"{p.name} ({p.id})" for p in self.participants) or "nobody")


class ParticipantChange(ParticipantList):
    """What add_participants did, checked against the list read afterwards."""

    added: list[int] = Field(default_factory=list)
    not_added: list[int] = Field(default_factory=list)
    """Agents Chatwoot skipped (not in the conversation's inbox, and not administrators)."""

    def text(self) -> str:
        skipped = f"; NOT added (not in the inbox): {self.not_added}" if self.not_added else ""
        return f"added {self.added or 'nobody new'}{skipped}; " + super().text()


async def list_participants(tools: ToolContext, account_id: int, conversation_id: int) -> ParticipantList:
    """List the agents watching a conversation.

    Parameters
    ----------
    conversation_id
        The conversation.
    """
    agents = await tools.client.conversations.participants.list(account_id, conversation_id)
    return ParticipantList(participants=[PersonRef(id=a.id, name=a.name) for a in agents])


async def add_participants(
    tools: ToolContext, account_id: int, conversation_id: int, agents: list[int | str]
) -> ParticipantChange:
    """Add agents as watchers of a conversation; existing ones stay.

    Parameters
    ----------
    conversation_id
        The conversation.
    agents
        Ids, emails or names.
    """
    if not agents:
        raise Refusal("No agents given. Nothing was written.")
    ids = list(dict.fromkeys([(await resolve_agent(tools, account_id, agent)).id for agent in agents]))
    participants = tools.client.conversations.participants
    await participants.add(account_id, conversation_id, ids)
    # Chatwoot answers with whom it was asked to add, even those it skipped: the list afterwards is the truth.
    now = await participants.list(account_id, conversation_id)
    watching = {a.id for a in now}
    if not watching & set(ids):
        raise Refusal(
            f"None of {ids} is watching #{conversation_id} after the request: Chatwoot skips agents who are neither "
            "members of the conversation's inbox nor administrators. Nothing was written."
        )
    return ParticipantChange(
        participants=[PersonRef(id=a.id, name=a.name) for a in now],
        added=[agent_id for agent_id in ids if agent_id in watching],
        not_added=[agent_id for agent_id in ids if agent_id not in watching],
    )
