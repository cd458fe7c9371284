"""POST /conversations/filter: the payload's validation (with the server's exact 422 messages) and its evaluation.

The real `Conversations::FilterService` builds SQL from `lib/filters/filter_keys.yml`. It first checks every
`query_operator`, then, condition by condition: the filter operator (standard keys only), that values are given
(unless the operator is is_present/is_not_present), and finally that an unknown key is a conversation custom
attribute defined in the account. The sandbox checks in that order and evaluates the conditions left to right.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from chatwoot_sandbox.errors import ServerError, unprocessable
from chatwoot_sandbox.finders import ruby_to_i
from chatwoot_sandbox.records import CONVERSATION_STATUSES, PRIORITIES, Conversation
from chatwoot_sandbox.state import SandboxState

EQUALITY = ["equal_to", "not_equal_to"]
PRESENCE = ["equal_to", "not_equal_to", "is_present", "is_not_present"]
TEXT = ["equal_to", "not_equal_to", "contains", "does_not_contain"]
DATE = ["is_greater_than", "is_less_than", "days_before"]
CUSTOM_ATTRIBUTE_OPERATORS = [*TEXT, "is_present", "is_not_present", "is_greater_than", "is_less_than"]

# (attribute_type, operators), in the order of filter_keys.yml: the 422 message lists the keys in this order.
STANDARD_KEYS: dict[str, tuple[str, list[str]]] = {
    "status": ("standard", EQUALITY),
    "assignee_id": ("standard", PRESENCE),
    "inbox_id": ("standard", PRESENCE),
    "team_id": ("standard", PRESENCE),
    "priority": ("standard", EQUALITY),
    "display_id": ("standard", TEXT),
    "campaign_id": ("standard", PRESENCE),
    "labels": ("standard", PRESENCE),
    "browser_language": ("additional_attributes", EQUALITY),
    "conversation_language": ("additional_attributes", EQUALITY),
    "country_code": ("additional_attributes", EQUALITY),
    "referer": ("additional_attributes", TEXT),
    "created_at": ("standard", DATE),
    "last_activity_at": ("standard", DATE),
    "mail_subject": ("additional_attributes", TEXT),
}

Condition = dict[str, object]
Predicate = Callable[[Conversation], bool]


def parse_payload(body: object) -> list[Condition]:
    """The conditions of the request body; a missing payload is a NoMethodError on the server, hence 500."""
    payload = body.get("payload") if isinstance(body, dict) else None
    if not isinstance(payload, list) or not all(isinstance(c, dict) for c in payload):
        raise ServerError("undefined method `each' for nil")
    return payload


def validate(state: SandboxState, account_id: int, conditions: list[Condition]) -> None:
    """Raise the server's 422 for the first invalid condition."""
    for condition in conditions:
        operator = condition.get("query_operator")
        if operator is None or operator == "":
            continue
        if not isinstance(operator, str) or operator.upper() not in ("AND", "OR"):
            raise unprocessable('Query operator must be either "AND" or "OR".')
    for condition in conditions:
        key = str(condition.get("attribute_key"))
        filter_operator = condition.get("filter_operator")
        standard = STANDARD_KEYS.get(key)
        if standard is not None and filter_operator not in standard[1]:
            raise unprocessable(f"Invalid operator. The allowed operators for {key} are [{','.join(standard[1])}].")
        if filter_operator not in ("is_present", "is_not_present") and not condition.get("values"):
            raise unprocessable(f"Invalid value. The values provided for {key} are invalid")
        if standard is None and state.custom_attribute(account_id, key) is None:
            raise unprocessable(
                f"Invalid attribute key - [{key}]. The key should be one of [{','.join(STANDARD_KEYS)}] "
                "or a custom attribute defined in the account."
            )


def apply(conversations: list[Conversation], conditions: list[Condition], now: float) -> list[Conversation]:
    """The conversations matching the conditions, combined left to right with each condition's query_operator."""
    predicates = [(_predicate(condition, now), condition.get("query_operator")) for condition in conditions]

    def matches(conversation: Conversation) -> bool:
        result: bool | None = None
        pending_operator: object = None
        for predicate, operator in predicates:
            value = predicate(conversation)
            if result is None:
                result = value
            elif str(pending_operator).upper() == "OR":
                result = result or value
            else:
                result = result and value
            pending_operator = operator
        return bool(result) if result is not None else True

    return [c for c in conversations if matches(c)]


def _values(condition: Condition) -> list[object]:
    values = condition.get("values")
    if isinstance(values, list):
        return values
    return [] if values is None else [values]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _read(conversation: Conversation, key: str) -> object:
    attribute_type = STANDARD_KEYS[key][0] if key in STANDARD_KEYS else "custom"
    if attribute_type == "additional_attributes":
        return conversation.additional_attributes.get(key)
    if attribute_type == "custom":
        return (conversation.custom_attributes or {}).get(key)
    return getattr(conversation, key)


def _predicate(condition: Condition, now: float) -> Predicate:
    key = str(condition.get("attribute_key"))
    operator = condition.get("filter_operator")
    values = _values(condition)

    if key == "labels":
        wanted = {_text(v).lower() for v in values}
        if operator == "is_present":
            return lambda c: bool(c.labels)
        if operator == "is_not_present":
            return lambda c: not c.labels

        def has(conversation: Conversation) -> bool:
            return any(label.lower() in wanted for label in conversation.labels)

        return has if operator == "equal_to" else lambda c: not has(c)

    if key in ("status", "priority") and operator in EQUALITY:
        allowed = CONVERSATION_STATUSES if key == "status" else PRIORITIES
        if key == "status" and "all" in values:
            chosen = set(CONVERSATION_STATUSES)
        else:
            chosen = {v for v in values if isinstance(v, str) and v in allowed}
        if operator == "equal_to":
            return lambda c: _read(c, key) in chosen
        return lambda c: _read(c, key) is not None and _read(c, key) not in chosen

    if key in ("created_at", "last_activity_at") or operator in ("is_greater_than", "is_less_than"):
        return _date_predicate(key, str(operator), values, now)

    if operator == "is_present":
        return lambda c: _read(c, key) not in (None, "")
    if operator == "is_not_present":
        return lambda c: _read(c, key) in (None, "")
    if operator in ("contains", "does_not_contain"):
        needles = [_text(v).strip().lower() for v in values]

        def contains(conversation: Conversation) -> bool:
            return any(needle in _text(_read(conversation, key)).lower() for needle in needles)

        return contains if operator == "contains" else lambda c: not contains(c)
    wanted_text = {_text(v).lower() for v in values}

    def equal(conversation: Conversation) -> bool:
        value = _read(conversation, key)
        return value is not None and _text(value).lower() in wanted_text

    if operator == "not_equal_to":
        # SQL's NOT IN never matches NULL, except for custom attributes, where the server adds `OR ... IS NULL`.
        custom = key not in STANDARD_KEYS
        return lambda c: (custom and _read(c, key) is None) or (_read(c, key) is not None and not equal(c))
    return equal


def _date_predicate(key: str, operator: str, values: list[object], now: float) -> Predicate:
    """Date conditions compare calendar days (the SQL casts both sides to `::date`); days_before means "older than"."""
    if operator == "days_before":
        days = ruby_to_i(values[0] if values else None)
        # Day numbers, not dates: `today - days` may leave Python's years 1..9999. Before year 1, Rails hands
        # PostgreSQL "0000-..." or "-0001-...", which it cannot read as a date (500); after 9999, every day is older.
        threshold = datetime.fromtimestamp(now, UTC).date().toordinal() - days
        if threshold < 1:
            raise ServerError(f"date/time field value out of range: {days} days before today")
        operator = "is_less_than"
    else:
        threshold = _parse_date(values[0] if values else None).toordinal()

    def compare(conversation: Conversation) -> bool:
        day = _as_date(_read(conversation, key))
        if day is None:
            return False
        return day.toordinal() > threshold if operator == "is_greater_than" else day.toordinal() < threshold

    return compare


def _as_date(value: object) -> date | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).date()
    if isinstance(value, str):
        try:
            return _parse_date(value)
        except ServerError:
            return None
    return None


def _parse_date(value: object) -> date:
    """A value as PostgreSQL would cast it to a date; anything unparseable is a database error (500)."""
    text = _text(value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ServerError(f"invalid input syntax for type date: {text!r}") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()
