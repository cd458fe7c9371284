"""Changes to conversations, with the side effects the real models' callbacks have.

Rails does much of its work in callbacks: a status change resets `snoozed_until`, resolving clears
`waiting_since`, a new message moves `last_activity_at`, an incoming message reopens a snoozed or resolved
conversation, assigning a team drops an assignee who is not in it (and may pick one who is). Every change an agent
makes also leaves an activity message ("Conversation was marked resolved by ...") in the history. These functions
do the same, so the sandbox's histories and timestamps move the way a real server's do.

Each function is one `save` in Rails terms (or, for a new message, the saves its callbacks make), so each fires the
webhooks that save fires (`chatwoot_sandbox.webhooks`): a caller that groups several into one save wraps them in
`conversation_save`.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatwoot_sandbox.records import ACTIVITY, INCOMING, OUTGOING, AgentBot, Conversation, Message, Team, User
from chatwoot_sandbox.state import SandboxState
from chatwoot_sandbox.webhooks import contact_save, conversation_save, emit


@dataclass(frozen=True)
class Actor:
    """Who made a request: a user or an agent bot (exactly one is set; neither on the sign-in endpoints)."""

    user: User | None = None
    bot: AgentBot | None = None

    @property
    def name(self) -> str:
        if self.user is not None:
            return self.user.available_name
        return self.bot.name if self.bot is not None else "System"

    @property
    def sender(self) -> tuple[str, int] | None:
        if self.user is not None:
            return ("User", self.user.id)
        return ("AgentBot", self.bot.id) if self.bot is not None else None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


def touch(state: SandboxState, conversation: Conversation) -> float:
    now = state.clock()
    conversation.updated_at = now
    return now


def add_message(
    state: SandboxState,
    conversation: Conversation,
    *,
    content: str | None,
    message_type: int,
    sender: tuple[str, int] | None,
    private: bool = False,
    content_type: str = "text",
    content_attributes: dict[str, object] | None = None,
    echo_id: str | None = None,
    source_id: str | None = None,
) -> Message:
    """Append a message and run the conversation-side callbacks.

    - every message moves `last_activity_at` to its creation time;
    - an incoming message reopens a snoozed or resolved conversation (unless the contact is blocked, i.e. muted)
      and starts `waiting_since` if the customer was not already waiting;
    - a public outgoing reply by a user sets `first_reply_created_at` once and ends the wait (`waiting_since`).
    """
    before_touch = conversation.updated_at
    now = touch(state, conversation)
    sender_type, sender_id = sender if sender else (None, None)
    message = Message(
        id=state.allocate_message_id(),
        account_id=conversation.account_id,
        inbox_id=conversation.inbox_id,
        conversation_pk=conversation.id,
        content=content,
        message_type=message_type,
        created_at=now,
        updated_at=now,
        sender_type=sender_type,
        sender_id=sender_id,
        content_type=content_type,
        private=private,
        source_id=source_id,
        content_attributes=content_attributes or {},
        echo_id=echo_id,
    )
    conversation.messages.append(message)
    conversation.last_activity_at = now  # update_columns: no callbacks, no webhook
    if message_type == ACTIVITY:
        return message
    conversation.updated_at = before_touch  # the saves below bump it, as each `update` does
    contact = state.contacts[conversation.contact_id]
    if message_type == INCOMING and not contact.blocked and conversation.status in ("snoozed", "resolved"):
        with conversation_save(state, conversation):  # Message#reopen_conversation
            conversation.status = "open"
            conversation.snoozed_until = None
            conversation.updated_at = now
    emit(state, "message_created", message)
    with conversation_save(state, conversation):  # first reply / update_waiting_since
        if message_type == INCOMING and conversation.waiting_since is None:
            conversation.waiting_since = now
        elif message_type == OUTGOING and not private and sender_type == "User":
            if conversation.first_reply_created_at is None:
                conversation.first_reply_created_at = now
            conversation.waiting_since = None
        conversation.updated_at = now
    if message_type == INCOMING:
        with contact_save(state, contact):  # Message#update_contact_activity
            contact.last_activity_at = now
    return message


def add_activity(state: SandboxState, conversation: Conversation, content: str) -> Message:
    return add_message(state, conversation, content=content, message_type=ACTIVITY, sender=None)


_STATUS_ACTIVITY = {
    "resolved": "Conversation was marked resolved by {name}",
    "open": "Conversation was reopened by {name}",
    "pending": "Conversation was marked as pending by {name}",
    "snoozed": "Conversation was snoozed by {name}",
}


def change_status(state: SandboxState, conversation: Conversation, status: str, actor: Actor) -> None:
    """Set the status; `before_save` then resets `snoozed_until` unless snoozed, and resolving ends the wait."""
    previous = conversation.status
    with conversation_save(state, conversation):
        conversation.status = status
        if status != "snoozed":
            conversation.snoozed_until = None
        if status == "resolved":
            conversation.waiting_since = None
        touch(state, conversation)
    if status != previous:
        add_activity(state, conversation, _STATUS_ACTIVITY[status].format(name=actor.name))


def assign_agent(state: SandboxState, conversation: Conversation, agent: User | None, actor: Actor) -> None:
    """Set (or, with None, clear) the user assignee; an agent bot assignee is cleared either way."""
    previous = conversation.assignee_id
    with conversation_save(state, conversation):
        conversation.assignee_id = agent.id if agent else None
        conversation.assignee_agent_bot_id = None
        touch(state, conversation)
    if conversation.assignee_id == previous:
        return
    if agent is None:
        add_activity(state, conversation, f"Conversation unassigned by {actor.name}")
    elif actor.user_id == agent.id:
        add_activity(state, conversation, f"{actor.name} self-assigned this conversation")
    else:
        add_activity(state, conversation, f"Assigned to {agent.available_name} by {actor.name}")


def assign_bot(state: SandboxState, conversation: Conversation, bot: AgentBot, actor: Actor) -> None:
    with conversation_save(state, conversation):
        conversation.assignee_id = None
        conversation.assignee_agent_bot_id = bot.id
        touch(state, conversation)
    add_activity(state, conversation, f"Assigned to {bot.name} by {actor.name}")


def assign_team(state: SandboxState, conversation: Conversation, team: Team | None, actor: Actor) -> None:
    """Set (or clear) the team, applying `AssignmentHandler`'s rules (see `apply_team_rules`)."""
    previous = conversation.team_id
    previous_team = state.teams.get(previous) if previous is not None else None
    with conversation_save(state, conversation):
        conversation.team_id = team.id if team else None
        touch(state, conversation)
        picked = apply_team_rules(state, conversation, team) if team is not None and team.id != previous else None
    if conversation.team_id == previous:
        return
    if team is None:
        if previous_team is not None:
            add_activity(state, conversation, f"Unassigned from {previous_team.name} by {actor.name}")
        return
    if picked is not None:
        add_activity(state, conversation, f"Assigned to {picked.available_name} via {team.name} by {actor.name}")
    else:
        add_activity(state, conversation, f"Assigned to {team.name} by {actor.name}")


def apply_team_rules(state: SandboxState, conversation: Conversation, team: Team) -> User | None:
    """After a team change: drop an assignee who is not in the team; then, if nobody is assigned and the team
    allows auto-assignment, assign the first online team member who is also in the conversation's inbox.

    Returns the member it assigned, if any.
    """
    if conversation.assignee_id is not None and conversation.assignee_id not in team.member_ids:
        conversation.assignee_id = None
    if conversation.assignee_id is not None:
        return None
    picked = _auto_assignee(state, conversation, team)
    if picked is not None:
        conversation.assignee_id = picked.id
    return picked


def _auto_assignee(state: SandboxState, conversation: Conversation, team: Team) -> User | None:
    if not team.allow_auto_assign:
        return None
    inbox_members = state.inboxes[conversation.inbox_id].member_ids
    for user_id in sorted(team.member_ids):
        user = state.users.get(user_id)
        membership = user.memberships.get(conversation.account_id) if user else None
        if user and membership and membership.availability == "online" and user_id in inbox_members:
            return user
    return None


def replace_labels(state: SandboxState, conversation: Conversation, labels: list[str], actor: Actor) -> None:
    """Replace the whole label set (`update!(label_list: ...)`), noting what was added and removed."""
    before = {name.lower() for name in conversation.labels}
    after = {name.lower() for name in labels}
    added = [name for name in labels if name.lower() not in before]
    removed = [name for name in conversation.labels if name.lower() not in after]
    with conversation_save(state, conversation):
        conversation.labels = list(labels)
        touch(state, conversation)
    if added:
        add_activity(state, conversation, f"{actor.name} added {', '.join(added)}")
    if removed:
        add_activity(state, conversation, f"{actor.name} removed {', '.join(removed)}")


def set_priority(state: SandboxState, conversation: Conversation, priority: str | None, actor: Actor) -> None:
    previous = conversation.priority
    with conversation_save(state, conversation):
        conversation.priority = priority
        touch(state, conversation)
    if priority == previous:
        return
    if priority is None:
        add_activity(state, conversation, f"{actor.name} removed the priority")
    elif previous is None:
        add_activity(state, conversation, f"{actor.name} set the priority to {priority}")
    else:
        add_activity(state, conversation, f"{actor.name} changed the priority from {previous} to {priority}")
