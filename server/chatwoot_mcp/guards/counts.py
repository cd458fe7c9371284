"""Conversation counts, served from a short cache: Chatwoot (4.12+) allows `/conversations/meta` 30 times a minute
per user, and a model asks for counts again and again.

Counts are kept per user, account and filter in the shared state. Within COUNTS_FRESH seconds a repeat is answered
from the cache; when Chatwoot throttles (429), counts up to COUNTS_KEPT seconds old are answered instead. Either
way the result says how old the counts are.
"""

from __future__ import annotations

import hashlib
import json
import time

from chatwoot_client import ChatwootRateLimitError
from chatwoot_client.resources._conversation_ops import ListStatus
from chatwoot_client.types import ConversationCounts
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.views.conversations import Counts

__all__ = ["COUNTS_FRESH", "COUNTS_KEPT", "get_counts"]

COUNTS_FRESH = 15.0
"""Seconds a user's counts for one filter are answered from the cache (Chatwoot allows one request every 2 s)."""
COUNTS_KEPT = 300.0
"""Seconds counts are kept to answer for a throttled request."""


def _key(tools: ToolContext, account_id: int, filters: dict[str, object]) -> str:
    # The user and the token they call with: a token reset in Chatwoot misses the cache, so Chatwoot's 401 is heard.
    user = tools.identity.user_id if tools.identity is not None else ""
    who = f"{user}:{hashlib.sha256(tools.settings.api_token.encode()).hexdigest()[:16]}"
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:32]  # no model-written text
    return f"counts:{who}:{account_id}:{digest}"


async def get_counts(
    tools: ToolContext,
    account_id: int,
    status: ListStatus = "open",
    inbox_id: int | None = None,
    team_id: int | None = None,
    labels: list[str] | None = None,
    q: str | None = None,
) -> Counts:
    """Count conversations by assignee.

    Parameters
    ----------
    status
        "all": any status.
    inbox_id
        Only this inbox.
    team_id
        Only this team.
    labels
        Any of these labels.
    q
        Text in a message.
    """
    filters: dict[str, object] = {"status": status, "inbox_id": inbox_id, "team_id": team_id, "labels": labels, "q": q}
    key = _key(tools, account_id, filters)
    kept: object = await tools.state.cache_get(key)
    age, cached = None, None
    if isinstance(kept, dict) and isinstance(kept.get("at"), int | float):
        age, cached = time.time() - kept["at"], ConversationCounts.model_validate(kept["counts"])
    if cached is not None and age is not None and age < COUNTS_FRESH:
        return Counts.of(cached, age=age)
    try:
        counts = await tools.client.conversations.get_counts(
            account_id, status, inbox_id=inbox_id, team_id=team_id, labels=labels, q=q
        )
    except ChatwootRateLimitError:
        if cached is None or age is None or age >= COUNTS_KEPT:
            raise
        return Counts.of(cached, age=age, throttled=True)
    await tools.state.cache_set(key, {"at": time.time(), "counts": counts.model_dump(mode="json")}, COUNTS_KEPT)
    return Counts.of(counts)
