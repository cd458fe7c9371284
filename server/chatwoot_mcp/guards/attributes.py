"""Custom attributes, safely. Chatwoot's only write REPLACES the whole hash, so setting one key must never be a
write of just that key: merge reads, merges, writes only on change and re-reads, under the conversation's
lock; replacing the whole hash needs proof that the caller knows what it replaces (like set_labels).
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve

from chatwoot_mcp.context import ToolContext, tool_context
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.edges.untrusted import untrusted_inline, unwrap_data
from chatwoot_mcp.guards.confirm import Confirmation, is_confirmed, supports_elicitation
from chatwoot_mcp.views.triage import AttributeChange

__all__ = ["update_custom_attributes"]

AttributeValue = str | int | float | bool | None


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "added": [k for k in after if k not in before],
        "updated": [k for k in after if k in before and before[k] != after[k]],
        "removed": [k for k in before if k not in after],
    }


def _target(
    before: dict[str, Any], attributes: dict[str, Any], remove_keys: list[str], replace: bool
) -> dict[str, Any]:
    after = dict(attributes) if replace else before | attributes
    for key in remove_keys:
        after.pop(key, None)
    return after


async def ask_to_replace_attributes(
    ctx: Context,
    conversation_id: int,
    attributes: dict[str, AttributeValue] | None = None,
    remove_keys: list[str] | None = None,
    replace: bool = False,
    expected_attributes: dict[str, AttributeValue] | None = None,
    confirm: bool = False,
    dry_run: bool = False,
) -> Confirmation | Elicit[Confirmation]:
    """Ask the user before a replace, unless it is a merge, already proven safe, or will be refused anyway."""
    if not replace or confirm or dry_run or expected_attributes is not None or not supports_elicitation(ctx):
        return Confirmation(confirm=confirm)
    tools = tool_context(ctx)
    wanted = _target({}, unwrap_data(attributes or {}), unwrap_data(remove_keys or []), True)
    if not tools.settings.pinned_account:
        return Elicit(
            f"Replace ALL custom attributes of conversation #{conversation_id} with {untrusted_inline(wanted)}?",
            Confirmation,
        )
    account_id = tools.settings.default_account_id
    current = (await tools.client.conversations.get(account_id, conversation_id)).custom_attributes
    if current == wanted:
        return Confirmation(confirm=True)
    removed = [key for key in current if key not in wanted]
    return Elicit(
        f"Replace all custom attributes of conversation #{conversation_id}? Now: {untrusted_inline(current)}. "
        f"After: {untrusted_inline(wanted)}." + (f" This deletes {untrusted_inline(removed)}." if removed else ""),
        Confirmation,
    )


async def update_custom_attributes(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    attributes: dict[str, AttributeValue] | None = None,
    remove_keys: list[str] | None = None,
    replace: bool = False,
    expected_attributes: dict[str, AttributeValue] | None = None,
    confirm: bool = False,
    dry_run: bool = False,
    *,
    confirmation: Annotated[ElicitationResult[Confirmation], Resolve(ask_to_replace_attributes)],
) -> AttributeChange:
    """Set or remove custom attributes, keeping the others.

    replace=true replaces all and needs expected_attributes or the user's confirmation.

    Parameters
    ----------
    conversation_id
        The conversation.
    attributes
        e.g. {"order_id":"A-1042"}
    remove_keys
        Keys to delete.
    replace
        Replace all instead of merging.
    expected_attributes
        With replace: the hash you saw.
    confirm
        With replace: the user confirmed.
    dry_run
        Only show the change.
    """
    # A model may copy keys and values back from a result, where customer data is wrapped in <untrusted> tags.
    attributes = cast(dict[str, AttributeValue], unwrap_data(attributes or {}))
    remove_keys = [key.strip() for key in unwrap_data(remove_keys or [])]
    if expected_attributes is not None:
        expected_attributes = unwrap_data(expected_attributes)
    if not attributes and not remove_keys and not replace:
        raise Refusal("Nothing to do: pass attributes to set and/or remove_keys. Nothing was written.")
    clash = sorted(set(attributes) & set(remove_keys))
    if clash:
        raise Refusal(f"Keys both set and removed: {clash}. Nothing was written.")
    if any(not key.strip() for key in [*attributes, *remove_keys]):
        raise Refusal("Empty attribute keys are not allowed. Nothing was written.")
    conversations = tools.client.conversations
    async with tools.state.lock(f"conversation:{account_id}:{conversation_id}") as hold:
        before = (await conversations.get(account_id, conversation_id)).custom_attributes
        after = _target(before, attributes, remove_keys, replace)
        diff = _diff(before, after)
        change = AttributeChange(
            conversation_id=conversation_id,
            before=before,
            after=after,
            added=diff["added"],
            updated=diff["updated"],
            removed=diff["removed"],
            written=False,
            replaced=replace,
        )
        if dry_run:
            return change.model_copy(update={"dry_run": True})
        if replace:
            if expected_attributes is not None:
                if expected_attributes != before:
                    raise Refusal(
                        "The custom attributes are not what you expected: expected "
                        f"{untrusted_inline(expected_attributes)}, current {untrusted_inline(before)}. Nothing was "
                        "written. Decide again from the current hash: call again with expected_attributes set to "
                        "it, or merge (replace=false)."
                    )
            elif not is_confirmed(confirmation):
                deleted = untrusted_inline(change.removed) if change.removed else "nothing"
                raise Refusal(
                    "replace=true replaces every custom attribute and was not confirmed. Current: "
                    f"{untrusted_inline(before)}; it would delete {deleted}. Nothing was written. To go ahead, call "
                    "again with expected_attributes set to the current hash (or confirm=true); to change a few "
                    "keys, merge with replace=false and remove_keys."
                )
        if after == before:
            return change
        # Chatwoot answers with the hash it now has: that answer is the verification, no second read needed.
        answer = await conversations.update_custom_attributes(account_id, conversation_id, after)
    concurrent = None
    if answer != after:
        concurrent = f"Chatwoot's answer has {untrusted_inline(answer)}, not the {untrusted_inline(after)} written"
    concurrent = hold.warning(concurrent, "get_conversation")
    return change.model_copy(update={"after": answer, "written": True, "concurrent_change": concurrent})
