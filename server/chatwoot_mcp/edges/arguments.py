"""The edge of every tool call: arguments are checked here, in our words, before any tool code runs.

The SDK would validate too, but it ignores unknown arguments (a misspelt `dryrun` silently became a real
write) and reports problems in pydantic's words, with its URLs and sometimes the offending value. Here an
unknown argument is refused with the closest real parameter, and every other problem names the parameter and
what it accepts, never the value (it could be a secret pasted in the wrong place).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from chatwoot_mcp.config import Settings

__all__ = [
    "MAX_ID",
    "ConversationURL",
    "argument_problem",
    "conversation_url",
    "describe_accepted",
    "describe_validation",
    "not_bool",
    "parse_conversation_id",
    "resolve_conversation_link",
    "whole_number",
]

_DIGITS = re.compile(r"[0-9]{1,18}")
MAX_ID = 2**53
"""Ids and counts above this are no record of Chatwoot's (and lose precision in JSON)."""
_URL_LIMIT = 500
_URL_PATH = re.compile(r"/app/accounts/([0-9]{1,18})/(?:[^/]+/){0,4}conversations/([0-9]{1,18})/?")
"""…/conversations/7, also under an inbox, label, team or view: …/inbox/2/conversations/7."""


class ConversationURL:
    """A conversation link from Chatwoot's web app: which account and which conversation it points at."""

    def __init__(self, account_id: int, conversation_id: int) -> None:
        self.account_id = account_id
        self.conversation_id = conversation_id


def conversation_url(text: str, settings: Settings) -> ConversationURL:
    """Read a conversation URL, accepting only links into the configured Chatwoot and its allowed accounts.

    Raises:
        ValueError: saying why the link is refused (another host, another account, not a conversation link).
    """
    if len(text) > _URL_LIMIT:
        raise ValueError(f"the link is longer than {_URL_LIMIT} characters; give the conversation's number instead")
    parts = urlsplit(text)
    expected = urlsplit(settings.base_url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "") != (expected.hostname or ""):
        raise ValueError(
            f"the link is not on the configured Chatwoot ({expected.hostname}); give the conversation's number instead"
        )
    match = _URL_PATH.fullmatch(parts.path)
    if match is None:
        raise ValueError("the link is not a Chatwoot conversation link (…/app/accounts/<account>/conversations/<id>)")
    account_id, conversation_id = int(match.group(1)), int(match.group(2))
    if account_id not in settings.account_ids:
        allowed = ", ".join(map(str, settings.account_ids))
        raise ValueError(
            f"the link points into account {account_id}, which this server may not use (allowed: {allowed})"
        )
    return ConversationURL(account_id, conversation_id)


def parse_conversation_id(value: Any) -> int:
    """A conversation id as agents write it: a JSON integer, or ASCII digits with an optional leading "#".

    URLs are read by `conversation_url` before validation (they need the settings); booleans, other digit
    scripts ("٣", "３") and fractions are refused.

    Raises:
        ValueError: in words that do not repeat the value.
    """
    if isinstance(value, bool):
        raise ValueError("a conversation id is a number such as 123, not true or false")
    if isinstance(value, int) and value <= MAX_ID:
        return value
    if isinstance(value, str):
        text = value.strip().removeprefix("#")
        if _DIGITS.fullmatch(text) and int(text) <= MAX_ID:
            return int(text)
    raise ValueError('a conversation id is a number such as 123 (also "#123" or its Chatwoot link)')


def whole_number(value: Any) -> Any:
    """Integers arrive as JSON integers or ASCII digits; true/false, "1_000" or other scripts' digits do not.

    Above MAX_ID no number is a record of Chatwoot's or a sensible count (and it would lose precision in JSON).
    """
    if isinstance(value, bool):
        raise ValueError("a whole number is expected, not true or false")
    if isinstance(value, str) and not (value.isascii() and value.strip().isdigit() and len(value.strip()) <= 18):
        raise ValueError("a whole number is expected, written with the digits 0-9")
    if isinstance(value, int | str) and int(value) > MAX_ID:
        raise ValueError("the number is larger than any Chatwoot id or count")
    return value


def not_bool(value: Any) -> Any:
    """true/false where a number (or an id, email or name) is meant: pydantic would read true as 1."""
    if isinstance(value, bool):
        raise ValueError("true or false is not a value this parameter takes")
    return value


def resolve_conversation_link(tool: str, arguments: dict[str, Any], settings: Settings, *, writes: bool) -> str | None:
    """Replace a conversation link in `arguments` by its number (and, on an allowlist, pick its account).

    Returns what is wrong (another host, an account not allowed, a clash with `account_id`), or None.
    """
    reference = arguments.get("conversation_id")
    if not (isinstance(reference, str) and "://" in reference):
        return None
    try:
        link = conversation_url(reference.strip(), settings)
    except ValueError as error:
        return f"Invalid arguments for {tool}: `conversation_id`: {error}. {_nothing_done(writes)}"
    requested = arguments.get("account_id")
    if not settings.pinned_account and requested is not None and requested != link.account_id:
        return (
            f"Invalid arguments for {tool}: `conversation_id` links into account {link.account_id} but `account_id` "
            f"is {requested}; pass one of them. {_nothing_done(writes)}"
        )
    arguments["conversation_id"] = link.conversation_id
    if not settings.pinned_account:
        arguments["account_id"] = link.account_id
    return None


def argument_problem(
    tool: str,
    model: type[BaseModel],
    arguments: Mapping[str, Any],
    *,
    pinned_account: int | None,
    writes: bool,
) -> str | None:
    """Which argument `tool` does not have, as one paragraph the model can act on, or None if all are known.

    Values are checked by validation, which the SDK runs next; `describe_validation` puts its findings in the
    same words.
    """
    nothing_done = _nothing_done(writes)
    known = list(model.model_fields)
    for name in arguments:
        if name in model.model_fields:
            continue
        if name == "account_id" and pinned_account is not None:
            return (
                f"`account_id` is not a parameter of {tool}: this server works in account {pinned_account} only. "
                f"Call again without it. {nothing_done}"
            )
        import difflib  # only for an unknown argument: not worth its import at start-up

        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"its parameters are {_names(known)}."
        return f"`{_shown(name)}` is not a parameter of {tool}; {hint} {nothing_done}"
    return None


def _nothing_done(writes: bool) -> str:
    return "Nothing was written." if writes else "Nothing was done."


def describe_validation(tool: str, error: ValidationError, schema: Mapping[str, Any], *, writes: bool) -> str:
    """A failed validation of `tool`'s arguments in our words: which parameter, what it accepts, never the value."""
    nothing_done = _nothing_done(writes)
    properties = schema.get("properties", {})
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        location = [str(part) for part in item["loc"]]
        name = location[0] if location else "arguments"
        spec = properties.get(name, {})
        where = f"`{name}`"
        for part in location[1:]:  # inside a list or an object: name the item and the field, with their schema
            if part.isdigit() and isinstance(spec.get("items"), dict):
                where, spec = f"{where} item {part}", spec["items"]
            elif part in spec.get("properties", {}):
                where, spec = f"{where} `{part}`", spec["properties"][part]
            else:
                break  # a union member's name or a dict key: the parameter's own schema says what it takes
        if item["type"] == "missing":
            problems.append(f"{where} is required ({describe_accepted(spec)})")
            continue
        reason = _own_reason(item)
        accepted = describe_accepted(spec)
        problems.append(f"{where}: {reason}" if reason else f"{where} must be {accepted}")
    unique = list(dict.fromkeys(problems))
    return f"Invalid arguments for {tool}: {'; '.join(unique)}. {nothing_done}"


def _own_reason(item: Any) -> str | None:
    """The text of a ValueError raised by one of our validators (they never repeat the value)."""
    if item["type"] != "value_error":
        return None
    cause = (item.get("ctx") or {}).get("error")
    return str(cause) if cause is not None else None


def describe_accepted(spec: Mapping[str, Any]) -> str:
    """What a JSON-schema property accepts, in a few words: "an integer ≥ 1", "one of open, resolved"."""
    if "enum" in spec:
        return "one of " + ", ".join("null" if v is None else str(v) for v in spec["enum"])
    if "anyOf" in spec:
        return " or ".join(dict.fromkeys(describe_accepted(option) for option in spec["anyOf"]))
    kind = spec.get("type")
    if isinstance(kind, list):
        return " or ".join(describe_accepted({**spec, "type": k}) for k in kind)
    if kind == "integer":
        bounds = [
            f"≥ {spec['minimum']}" if "minimum" in spec else "",
            f"≤ {spec['maximum']}" if "maximum" in spec else "",
        ]
        return " ".join(["an integer", *filter(None, bounds)])
    if kind == "number":
        return "a number"
    if kind == "boolean":
        return "true or false"
    if kind == "null":
        return "null"
    if kind == "string":
        limit = f" of at most {spec['maxLength']} characters" if "maxLength" in spec else ""
        return ("a date-time (ISO 8601)" if spec.get("format") == "date-time" else "text") + limit
    if kind == "array":
        count = f"up to {spec['maxItems']} " if "maxItems" in spec else ""
        return f"a list of {count}{_plural(describe_accepted(spec.get('items', {})))}"
    if kind == "object":
        return "an object"
    return "a valid value"


def _plural(phrase: str) -> str:
    for article in ("an ", "a "):
        if phrase.startswith(article):
            rest = phrase.removeprefix(article)
            head, _, tail = rest.partition(" ")
            return f"{head}s {tail}".strip()
    return f"items of {phrase}"


def _names(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) if names else "none"


def _shown(name: str) -> str:
    """An unknown argument's name, bounded and printable (names are the caller's, not customer data)."""
    printable = "".join(ch if ch.isprintable() and ch not in "`" else "?" for ch in name)
    return printable if len(printable) <= 40 else printable[:40] + "…"
