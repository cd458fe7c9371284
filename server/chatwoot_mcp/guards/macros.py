"""Macros: the list in plain words, and running one on conversations with the same care as a reply.

Chatwoot runs a macro on any conversation id it is given, even ones the caller cannot see, and answers an empty 200
before anything happens. So `run_macro` reads every conversation first (only those the user can read are accepted),
asks once for the whole run (elicitation, else confirm=true), treats a macro that messages the customer like
send_reply (the chatwoot:send scope under OAuth, the duplicate window), and then reads the conversations back until
the macro's effects show (`guards.readback`): done, or not visible yet with the read tool to check.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve

from chatwoot_client import ChatwootError
from chatwoot_client.types import Conversation, Macro, MacroAction, MessageType
from chatwoot_mcp.context import ToolContext, tool_context
from chatwoot_mcp.edges.errors import Refusal, describe_error
from chatwoot_mcp.edges.outcomes import Unverified, refused_by_chatwoot
from chatwoot_mcp.edges.untrusted import clean_name, neutralise
from chatwoot_mcp.guards.canned import same_reply
from chatwoot_mcp.guards.confirm import Confirmation, is_confirmed, supports_elicitation
from chatwoot_mcp.guards.readback import (
    ConversationIds,
    batch_ids,
    granted_scopes,
    read_conversations,
    shown,
    wait_for_effects,
)
from chatwoot_mcp.guards.replies import CLOCK_SLACK, DUPLICATE_WINDOW, normalise_reply, reply_key
from chatwoot_mcp.state import SentReply
from chatwoot_mcp.surface.scopes import SEND
from chatwoot_mcp.views.supervisor import BatchResult, MacroItem, MacroList

__all__ = ["CUSTOMER_ACTIONS", "list_macros", "run_macro"]

CUSTOMER_ACTIONS = frozenset({"send_message", "send_attachment", "send_email_transcript"})
"""Actions whose effect reaches the customer (or leaves Chatwoot by email)."""
TEXT_LIMIT = 300
NOTHING = "Nothing was sent."


# -- plain words ------------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    text = neutralise(str(value), one_line=True)
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def _param(action: MacroAction) -> object:
    return action.action_params[0] if action.action_params else None


def describe(action: MacroAction, agents: dict[int, str], teams: dict[int, str]) -> str:
    """One action in plain words: "add label billing", "assign team billing", "send the customer: …"."""
    name, first = action.action_name, _param(action)
    listed = ", ".join(_text(p) for p in action.action_params)
    if name in ("send_message", "add_private_note"):
        return ("send the customer: " if name == "send_message" else "add private note: ") + _text(first)
    if name in ("add_label", "remove_label"):
        return f"{name.split('_')[0]} label{'s' if len(action.action_params) > 1 else ''} {listed}"
    if name == "assign_agent":
        if first == "self":
            return "assign to whoever runs it"
        if first == "nil":
            return "unassign the agent"
        if first == "last_responding_agent":
            return "assign the last agent who replied"
        return f"assign agent {agents.get(first, first) if isinstance(first, int) else first}"
    if name == "assign_team":
        if first in (None, "nil", 0):
            return "remove the team"
        return f"assign team {teams.get(first, first) if isinstance(first, int) else first}"
    fixed = {
        "remove_assigned_agent": "unassign the agent",
        "remove_assigned_team": "remove the team",
        "mute_conversation": "mute (and resolve)",
        "resolve_conversation": "resolve",
        "snooze_conversation": "snooze until the next reply",
        "send_attachment": "send the customer a file",
    }
    if name in fixed:
        return fixed[name]
    if name == "change_status":
        return f"set status {_text(first)}"
    if name == "change_priority":
        return "clear the priority" if first == "nil" else f"set priority {_text(first)}"
    if name == "send_email_transcript":
        return f"email the transcript to {_text(first)}"
    if name == "send_webhook_event":
        return f"send a webhook to {_text(first)}"
    return f"{_text(name)} {listed}".strip()


def customer_visible(macro: Macro) -> bool:
    return any(action.action_name in CUSTOMER_ACTIONS for action in macro.actions)


async def _names(tools: ToolContext, account_id: int) -> tuple[dict[int, str], dict[int, str]]:
    agents = {a.id: clean_name(a.name) or str(a.id) for a in await tools.directory.agents(account_id)}
    teams = {t.id: clean_name(t.name) or str(t.id) for t in await tools.directory.teams(account_id)}
    return agents, teams


async def _item(tools: ToolContext, account_id: int, macro: Macro) -> MacroItem:
    agents, teams = await _names(tools, account_id)
    return MacroItem(
        id=macro.id,
        name=clean_name(macro.name) or f"macro {macro.id}",
        visibility=macro.visibility,
        actions=[describe(action, agents, teams) for action in macro.actions],
        customer_visible=customer_visible(macro),
    )


async def list_macros(tools: ToolContext, account_id: int) -> MacroList:
    """List the macros you can run (global and your own), each action in plain words; flags what the customer sees."""
    macros = await tools.client.macros.list(account_id)
    return MacroList(macros=[await _item(tools, account_id, macro) for macro in macros])


def _number(ref: int | str) -> int | None:
    """`ref` as an id when it is one: 7, "7" or "#7" (ASCII digits only)."""
    if isinstance(ref, int):
        return ref
    text = ref.strip().lstrip("#")
    return int(text) if text.isascii() and text.isdigit() else None


async def find_macro(tools: ToolContext, account_id: int, ref: int | str) -> Macro:
    """The one macro `ref` names among those the user can run: its id, its name, or a unique part of its name."""
    macros = await tools.client.macros.list(account_id)
    number = _number(ref)
    if number is not None:
        found = [m for m in macros if m.id == number]
    else:
        text = str(ref).strip().casefold()
        found = [m for m in macros if (m.name or "").casefold() == text]
        found = found or [m for m in macros if text and text in (m.name or "").casefold()]
    if len(found) == 1:
        return found[0]
    listing = "; ".join(f"{m.id} {clean_name(m.name)}" for m in (found or macros)) or "none"
    if found:
        raise Refusal(f"{_text(ref)!r} matches several macros: {listing}. {NOTHING} Call again with the macro's id.")
    raise Refusal(f"No macro {_text(ref)!r} that you can run. {NOTHING} Macros: {listing}.")


# -- what a run should leave behind ------------------------------------------------------------------------------


@dataclass
class Expected:
    """The state a macro leaves a conversation in, folded over its actions in order."""

    labels_in: set[str] = field(default_factory=set)
    labels_out: set[str] = field(default_factory=set)
    fields: dict[str, Any] = field(default_factory=dict)
    """status, priority, assignee, team, muted: the value the last action touching it sets."""
    messages: list[tuple[bool, str]] = field(default_factory=list)
    """(private, text) of each message it posts."""

    def matches(self, conversation: Conversation) -> bool:
        labels = {label.casefold() for label in conversation.labels}
        seen = {
            "status": conversation.status,
            "priority": conversation.priority,
            "assignee": conversation.assignee_id,
            "team": conversation.team_id,
            "muted": conversation.muted,
        }
        return (
            self.labels_in <= labels
            and not (self.labels_out & labels)
            and all(seen[key] == value for key, value in self.fields.items())
        )


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def expected(macro: Macro, executor_id: int | None) -> Expected:
    want = Expected()
    for action in macro.actions:
        name, first = action.action_name, _param(action)
        labels = {str(p).casefold() for p in action.action_params}
        if name == "add_label":
            want.labels_in |= labels
            want.labels_out -= labels
        elif name == "remove_label":
            want.labels_out |= labels
            want.labels_in -= labels
        elif name in ("send_message", "add_private_note") and first is not None:
            want.messages.append((name == "add_private_note", str(first)))
        elif name == "assign_agent" and first == "nil":
            want.fields["assignee"] = None
        elif name == "assign_agent" and ((first == "self" and executor_id is not None) or _whole(first)):
            want.fields["assignee"] = executor_id if first == "self" else first
        elif name == "assign_team" and (first in (None, "nil", 0) or _whole(first)):
            want.fields["team"] = first if _whole(first) and first else None
        elif name == "remove_assigned_agent":
            want.fields["assignee"] = None
        elif name == "remove_assigned_team":
            want.fields["team"] = None
        elif name in ("resolve_conversation", "snooze_conversation"):
            want.fields["status"] = "resolved" if name == "resolve_conversation" else "snoozed"
        elif name == "mute_conversation":
            want.fields |= {"status": "resolved", "muted": True}
        elif name == "change_status" and isinstance(first, str):
            want.fields["status"] = first
        elif name == "change_priority" and isinstance(first, str):
            want.fields["priority"] = None if first == "nil" else first
    return want


async def _shows(tools: ToolContext, account_id: int, conversation_id: int, want: Expected, since: float) -> bool:
    if not want.matches(await tools.client.conversations.get(account_id, conversation_id)):
        return False
    if not want.messages:
        return True
    latest = await tools.client.messages.list(account_id, conversation_id)
    return all(_posted(latest, private, text, since) for private, text in want.messages)


def _posted(messages: list[Any], private: bool, text: str, since: float) -> bool:
    wanted = normalise_reply(text)
    return any(
        message.message_type == MessageType.OUTGOING
        and message.private == private
        and same_reply(wanted, normalise_reply(message.content or ""))
        and (message.created_at is None or message.created_at.timestamp() >= since - CLOCK_SLACK)
        for message in messages
    )


# -- running one -------------------------------------------------------------------------------------------------


def _customer_texts(macro: Macro) -> list[str]:
    return [str(_param(a)) for a in macro.actions if a.action_name == "send_message" and _param(a) is not None]


async def ask_to_run(
    ctx: Context, macro: int | str, conversation_ids: list[int], confirm: bool = False
) -> Confirmation | Elicit[Confirmation]:
    """Ask the user once for the whole run, when the client can ask; else pass the caller's `confirm` on."""
    if not supports_elicitation(ctx):
        return Confirmation(confirm=confirm)
    tools = tool_context(ctx)
    params = ctx.request_context.params or {}
    requested = (params.get("arguments") or {}).get("account_id")
    try:
        account_id = tools.account(requested if isinstance(requested, int) else None)
        found = await find_macro(tools, account_id, macro)
        item = await _item(tools, account_id, found)
    except (Refusal, ChatwootError):
        return Confirmation(confirm=False)  # the call itself finds the same problem and says so; nothing is sent
    ids = list(dict.fromkeys(conversation_ids))
    warning = " The customer gets what it sends, and it cannot be unsent." if item.customer_visible else ""
    return Elicit(
        f"Run macro {item.name!r} on {len(ids)} conversation{'s' if len(ids) != 1 else ''} ({shown(ids)})? "
        f"It will: {'; '.join(item.actions) or 'nothing'}.{warning}",
        Confirmation,
    )


async def _duplicates(tools: ToolContext, account_id: int, ids: list[int], texts: list[str]) -> list[int]:
    """The conversations that got one of `texts` within the duplicate window (an uncertain entry is read out)."""
    repeated = []
    for conversation_id in ids:
        for text in texts:
            key = reply_key(account_id, conversation_id, text)
            sent = await tools.state.get_reply(key)
            if sent is not None and not sent.certain:
                latest = await tools.client.messages.list(account_id, conversation_id)
                if not _posted(latest, False, text, sent.at):
                    await tools.state.clear_reply(key)
                    sent = None
            if sent is not None:
                repeated.append(conversation_id)
                break
    return repeated


async def run_macro(
    tools: ToolContext,
    account_id: int,
    macro: int | str,
    conversation_ids: ConversationIds,
    confirm: bool = False,
    *,
    ctx: Context,
    confirmation: Annotated[ElicitationResult[Confirmation], Resolve(ask_to_run)],
) -> BatchResult:
    """Run a macro (list_macros) on conversations, then check each. One confirmation: asked, else confirm=true.

    Parameters
    ----------
    macro
        Macro id or name.
    conversation_ids
        At most 100.
    confirm
        The user approved.
    """
    ids = batch_ids(conversation_ids, NOTHING)
    found = await find_macro(tools, account_id, macro)
    texts = _customer_texts(found)
    if customer_visible(found):
        scopes = granted_scopes(ctx)
        if scopes is not None and SEND not in scopes:
            raise Refusal(
                f"Macro {clean_name(found.name)!r} writes to the customer, which needs the {SEND} permission; this "
                f"authorization does not grant it. {NOTHING}"
            )
    await read_conversations(tools, account_id, ids, NOTHING)
    repeated = await _duplicates(tools, account_id, ids, texts)
    if repeated:
        raise Refusal(
            f"Macro {clean_name(found.name)!r} would send {shown(repeated)} the same message again (sent within the "
            f"last {round(DUPLICATE_WINDOW / 60)} minutes). {NOTHING} Check list_messages; run it on the others only."
        )
    if not is_confirmed(confirmation):
        item = await _item(tools, account_id, found)
        raise Refusal(
            f"run_macro was not confirmed by the user. {NOTHING} Show the user what macro {item.name!r} does "
            f"({'; '.join(item.actions)}) and the conversations ({shown(ids)}); only after they approve, call "
            "run_macro again with confirm=true."
        )
    executor = tools.identity.user_id if tools.identity is not None else None
    if executor is None and any(a.action_name == "assign_agent" and _param(a) == "self" for a in found.actions):
        executor = (await tools.client.profile.get()).id
    keys = [reply_key(account_id, i, text) for i in ids for text in texts]
    started = time.time()
    for key in keys:  # before sending: a state that cannot be reached sends nothing
        await tools.state.put_reply(key, SentReply(at=started, certain=False), DUPLICATE_WINDOW)
    lost: str | None = None
    try:
        await tools.client.macros.execute(account_id, found.id, ids)
    except ChatwootError as error:
        if refused_by_chatwoot(error):
            for key in keys:
                with contextlib.suppress(Exception):
                    await tools.state.clear_reply(key)
            raise
        lost = describe_error(error)
    want = expected(found, executor)
    done = await wait_for_effects(ids, lambda i: _shows(tools, account_id, i, want, started))
    for conversation_id in done:
        for text in texts:
            with contextlib.suppress(Exception):  # it went out; a failing state must not make that an error
                key = reply_key(account_id, conversation_id, text)
                await tools.state.put_reply(key, SentReply(at=started, certain=True), DUPLICATE_WINDOW)
    name = clean_name(found.name)
    pending = [i for i in ids if i not in done]
    if pending:
        because = f"Chatwoot's answer was lost ({lost}). " if lost else ""
        raise Unverified(
            f"{because}Chatwoot runs macros in the background: after waiting, macro {name!r} shows on "
            f"{shown(done, 20) or 'none'}; not visible yet on {shown(pending, 20)}."
        )
    note = f"Chatwoot's answer was lost ({lost}); the effects show anyway." if lost else None
    return BatchResult(summary=f"Macro {name!r} ran; read back, every conversation shows it.", done=done, note=note)
