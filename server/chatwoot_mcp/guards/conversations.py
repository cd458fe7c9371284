"""Conversation writes that must check their inputs before Chatwoot sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatwoot_client.types import ConversationPriority, ConversationStatus
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.edges.outcomes import Unverified
from chatwoot_mcp.guards.people import resolve_agent, resolve_team
from chatwoot_mcp.views.base import PersonRef
from chatwoot_mcp.views.conversations import ConversationChange, StatusChange

__all__ = ["SNOOZE_HORIZON", "assign_conversation", "create_conversation", "toggle_status", "update_conversation"]

SNOOZE_HORIZON = timedelta(days=366)
"""How far ahead a snooze may reach. Further is almost always a wrong year or unit (milliseconds for seconds)."""


def snooze_time(snoozed_until: datetime | int, now: datetime | None = None) -> datetime:
    """`snoozed_until` as an aware UTC time in the next SNOOZE_HORIZON, or a Refusal saying what is allowed."""
    now = now or datetime.now(UTC)
    allowed = (
        f"Give a time between now and {(now + SNOOZE_HORIZON).date().isoformat()} (at most one year ahead), as ISO "
        "8601 with a timezone, e.g. 2026-12-01T09:00:00Z, or unix seconds. Nothing was written."
    )
    if isinstance(snoozed_until, int):
        try:
            snoozed_until = datetime.fromtimestamp(snoozed_until, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise Refusal(f"snoozed_until is not a time Chatwoot can store. {allowed}") from None
    if snoozed_until.tzinfo is None:
        raise Refusal(f"snoozed_until has no timezone, so the moment it names is ambiguous. {allowed}")
    if snoozed_until <= now:
        raise Refusal(f"snoozed_until is in the past. {allowed}")
    if snoozed_until - now > SNOOZE_HORIZON:
        raise Refusal(f"snoozed_until is more than a year ahead. {allowed}")
    return snoozed_until.astimezone(UTC)


async def assign_conversation(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    agent: int | str | None = None,
    team: int | str | None = None,
    unassign_agent: bool = False,
    clear_team: bool = False,
) -> ConversationChange:
    """Assign an agent and/or team, or remove them; ambiguous names return the candidates.

    Parameters
    ----------
    conversation_id
        The conversation.
    agent
        Id, email or name.
    team
        Id or name.
    unassign_agent
        Remove the agent.
    clear_team
        Remove the team.
    """
    if agent is not None and unassign_agent:
        raise Refusal("Pass either agent or unassign_agent=true, not both. Nothing was written.")
    if team is not None and clear_team:
        raise Refusal("Pass either team or clear_team=true, not both. Nothing was written.")
    if agent is None and team is None and not unassign_agent and not clear_team:
        raise Refusal("Nothing to do: pass agent, team, unassign_agent=true or clear_team=true. Nothing was written.")
    agent_id = (await resolve_agent(tools, account_id, agent)).id if agent is not None else None
    team_id = (await resolve_team(tools, account_id, team)).id if team is not None else None
    conversations = tools.client.conversations
    if not unassign_agent and not clear_team:
        # One read after the writes (team first: assigning a team can auto-assign one of its members, which an
        # explicit agent must override): the conversation as Chatwoot now has it.
        conversation = await conversations.update(account_id, conversation_id, None, agent_id, team_id)
    elif agent is None and not unassign_agent:
        conversation = await conversations.assign_team(account_id, conversation_id, team_id)
    else:
        if team is not None or clear_team:
            await conversations.assign_team(account_id, conversation_id, team_id)
        conversation = await conversations.assign(account_id, conversation_id, agent_id)
    change = ConversationChange.of(conversation)
    if agent is not None or unassign_agent:
        _verify(change, "agent", change.assignee, agent_id)
    if team is not None or clear_team:
        _verify(change, "team", change.team, team_id)
    return change


def _verify(change: ConversationChange, what: str, shown: PersonRef | None, wanted: int | None) -> None:
    """Raise Unverified unless the conversation read after the writes shows the `what` asked for."""
    shown_id = shown.id if shown is not None else None
    if shown_id != wanted:
        raise Unverified(
            f"Chatwoot accepted the assignment, but #{change.id} now shows {what} {shown_id or 'none'}, "
            f"not {wanted or 'none'}."
        )


async def toggle_status(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    status: ConversationStatus,
    snoozed_until: datetime | int | None = None,
) -> StatusChange:
    """Set a conversation's status. Reopening as an agent also assigns it to that agent.

    Parameters
    ----------
    conversation_id
        The conversation.
    status
        New status.
    snoozed_until
        With snoozed: when to reopen, within a year (ISO 8601 with zone, or unix seconds).
    """
    if snoozed_until is not None and status != "snoozed":
        raise Refusal(f"snoozed_until only applies to status snoozed, not {status}. Nothing was written.")
    until = snooze_time(snoozed_until) if snoozed_until is not None else None
    response = await tools.client.conversations.toggle_status(
        account_id, conversation_id, status, snoozed_until=int(until.timestamp()) if until is not None else None
    )
    if response.success is False:
        raise Refusal(
            f"Chatwoot did not save the status of #{conversation_id} (it answered success=false); it is still "
            f"{response.current_status}. Nothing was written."
        )
    return StatusChange.of(response, conversation_id)


async def update_conversation(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    status: ConversationStatus | None = None,
    priority: ConversationPriority | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
) -> ConversationChange:
    """Change status, priority, agent and team at once; omitted fields stay.

    Parameters
    ----------
    conversation_id
        The conversation.
    status
        New status.
    priority
        New priority.
    assignee_id
        Agent id (list_agents).
    team_id
        Team id (list_teams).
    """
    if status is None and priority is None and assignee_id is None and team_id is None:
        raise Refusal("Nothing to change: pass status, priority, assignee_id or team_id. Nothing was written.")
    if assignee_id is not None:
        await resolve_agent(tools, account_id, assignee_id)
    if team_id is not None:
        await resolve_team(tools, account_id, team_id)
    conversation = await tools.client.conversations.update(
        account_id, conversation_id, status, assignee_id, team_id, priority=priority
    )
    return ConversationChange.of(conversation)


async def create_conversation(
    tools: ToolContext,
    account_id: int,
    inbox_id: int,
    contact_id: int,
    message: str | None = None,
    status: ConversationStatus | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
) -> ConversationChange:
    """Start a conversation with a contact; a `message` is SENT to them.

    Parameters
    ----------
    inbox_id
        Inbox id (list_inboxes).
    contact_id
        Contact id.
    message
        Sent to the contact.
    status
        Default open.
    assignee_id
        Agent id (list_agents).
    team_id
        Team id (list_teams).
    """
    if assignee_id is not None:
        await resolve_agent(tools, account_id, assignee_id)
    if team_id is not None:
        await resolve_team(tools, account_id, team_id)
    fields = {"message": message, "status": status, "assignee_id": assignee_id, "team_id": team_id}
    conversation = await tools.client.conversations.create(account_id, None, inbox_id, contact_id, **fields)
    return ConversationChange.of(conversation)
