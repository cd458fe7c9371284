"""The label guardrail. Chatwoot's only label write replaces the whole set, so adding must never be a write of
just the new labels: add and remove read, merge and write only on change, under a lock every process sharing the state
honours, and check Chatwoot's answer (the set it now has); replacing needs proof that the caller knows what it
replaces.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Annotated, Protocol

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve

from chatwoot_client import ChatwootError
from chatwoot_mcp.context import ToolContext, tool_context
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.guards.confirm import Confirmation, is_confirmed, supports_elicitation
from chatwoot_mcp.views.conversations import LabelChange

__all__ = [
    "LabelStore",
    "add_labels",
    "adding",
    "check_labels",
    "remove_labels",
    "removing",
    "rewrite_labels",
    "set_labels",
    "unwanted",
]


def _normalise(labels: list[str]) -> list[str]:
    return list(dict.fromkeys(label.strip().lower() for label in labels))


def _show(labels: list[str]) -> str:
    return "[" + ", ".join(labels) + "]"


async def check_labels(tools: ToolContext, account_id: int, labels: list[str]) -> list[str]:
    """Normalise (trim, lower-case, de-duplicate) and validate labels, or raise a Refusal saying what is wrong."""
    wanted = _normalise(labels)
    if any(not label for label in wanted):
        raise Refusal("Empty label names are not allowed. Nothing was written.")
    with_comma = [label for label in wanted if "," in label]
    if with_comma:
        raise Refusal(
            f"Labels cannot contain commas: {_show(with_comma)}. Chatwoot splits labels on commas, so pass each "
            "label as a separate list item. Nothing was written."
        )
    if tools.settings.allow_new_labels:
        return wanted
    defined = [label.title.lower() for label in await tools.directory.labels(account_id)]
    unknown = [label for label in wanted if label not in defined]
    if unknown:
        hints = []
        for label in unknown:
            close = difflib.get_close_matches(label, defined, n=3, cutoff=0.5)
            hints.append(f"{label!r} (did you mean {', '.join(close)}?)" if close else repr(label))
        raise Refusal(
            f"Not labels of this account: {'; '.join(hints)}. Use labels from the account's list: "
            f"{_show(sorted(defined))}. Nothing was written."
        )
    return wanted


def _concurrent(expected: list[str], reread: list[str]) -> str | None:
    if set(expected) == set(reread):
        return None
    return (
        f"Chatwoot's answer differs from what was written: wrote {_show(sorted(expected))}, Chatwoot has "
        f"{_show(sorted(reread))}"
    )


class LabelStore(Protocol):
    """Where a record's labels live: conversations.labels or contacts.labels (both replace on `add`)."""

    async def list(self, account_id: int, record_id: int, /) -> list[str]: ...
    async def add(self, account_id: int, record_id: int, labels: list[str], /) -> list[str]: ...


async def rewrite_labels(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    change: Callable[[list[str]], list[str]],
    *,
    store: LabelStore | None = None,
    kind: str = "conversation",
) -> LabelChange:
    """Read the labels, apply `change` and write only if it changed anything, holding the record's lock.

    The lock (see `chatwoot_mcp.state`) keeps every chatwoot-mcp process sharing the state from writing between
    our read and our write. Chatwoot answers the write with the set it now has, which is the verification: what
    is reported as added or removed is what that answer shows, and anything it does not show is in `not_kept`.
    """
    client = store or tools.client.conversations.labels
    subject = f"#{conversation_id}" if kind == "conversation" else f"{kind} {conversation_id}"
    async with tools.state.lock(f"labels:{kind}:{account_id}:{conversation_id}") as hold:
        before = await client.list(account_id, conversation_id)
        intended = change(before)
        if intended == before:
            return LabelChange(subject=subject, before=before, after=before, written=False)
        after = await client.add(account_id, conversation_id, intended)
    to_add = [label for label in intended if label not in before]
    to_remove = [label for label in before if label not in intended]
    lost = [f"{label} (Chatwoot's answer does not have it)" for label in to_add if label not in after]
    lost += [f"{label} (Chatwoot's answer still has it)" for label in to_remove if label in after]
    return LabelChange(
        subject=subject,
        before=before,
        after=after,
        added=[label for label in to_add if label in after],
        removed=[label for label in to_remove if label not in after],
        written=True,
        concurrent_change=hold.warning(_concurrent(intended, after), _check_with(kind)),
        not_kept=lost,
    )


def _check_with(kind: str) -> str:
    return "get_conversation" if kind == "conversation" else f"get_{kind}"


def adding(wanted: list[str]) -> Callable[[list[str]], list[str]]:
    """The change that adds `wanted`, keeping every label already there."""
    return lambda before: [*before, *(label for label in wanted if label not in before)]


def removing(unwanted_labels: list[str]) -> Callable[[list[str]], list[str]]:
    """The change that removes `unwanted_labels` (any case), keeping the others."""
    return lambda before: [label for label in before if label.lower() not in unwanted_labels]


def unwanted(labels: list[str]) -> list[str]:
    """Labels to remove, normalised; blanks dropped."""
    return [label for label in _normalise(labels) if label]


async def add_labels(tools: ToolContext, account_id: int, conversation_id: int, labels: list[str]) -> LabelChange:
    """Add labels to a conversation; the others stay.

    Parameters
    ----------
    conversation_id
        The conversation.
    labels
        From list_account_labels.
    """
    wanted = await check_labels(tools, account_id, labels)
    if not wanted:
        raise Refusal("No labels given to add. Nothing was written.")
    return await rewrite_labels(tools, account_id, conversation_id, adding(wanted))


async def remove_labels(tools: ToolContext, account_id: int, conversation_id: int, labels: list[str]) -> LabelChange:
    """Remove labels from a conversation; the others stay.

    Parameters
    ----------
    conversation_id
        The conversation.
    labels
        Labels to remove.
    """
    unwanted_labels = unwanted(labels)
    if not unwanted_labels:
        raise Refusal("No labels given to remove. Nothing was written.")
    return await rewrite_labels(tools, account_id, conversation_id, removing(unwanted_labels))


async def ask_to_replace(
    ctx: Context,
    conversation_id: int,
    labels: list[str],
    expected_labels: list[str] | None,
    confirm: bool,
    dry_run: bool,
) -> Confirmation | Elicit[Confirmation]:
    """Ask the user to confirm a replace, unless the call is already proven safe or will be refused anyway."""
    if confirm or dry_run or expected_labels is not None or not supports_elicitation(ctx):
        return Confirmation(confirm=confirm)
    tools = tool_context(ctx)
    if not tools.settings.pinned_account:
        # Resolvers only see tool arguments, and account_id is optional here: ask without showing a set
        # that might belong to another account.
        return Elicit(f"Replace ALL labels of conversation #{conversation_id} with {_show(labels)}?", Confirmation)
    account_id = tools.settings.default_account_id
    try:
        wanted = await check_labels(tools, account_id, labels)
        current = await tools.client.conversations.labels.list(account_id, conversation_id)
    except (Refusal, ChatwootError):
        # Nothing to ask about: the tool itself meets the same problem and reports it (a resolver's exception
        # would surface only as an opaque "Error executing tool").
        return Confirmation(confirm=False)
    if set(current) == set(wanted):
        return Confirmation(confirm=True)
    removed = [label for label in current if label not in wanted]
    return Elicit(
        f"Replace all labels of conversation #{conversation_id}? Now: {_show(current)}. After: {_show(wanted)}."
        + (f" This removes {_show(removed)}." if removed else ""),
        Confirmation,
    )


async def set_labels(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    labels: list[str],
    expected_labels: list[str] | None = None,
    confirm: bool = False,
    dry_run: bool = False,
    *,
    confirmation: Annotated[ElicitationResult[Confirmation], Resolve(ask_to_replace)],
) -> LabelChange:
    """REPLACE all labels (for a few: add_labels/remove_labels).

    Needs expected_labels equal to the current set, or the user's confirmation (else confirm=true).

    Parameters
    ----------
    conversation_id
        The conversation.
    labels
        The whole new set; [] removes all.
    expected_labels
        The labels you saw.
    confirm
        The user confirmed.
    dry_run
        Only show the change.
    """
    wanted = await check_labels(tools, account_id, labels)
    client = tools.client.conversations.labels
    async with tools.state.lock(f"labels:conversation:{account_id}:{conversation_id}") as hold:
        before = await client.list(account_id, conversation_id)
        added = [label for label in wanted if label not in before]
        removed = [label for label in before if label not in wanted]
        change = LabelChange(
            subject=f"#{conversation_id}", before=before, after=wanted, added=added, removed=removed, written=False
        )
        if dry_run:
            return change.model_copy(update={"dry_run": True})
        if expected_labels is not None:
            if set(_normalise(expected_labels)) != {label.lower() for label in before}:
                raise Refusal(
                    f"The labels are not what you expected: expected {_show(_normalise(expected_labels))}, current "
                    f"{_show(before)}. Nothing was written. Decide again from the current set: call set_labels with "
                    "expected_labels set to it, or use add_labels/remove_labels."
                )
        elif not is_confirmed(confirmation):
            raise Refusal(
                f"set_labels replaces every label and was not confirmed. Current labels: {_show(before)}; it would "
                f"remove {_show(removed)} and add {_show(added)}. Nothing was written. To go ahead, call set_labels "
                "again with expected_labels set to the current labels (or confirm=true); to only add or remove, use "
                "add_labels or remove_labels."
            )
        if not added and not removed:
            return change.model_copy(update={"after": before})
        after = await client.add(account_id, conversation_id, wanted)
    concurrent = hold.warning(_concurrent(wanted, after), "get_conversation")
    return change.model_copy(update={"after": after, "written": True, "concurrent_change": concurrent})
