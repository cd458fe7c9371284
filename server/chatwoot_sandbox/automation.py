"""What Chatwoot's background jobs do: run a macro on conversations, and apply a bulk update.

`MacrosExecutionJob` runs every action of the macro, in stored order, on each conversation whose display id was
given, as the executing user, with each action's error swallowed (the next action runs) and WITHOUT asking whether
that user may see the conversation. `BulkActionsJob` first drops, in silence, the conversations outside the user's
inboxes (`Conversations::PermissionFilterService`), then makes a plain update and merges the labels.
"""

from __future__ import annotations

from collections.abc import Callable

import chatwoot_sandbox.actions as actions
import chatwoot_sandbox.liquid as liquid
from chatwoot_sandbox.actions import Actor
from chatwoot_sandbox.finders import ruby_to_i, visible_inbox_ids
from chatwoot_sandbox.records import CONVERSATION_STATUSES, OUTGOING, PRIORITIES, Conversation, User
from chatwoot_sandbox.state import SandboxState
from chatwoot_sandbox.webhooks import contact_save, conversation_save

__all__ = ["MACRO_ACTIONS", "bulk_update_conversations", "macro_conversations", "run_macro"]

Params = list[object]
Action = Callable[[SandboxState, Conversation, Params, Actor], None]


def macro_conversations(state: SandboxState, account_id: int, ids: object) -> list[Conversation]:
    """`account.conversations.where(display_id: ids.to_a)`: a non-array raises (String#to_a), as in the job."""
    if not isinstance(ids, list):
        raise TypeError("conversation_ids.to_a: undefined method for a non-array")
    wanted = {_db_int(value) for value in ids}
    return [c for c in state.account_conversations(account_id) if c.display_id in wanted]


def run_macro(state: SandboxState, account_id: int, macro_id: int, ids: object, executor: User) -> None:
    """`MacrosExecutionJob.perform`: an unknown macro fails the job (it got nil); nothing is checked per
    conversation."""
    macro = state.macros.get(macro_id)
    if macro is None or macro.account_id != account_id:
        raise LookupError(f"macro {macro_id} is nil in the job")
    actor = Actor(user=executor)
    for conversation in macro_conversations(state, account_id, ids):
        for action in macro.actions:
            params = action.get("action_params")
            try:
                MACRO_ACTIONS[str(action.get("action_name"))](
                    state, conversation, list(params) if isinstance(params, list) else [], actor
                )
            except Exception:  # rescue StandardError: to the error tracker, then the next action
                continue


def bulk_update_conversations(
    state: SandboxState,
    account_id: int,
    user: User,
    ids: object,
    fields: dict[str, object] | None,
    snoozed_until: object,
    labels: dict[str, object] | None,
) -> None:
    """`BulkActionsJob` for conversations: the caller's inboxes only; a plain update, then the label merges."""
    inboxes = visible_inbox_ids(state, account_id, user.id)
    actor = Actor(user=user)
    for conversation in macro_conversations(state, account_id, ids if isinstance(ids, list) else []):
        if conversation.inbox_id not in inboxes:
            continue  # skipped in silence
        if fields:
            with conversation_save(state, conversation):  # one `update(fields)`
                _update_fields(state, conversation, fields, snoozed_until, actor)
        if labels:
            added = [str(label) for label in _list(labels.get("add")) if str(label) not in conversation.labels]
            removed = {str(label) for label in _list(labels.get("remove"))}
            wanted = [label for label in [*conversation.labels, *added] if label not in removed]
            if wanted != conversation.labels:
                actions.replace_labels(state, conversation, wanted, actor)


def _update_fields(
    state: SandboxState, conversation: Conversation, fields: dict[str, object], snoozed_until: object, actor: Actor
) -> None:
    """`conversation.update(fields)`: status (null dropped), assignee (null unassigns), team (0 or null removes);
    `snoozed_until` is saved with it. No toggle_status rules: reopening does not assign the caller."""
    status = fields.get("status")
    if status is not None:
        if status not in CONVERSATION_STATUSES:
            raise ValueError(f"'{status}' is not a valid status")  # the job fails; the answer was 200 already
        actions.change_status(state, conversation, str(status), actor)
    if "assignee_id" in fields:
        raw = fields["assignee_id"]
        agent = state.users.get(_db_int(raw)) if raw is not None else None
        actions.assign_agent(state, conversation, agent, actor)
    if "team_id" in fields:
        raw = fields["team_id"]
        team = state.teams.get(_db_int(raw)) if raw not in (None, 0, "0") else None
        if team is not None and team.account_id != conversation.account_id:
            team = None
        actions.assign_team(state, conversation, team, actor)
    if snoozed_until is not None and conversation.status == "snoozed":
        conversation.snoozed_until = float(_db_int(snoozed_until))


def _db_int(value: object) -> int:
    """ActiveRecord's integer cast of an id: 5 and "5" are 5; anything else matches nothing (-1)."""
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return ruby_to_i(value)
    return -1


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


# -- the actions (`ActionService`, `Macros::ExecutionService`) ------------------------------------------------------


def _first(params: Params) -> object:
    if not params:
        raise IndexError("action_params is empty")
    return params[0]


def _message(private: bool) -> Action:
    def run(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
        content = liquid.render(state, conversation, str(_first(params)), actor.user_id)
        actions.add_message(
            state, conversation, content=content, message_type=OUTGOING, sender=actor.sender, private=private
        )

    return run


def _add_label(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
    added = [str(label) for label in params if str(label) not in conversation.labels]
    if added:
        actions.replace_labels(state, conversation, [*conversation.labels, *added], actor)


def _remove_label(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
    unwanted = {str(label) for label in params}
    kept = [label for label in conversation.labels if label not in unwanted]
    if kept != conversation.labels:
        actions.replace_labels(state, conversation, kept, actor)


def _assign_agent(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
    """`["self"]` is the executor, `["nil"]` unassigns; ids compare as integers (`["5"]` matches nobody). Only an
    inbox member or an administrator, confirmed, is assigned; anyone else is a silent no-op."""
    value = _first(params)
    if value == "nil":
        actions.assign_agent(state, conversation, None, actor)
        return
    if value == "self":
        agent = actor.user
    elif value == "last_responding_agent":
        replies = [m for m in conversation.messages if m.message_type == OUTGOING and m.sender_type == "User"]
        agent = state.users.get(replies[-1].sender_id or 0) if replies else None
    else:
        agent = state.users.get(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if agent is None or not agent.confirmed:
        return
    member = agent.id in state.inboxes[conversation.inbox_id].member_ids
    if member or agent.role_in(conversation.account_id) == "administrator":
        actions.assign_agent(state, conversation, agent, actor)


def _assign_team(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
    """`[]`, `["nil"]` and `[0]` remove the team; a team of another account is a no-op."""
    value = params[0] if params else None
    if value in (None, "nil", 0):
        actions.assign_team(state, conversation, None, actor)
        return
    team = state.teams.get(_db_int(value))
    if team is not None and team.account_id == conversation.account_id:
        actions.assign_team(state, conversation, team, actor)


def _status(status: str) -> Action:
    def run(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
        actions.change_status(state, conversation, status, actor)

    return run


def _change_status(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
    status = _first(params)
    if status not in CONVERSATION_STATUSES:
        raise ValueError(f"'{status}' is not a valid status")
    actions.change_status(state, conversation, str(status), actor)


def _change_priority(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
    priority = _first(params)
    if priority != "nil" and priority not in PRIORITIES:
        raise ValueError(f"'{priority}' is not a valid priority")
    actions.set_priority(state, conversation, None if priority == "nil" else str(priority), actor)


def _mute(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
    actions.change_status(state, conversation, "resolved", actor)
    contact = state.contacts[conversation.contact_id]
    with contact_save(state, contact):
        contact.blocked = True
    actions.add_activity(state, conversation, f"{actor.name} has muted the conversation")


def _nothing_to_see(state: SandboxState, conversation: Conversation, params: Params, actor: Actor) -> None:
    """Effects outside the conversation (an email, a webhook, a file message): not emulated."""


MACRO_ACTIONS: dict[str, Action] = {
    "send_message": _message(private=False),
    "add_private_note": _message(private=True),
    "send_attachment": _nothing_to_see,
    "add_label": _add_label,
    "remove_label": _remove_label,
    "assign_agent": _assign_agent,
    "assign_team": _assign_team,
    "remove_assigned_agent": lambda state, conversation, params, actor: actions.assign_agent(
        state, conversation, None, actor
    ),
    "remove_assigned_team": lambda state, conversation, params, actor: actions.assign_team(
        state, conversation, None, actor
    ),
    "mute_conversation": _mute,
    "resolve_conversation": _status("resolved"),
    "snooze_conversation": _status("snoozed"),
    "change_status": _change_status,
    "change_priority": _change_priority,
    "send_email_transcript": _nothing_to_see,
    "send_webhook_event": _nothing_to_see,
}
"""`Macro::ACTIONS_ATTRS`: every action a macro may hold, and what it does to a conversation."""
