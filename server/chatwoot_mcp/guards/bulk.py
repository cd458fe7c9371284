"""Changing many conversations at once through Chatwoot's bulk_actions, confirmed once, verified one by one.

Chatwoot answers an empty 200 and applies the change in a background job a moment later, skipping in silence every
conversation outside the user's inboxes. So the batch is read first (only conversations the user can read are
accepted), the conversations Chatwoot will skip are named before anything is sent, and afterwards each of the others
is read back until it shows the change (`guards.readback`).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve

from chatwoot_client import ChatwootError
from chatwoot_client.resources.bulk_actions import Keep
from chatwoot_client.types import Conversation, ConversationStatus
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal, describe_error
from chatwoot_mcp.edges.outcomes import Unverified, refused_by_chatwoot
from chatwoot_mcp.guards.confirm import Confirmation, is_confirmed, supports_elicitation
from chatwoot_mcp.guards.conversations import snooze_time
from chatwoot_mcp.guards.labels import check_labels, unwanted
from chatwoot_mcp.guards.people import resolve_agent, resolve_team
from chatwoot_mcp.guards.readback import (
    MAX_BATCH,
    ConversationIds,
    batch_ids,
    read_conversations,
    shown,
    wait_for_effects,
)
from chatwoot_mcp.views.supervisor import BatchResult

__all__ = ["bulk_update_conversations"]

NOTHING = "Nothing was written."


def _change(
    status: str | None,
    snoozed_until: datetime | int | None,
    assignee: int | str | None,
    team: int | str | None,
    add_labels: list[str] | None,
    remove_labels: list[str] | None,
) -> str:
    parts = [f"status {status}" + (f" until {snoozed_until}" if snoozed_until is not None else "")] if status else []
    parts += [f"agent {assignee}"] if assignee is not None else []
    parts += [f"team {team}"] if team is not None else []
    parts += [f"add labels {', '.join(add_labels)}"] if add_labels else []
    parts += [f"remove labels {', '.join(remove_labels)}"] if remove_labels else []
    return "; ".join(parts)


async def ask_to_update(
    ctx: Context,
    conversation_ids: ConversationIds,
    status: ConversationStatus | None = None,
    snoozed_until: datetime | int | None = None,
    assignee: int | str | None = None,
    team: int | str | None = None,
    add_labels: list[str] | None = None,
    remove_labels: list[str] | None = None,
    confirm: bool = False,
) -> Confirmation | Elicit[Confirmation]:
    """One question for the whole batch: how many conversations, the first of them, and the change."""
    ids = list(dict.fromkeys(conversation_ids))
    change = _change(status, snoozed_until, assignee, team, add_labels, remove_labels)
    if not supports_elicitation(ctx) or not change or not 0 < len(ids) <= MAX_BATCH:
        return Confirmation(confirm=confirm)  # refused by the call itself when there is nothing to ask about
    return Elicit(
        f"Change {len(ids)} conversation{'s' if len(ids) != 1 else ''} ({shown(ids)}): {change}?", Confirmation
    )


def _shows(conversation: Conversation, fields: dict[str, Any], add: list[str], remove: list[str]) -> bool:
    labels = {label.casefold() for label in conversation.labels}
    seen = {"status": conversation.status, "assignee": conversation.assignee_id, "team": conversation.team_id}
    return (
        all(seen[key] == value for key, value in fields.items())
        and {label.casefold() for label in add} <= labels
        and not ({label.casefold() for label in remove} & labels)
    )


async def bulk_update_conversations(
    tools: ToolContext,
    account_id: int,
    conversation_ids: ConversationIds,
    status: ConversationStatus | None = None,
    snoozed_until: datetime | int | None = None,
    assignee: int | str | None = None,
    team: int | str | None = None,
    add_labels: list[str] | None = None,
    remove_labels: list[str] | None = None,
    confirm: bool = False,
    *,
    confirmation: Annotated[ElicitationResult[Confirmation], Resolve(ask_to_update)],
) -> BatchResult:
    """Set status, agent, team or labels of many conversations, then check each (Chatwoot skips ones outside your
    inboxes). One confirmation: asked, else confirm=true.

    Parameters
    ----------
    conversation_ids
        At most 100.
    status
        New status.
    snoozed_until
        With snoozed: reopen time.
    assignee
        Agent id, email or name.
    team
        Team id or name.
    add_labels
        Labels to add.
    remove_labels
        Labels to remove.
    confirm
        The user approved.
    """
    ids = batch_ids(conversation_ids, NOTHING)
    if not _change(status, snoozed_until, assignee, team, add_labels, remove_labels):
        raise Refusal(f"Nothing to change: pass status, assignee, team, add_labels or remove_labels. {NOTHING}")
    if snoozed_until is not None and status != "snoozed":
        raise Refusal(f"snoozed_until only applies to status snoozed. {NOTHING}")
    until = snooze_time(snoozed_until) if snoozed_until is not None else None
    add = await check_labels(tools, account_id, add_labels) if add_labels else []
    remove = unwanted(remove_labels or [])
    fields: dict[str, Any] = {"status": status} if status else {}
    if assignee is not None:
        fields["assignee"] = (await resolve_agent(tools, account_id, assignee)).id
    if team is not None:
        fields["team"] = (await resolve_team(tools, account_id, team)).id
    conversations = await read_conversations(tools, account_id, ids, NOTHING)
    if not is_confirmed(confirmation):
        raise Refusal(
            f"bulk_update_conversations was not confirmed by the user. {NOTHING} Show the user the change and the "
            f"{len(ids)} conversations ({shown(ids)}); only after they approve, call again with confirm=true."
        )
    inboxes = {inbox.id for inbox in await tools.directory.inboxes(account_id)}
    skipped = [i for i in ids if conversations[i].inbox_id not in inboxes]
    wanted = [i for i in ids if i not in skipped]
    lost: str | None = None
    try:
        await tools.client.bulk_actions.update(
            account_id,
            ids,
            status=status,
            snoozed_until=int(until.timestamp()) if until is not None else None,
            assignee_id=fields.get("assignee", Keep.KEEP),
            team_id=fields.get("team", Keep.KEEP),
            add_labels=add or None,
            remove_labels=remove or None,
        )
    except ChatwootError as error:
        if refused_by_chatwoot(error):
            raise
        lost = describe_error(error)
    started = time.monotonic()

    async def shows(conversation_id: int) -> bool:
        return _shows(await tools.client.conversations.get(account_id, conversation_id), fields, add, remove)

    done = await wait_for_effects(wanted, shows) if wanted else []
    pending = [i for i in wanted if i not in done]
    skip_note = (
        f"Skipped by Chatwoot without a word: {shown(skipped, 20)} (outside your inboxes; bulk changes reach only "
        "conversations in inboxes you are a member of)."
        if skipped
        else None
    )
    if pending:
        because = f"Chatwoot's answer was lost ({lost}). " if lost else ""
        raise Unverified(
            f"{because}Chatwoot applies bulk changes in the background: after {time.monotonic() - started:.0f} s, "
            f"done on {shown(done, 20) or 'none'}; not visible yet on {shown(pending, 20)}. {skip_note or ''}".strip()
        )
    notes = [f"Chatwoot's answer was lost ({lost}); the change shows anyway." if lost else None, skip_note]
    change = _change(status, snoozed_until, assignee, team, add, remove)
    return BatchResult(
        summary=f"Changed {len(done)} of {len(ids)} conversations ({change}); read back, each shows it.",
        done=done,
        skipped=skipped,
        note=" ".join(note for note in notes if note) or None,
    )
