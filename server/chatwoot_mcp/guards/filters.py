"""Chatwoot's conversation filter, checked before it is sent.

Chatwoot answers a bad filter with a terse 422 (or, without a payload, a 500). The standard keys and their
operators are fixed (`lib/filters/filter_keys.yml`), so conditions on them are validated here and refused
with the allowed choices, without any HTTP call. Any other key can only be a conversation custom attribute
defined in the account; this client cannot read those definitions, so such keys are accepted with the
custom-attribute operators and Chatwoot's own 422 comes back if the key is not defined.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from chatwoot_client.types import Conversation, ConversationList
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.edges.progress import WalkProgress
from chatwoot_mcp.views.conversations import ConversationPage

__all__ = [
    "CUSTOM_ATTRIBUTE_OPERATORS",
    "MAX_PAGES",
    "STANDARD_KEYS",
    "FilterCondition",
    "check_conditions",
    "filter_conversations",
]

PAGE_SIZE = 25
MAX_PAGES = 10
"""The most pages one filter call reads (250 conversations): more is a listing no model should read at once."""

_EQUALITY = ("equal_to", "not_equal_to")
_PRESENCE = (*_EQUALITY, "is_present", "is_not_present")
_TEXT = (*_EQUALITY, "contains", "does_not_contain")
_DATE = ("is_greater_than", "is_less_than", "days_before")

STANDARD_KEYS: dict[str, tuple[str, ...]] = {
    "status": _EQUALITY,
    "assignee_id": _PRESENCE,
    "inbox_id": _PRESENCE,
    "team_id": _PRESENCE,
    "priority": _EQUALITY,
    "display_id": _TEXT,
    "campaign_id": _PRESENCE,
    "labels": _PRESENCE,
    "browser_language": _EQUALITY,
    "conversation_language": _EQUALITY,
    "country_code": _EQUALITY,
    "referer": _TEXT,
    "created_at": _DATE,
    "last_activity_at": _DATE,
    "mail_subject": _TEXT,
}
"""Standard filter keys and the operators Chatwoot accepts for each (chatwoot-api.md §4.3)."""

CUSTOM_ATTRIBUTE_OPERATORS = (*_TEXT, "is_present", "is_not_present", "is_greater_than", "is_less_than")
_NO_VALUES = ("is_present", "is_not_present")
_VALUES: dict[str, tuple[str, ...]] = {
    "status": ("open", "resolved", "pending", "snoozed", "all"),
    "priority": ("low", "medium", "high", "urgent"),
}


class FilterCondition(BaseModel):
    """One filter condition."""

    attribute_key: str = Field(
        description="A standard key (status, priority, labels, created_at...) or a custom attribute's"
    )
    filter_operator: str = Field(
        description="equal_to, not_equal_to, contains, does_not_contain, is_present, is_not_present, "
        "is_greater_than, is_less_than, days_before"
    )
    values: list[str | int | float | bool] = Field(default_factory=list, description="Empty for is_(not_)present")
    query_operator: str | None = Field(default=None, description="AND/OR with the next condition")  # fmt: skip


def check_conditions(conditions: list[FilterCondition]) -> list[dict[str, Any]]:
    """The payload Chatwoot expects, or a Refusal listing every problem and what is allowed."""
    if not conditions:
        raise Refusal("Give at least one condition. Nothing was sent to Chatwoot.")
    problems: list[str] = []
    payload: list[dict[str, Any]] = []
    last = len(conditions) - 1
    for index, condition in enumerate(conditions):
        where = f"condition {index + 1} ({condition.attribute_key!r})"
        key = condition.attribute_key.strip()
        operator = condition.filter_operator.strip().lower()
        allowed = STANDARD_KEYS.get(key, CUSTOM_ATTRIBUTE_OPERATORS)
        if operator not in allowed:
            kind = f"for {key}" if key in STANDARD_KEYS else f"for custom attribute {key}"
            problems.append(f"{where}: operator {condition.filter_operator!r} is not allowed {kind}; use one of "
                            f"[{', '.join(allowed)}]")  # fmt: skip
        if operator not in _NO_VALUES and not condition.values:
            problems.append(f"{where}: values must not be empty with {operator!r} (only is_present/is_not_present "
                            "take no values)")  # fmt: skip
        choices = _VALUES.get(key)
        if choices is not None:
            bad = [v for v in condition.values if str(v).lower() not in choices]
            if bad:
                problems.append(f"{where}: {bad} not valid; {key} is one of [{', '.join(choices)}]")
        query_operator = (condition.query_operator or "").strip().upper() or None
        if index == last:
            query_operator = None  # Chatwoot ignores it on the last condition; null it rather than refuse
        elif query_operator not in ("AND", "OR"):
            problems.append(f"{where}: query_operator must be AND or OR (how it combines with the next condition), "
                            f"got {condition.query_operator!r}")  # fmt: skip
        values = [str(v).lower() for v in condition.values] if choices else list(condition.values)
        payload.append(
            {"attribute_key": key, "filter_operator": operator, "values": values, "query_operator": query_operator}
        )
    if problems:
        raise Refusal(
            "Invalid filter, nothing was sent to Chatwoot: " + "; ".join(problems) + f". Standard keys: "
            f"[{', '.join(STANDARD_KEYS)}]; any other key must be a conversation custom attribute defined in the "
            f"account (operators [{', '.join(CUSTOM_ATTRIBUTE_OPERATORS)}])."
        )
    return payload


async def filter_conversations(
    tools: ToolContext,
    account_id: int,
    conditions: list[FilterCondition],
    page: int = 1,
    pages: Annotated[int, Field(ge=1, le=MAX_PAGES)] = 1,
    ctx: Context | None = None,
) -> ConversationPage:
    """Filter conversations by conditions, 25 per page (simple lists: list_conversations is cheaper).

    Dates YYYY-MM-DD; days_before in days.

    Parameters
    ----------
    conditions
        e.g. [{"attribute_key":"priority","filter_operator":"equal_to","values":["urgent"]}]
    page
        From 1.
    pages
        Pages to read from `page` on.
    """
    payload = check_conditions(conditions)
    if page < 1:
        raise Refusal("page starts at 1. Nothing was sent to Chatwoot.")
    read: list[Conversation] = []
    last = page + pages - 1
    current = page
    with WalkProgress(ctx, "filter_conversations") as progress:
        while True:
            result = await tools.client.conversations.filter(account_id, payload, current)
            read.extend(result)
            # A known total: Chatwoot counts every match, so the pages to read are known after the first.
            end = min(last, max(current, math.ceil(result.total / PAGE_SIZE)))
            await progress.page(end - page + 1)
            if current >= end or not result or progress.out_of_time():
                break  # read all asked for, or out of time (next_page says where to go on)
            current += 1
    combined = ConversationList(read, counts=result.counts, page=current, total=result.total)
    return ConversationPage.of(combined, first_page=page)
