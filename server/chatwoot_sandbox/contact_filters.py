"""POST /contacts/filter: `Contacts::FilterService`'s validation (exact 422 messages) and evaluation.

It differs from the conversation filter: `equal_to`/`not_equal_to` use only `values[0]`, `starts_with` (allowed
for phone_number) has no implementation and tests equality, and a `query_operator` on the last condition (or a
missing one between two) makes broken SQL, a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from chatwoot_sandbox.errors import ServerError, unprocessable
from chatwoot_sandbox.finders import ruby_to_i
from chatwoot_sandbox.records import Contact
from chatwoot_sandbox.state import SandboxState

EQUALITY = ["equal_to", "not_equal_to"]
TEXT = ["equal_to", "not_equal_to", "contains", "does_not_contain"]
DATE = ["is_greater_than", "is_less_than", "days_before"]

# (attribute_type, kind, operators), in the order of filter_keys.yml (≥4.14: company_name, not company).
STANDARD_KEYS: dict[str, tuple[str, list[str]]] = {
    "name": ("standard", TEXT),
    "phone_number": ("standard", [*TEXT, "starts_with"]),
    "email": ("standard", TEXT),
    "identifier": ("standard", EQUALITY),
    "country_code": ("additional_attributes", EQUALITY),
    "city": ("additional_attributes", TEXT),
    "company_name": ("additional_attributes", TEXT),
    "labels": ("standard", ["equal_to", "not_equal_to", "is_present", "is_not_present"]),
    "created_at": ("standard", DATE),
    "last_activity_at": ("standard", DATE),
    "blocked": ("standard", EQUALITY),
}

Condition = dict[str, object]
Predicate = Callable[[Contact], bool]


def parse_payload(body: object) -> list[Condition]:
    """The conditions; a missing payload is `nil.each` on the server, hence 500."""
    payload = body.get("payload") if isinstance(body, dict) else None
    if not isinstance(payload, list) or not all(isinstance(c, dict) for c in payload):
        raise ServerError("undefined method `each' for nil")
    return payload


def _custom_keys(state: SandboxState, account_id: int) -> set[str]:
    return {
        d.attribute_key
        for d in state.custom_attribute_definitions.values()
        if d.account_id == account_id and d.attribute_model == "contact_attribute"
    }


def validate(state: SandboxState, account_id: int, conditions: list[Condition]) -> None:
    """Raise the server's 422 for the first invalid condition, or its 500 for a broken query_operator chain."""
    for condition in conditions:
        operator = condition.get("query_operator")
        if operator not in (None, "") and (not isinstance(operator, str) or operator.upper() not in ("AND", "OR")):
            raise unprocessable('Query operator must be either "AND" or "OR".')
    custom = _custom_keys(state, account_id)
    for condition in conditions:
        key = str(condition.get("attribute_key"))
        filter_operator = condition.get("filter_operator")
        standard = STANDARD_KEYS.get(key)
        if standard is None and key not in custom:
            raise unprocessable(
                f"Invalid attribute key - [{key}]. The key should be one of [{','.join(STANDARD_KEYS)}] "
                "or a custom attribute defined in the account."
            )
        if standard is not None and filter_operator not in standard[1]:
            raise unprocessable(f"Invalid operator. The allowed operators for {key} are [{','.join(standard[1])}].")
        if filter_operator not in ("is_present", "is_not_present") and not condition.get("values"):
            raise unprocessable(f"Invalid value. The values provided for {key} are invalid")
        if filter_operator in ("is_greater_than", "is_less_than") and _date(_first(condition)) is None:
            raise unprocessable(f"Invalid value. The values provided for {key} are invalid")
    # The operators are pasted verbatim between the SQL conditions: one after the last, or none between two, is
    # a syntax error PostgreSQL raises and Chatwoot does not rescue.
    for index, condition in enumerate(conditions):
        operator = condition.get("query_operator")
        last = index == len(conditions) - 1
        if (operator not in (None, "")) == last:
            raise ServerError("PG::SyntaxError: syntax error in the contact filter query")


def apply(contacts: list[Contact], conditions: list[Condition], now: float) -> list[Contact]:
    """The contacts matching the conditions, combined left to right with each condition's query_operator."""
    predicates = [(_predicate(condition, now), condition.get("query_operator")) for condition in conditions]

    def matches(contact: Contact) -> bool:
        result: bool | None = None
        pending: object = None
        for predicate, operator in predicates:
            value = predicate(contact)
            if result is None:
                result = value
            elif str(pending).upper() == "OR":
                result = result or value
            else:
                result = result and value
            pending = operator
        return bool(result) if result is not None else True

    return [c for c in contacts if matches(c)]


def _first(condition: Condition) -> object:
    """`values[0]`: of a list its first element, of a string its first character (as Ruby indexes it)."""
    values = condition.get("values")
    if isinstance(values, list):
        return values[0] if values else None
    if isinstance(values, str):
        return values[:1]
    return values


def _all(condition: Condition) -> list[str]:
    values = condition.get("values")
    items = values if isinstance(values, list) else [] if values is None else [values]
    return [str(v).strip() for v in items if v is not None]


def _read(contact: Contact, key: str) -> object:
    kind = STANDARD_KEYS[key][0] if key in STANDARD_KEYS else "custom"
    if kind == "additional_attributes":
        return contact.additional_attributes.get(key)
    if kind == "custom":
        return contact.custom_attributes.get(key)
    return getattr(contact, key)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


def _predicate(condition: Condition, now: float) -> Predicate:
    key = str(condition.get("attribute_key"))
    operator = condition.get("filter_operator")
    first = _first(condition)

    if key == "labels":
        if operator == "is_present":
            return lambda c: bool(c.labels)
        if operator == "is_not_present":
            return lambda c: not c.labels
        wanted = _text(first).lower()

        def has(contact: Contact) -> bool:
            return any(label.lower() == wanted for label in contact.labels)

        return has if operator == "equal_to" else lambda c: not has(c)

    if operator in DATE:
        return _date_predicate(key, str(operator), first, now)

    if operator in ("contains", "does_not_contain"):
        needles = [v.lower() for v in _all(condition)]

        def contains(contact: Contact) -> bool:
            text = _text(_read(contact, key)).lower()
            return any(needle in text for needle in needles)

        return contains if operator == "contains" else lambda c: _read(c, key) is not None and not contains(c)

    if operator == "is_present":
        return lambda c: _read(c, key) not in (None, "")
    if operator == "is_not_present":
        return lambda c: _read(c, key) in (None, "")

    wanted_value = _text(first)
    if key == "phone_number":
        wanted_value = "+" + wanted_value.replace("+", "")
    elif key == "blocked":
        wanted_value = wanted_value.lower()
    case_sensitive = key == "phone_number"

    def equal(contact: Contact) -> bool:
        value = _read(contact, key)
        if value is None:
            return False
        text = _text(value)
        return text == wanted_value if case_sensitive else text.lower() == wanted_value.lower()

    if operator == "not_equal_to":
        # Plain SQL `!=` never matches NULL; custom attributes add `OR ... IS NULL`.
        custom = key not in STANDARD_KEYS
        return lambda c: (custom and _read(c, key) is None) or (_read(c, key) is not None and not equal(c))
    return equal  # equal_to, and starts_with (no implementation of its own: equality)


def _date_predicate(key: str, operator: str, first: object, now: float) -> Predicate:
    if operator == "days_before":
        threshold = datetime.fromtimestamp(now, UTC).date().toordinal() - ruby_to_i(first)
        operator = "is_less_than"
    else:
        parsed = _date(first)
        threshold = parsed.toordinal() if parsed else 0

    def compare(contact: Contact) -> bool:
        value = _read(contact, key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        day = datetime.fromtimestamp(value, UTC).date().toordinal()
        return day > threshold if operator == "is_greater_than" else day < threshold

    return compare


def _date(value: object) -> date | None:
    try:
        moment = datetime.fromisoformat(_text(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()
