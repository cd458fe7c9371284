"""The feed where no webhook can reach the server (stdio; HTTP without a webhook secret): polling Chatwoot.

Polling happens only while someone reads the feed: each `list_events` call (and its wait) asks `poll`, which sends
at most one request per account every POLL_INTERVAL seconds, across every process sharing the state (the first to
claim the interval polls): the first page (25) of the account's conversations by last activity. It compares them
with the snapshot remembered from the previous poll (in the state's cache, at most SNAPSHOT_LIMIT conversations)
and appends what changed: a conversation created since polling began, a status, assignee or team, label set, or
newest message that differs. The first poll only takes the snapshot.

What polling cannot see, and the docs say: several messages between two polls show as one event (the newest);
a change to a conversation that is not among the 25 most recently active is missed (Chatwoot's status,
assignment and label changes write an activity message, which moves the conversation up); and events are
recorded when polled, up to POLL_INTERVAL seconds late.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from chatwoot_client.types import Conversation, Message, MessageType
from chatwoot_mcp.events.payloads import CONTENT_LIMIT

if TYPE_CHECKING:
    from chatwoot_mcp.context import ToolContext

__all__ = ["POLL_INTERVAL", "SNAPSHOT_LIMIT", "poll", "snapshot_key"]

POLL_INTERVAL = 10.0
"""Seconds between two polls of one account (one request each)."""
SNAPSHOT_LIMIT = 500
"""Conversations the snapshot remembers (the most recently active)."""
SNAPSHOT_TTL = 24 * 3600.0


def snapshot_key(account_id: int) -> str:
    return f"events:poll:snapshot:{account_id}"


async def poll(tools: ToolContext, account_id: int) -> tuple[int, bool] | None:
    """Poll the account once if nobody has within POLL_INTERVAL seconds: (events appended, whether this was the
    first poll, which only takes the snapshot); None when it was not this call's turn."""
    if not await tools.state.claim(f"events:poll:turn:{account_id}", POLL_INTERVAL):
        return None
    page = await tools.client.conversations.list(account_id, status="all", sort_by="last_activity_at_desc")
    snapshot = await tools.state.cache_get(snapshot_key(account_id))
    if not isinstance(snapshot, dict):
        snapshot = None
    # Times compared with Chatwoot's are Chatwoot's (the newest activity it showed), so clocks that differ do not
    # make a conversation look new or old.
    newest = max((c.last_activity_at.timestamp() for c in page if c.last_activity_at is not None), default=None)
    seen: dict[str, list[Any]] = dict(snapshot["seen"]) if snapshot is not None else {}
    drafts: list[dict[str, Any]] = []
    for conversation in page:
        now = _state_of(conversation)
        before = seen.pop(str(conversation.id), None)
        seen[str(conversation.id)] = now  # re-inserted: the dict's end is the most recently active
        if snapshot is not None:
            drafts += _changes(account_id, conversation, before, now, snapshot["since"], snapshot["mark"])
    for old in list(seen)[: max(0, len(seen) - SNAPSHOT_LIMIT)]:
        del seen[old]
    since = snapshot["since"] if snapshot is not None else (newest if newest is not None else time.time())
    mark = max(newest or 0.0, snapshot["mark"] if snapshot is not None else since)
    await tools.state.cache_set(snapshot_key(account_id), {"since": since, "mark": mark, "seen": seen}, SNAPSHOT_TTL)
    for draft in drafts:
        await tools.state.event_append({**draft, "data": {**draft["data"], "source": "polling"}})
    return len(drafts), snapshot is None


def _state_of(conversation: Conversation) -> list[Any]:
    """What the snapshot keeps of a conversation: [status, assignee id, team id, labels, newest message id]."""
    last = conversation.last_non_activity_message
    return [conversation.status, conversation.assignee_id, conversation.team_id, sorted(conversation.labels),
            last.id if last is not None else None]  # fmt: skip


def _changes(
    account_id: int, conversation: Conversation, before: list[Any] | None, now: list[Any], since: float, mark: float
) -> list[dict[str, Any]]:
    """What differs from the snapshot, each event naming the conversation's inbox (readers see their inboxes')."""
    found = _differences(account_id, conversation, before, now, since, mark)
    for draft in found:
        draft["data"] = {**draft["data"], "inbox_id": conversation.inbox_id}
    return found


def _differences(
    account_id: int, conversation: Conversation, before: list[Any] | None, now: list[Any], since: float, mark: float
) -> list[dict[str, Any]]:
    """A conversation the snapshot does not hold is new if created since polling began (`since`), and its newest
    message is news if written after the last poll's newest activity (`mark`)."""
    base = {"account_id": account_id, "conversation_id": conversation.id}
    last = conversation.last_non_activity_message
    if before is None:
        created = conversation.created_at.timestamp() if conversation.created_at is not None else 0.0
        found = []
        if created >= since:
            data = {
                "status": conversation.status,
                "inbox_id": conversation.inbox_id,
                "contact": conversation.contact.name if conversation.contact else None,
                "assignee": _ref(conversation.meta.assignee),
                "team": _ref(conversation.meta.team),
                "labels": conversation.labels,
            }
            found.append({**base, "kind": "conversation_created", "data": _data(data)})
        if last is not None and last.created_at is not None and last.created_at.timestamp() >= mark:
            found.append(_message(base, last))
        return found
    found = []
    status, assignee, team, labels, message_id = before
    if status != now[0]:
        found.append({**base, "kind": "status_changed", "data": {"status": now[0], "previous": status}})
    if (assignee, team) != (now[1], now[2]):
        data = {
            "assignee": _ref(conversation.meta.assignee),
            "team": _ref(conversation.meta.team),
            "previous_assignee_id": assignee,
            "previous_team_id": team,
        }
        found.append({**base, "kind": "assigned", "data": _data(data)})
    if labels != now[3]:
        data = {
            "labels": conversation.labels,
            "added": [label for label in now[3] if label not in labels],
            "removed": [label for label in labels if label not in now[3]],
        }
        found.append({**base, "kind": "labelled", "data": data})
    if last is not None and message_id != now[4]:
        found.append(_message(base, last))
    return found


def _message(base: dict[str, Any], message: Message) -> dict[str, Any]:
    if message.private:
        kind = "private_note"
    else:
        kind = "customer_message" if message.message_type == MessageType.INCOMING else "agent_message"
    content = message.content
    data = {
        "message_id": message.id,
        "content": content[:CONTENT_LIMIT] if content is not None else None,
        "author": message.sender.name if message.sender else None,
        "author_type": message.sender.type if message.sender else None,
        "files": len(message.attachments) or None,
        "cut": len(content) - CONTENT_LIMIT if content is not None and len(content) > CONTENT_LIMIT else None,
    }
    return {**base, "kind": kind, "data": _data(data)}


def _ref(person: Any) -> dict[str, Any] | None:
    return None if person is None else {"id": person.id, "name": person.name}


def _data(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}
