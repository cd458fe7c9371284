"""Scrubbing secrets from text and data before anything leaves the server: tool output, resources, prompts, logs.

A secret rarely shows up only as itself. An error that reprs a header shows it backslash-escaped, a JSON body
shows it JSON-escaped, a logged URL shows it percent-encoded (in either case of hex digit). `redact` replaces
every one of those forms, longest first, so no fragment of a longer form survives a shorter one's replacement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "redact", "redact_data", "secret_forms"]

REDACTED = "[redacted]"

_PERCENT_ESCAPE = re.compile(r"%[0-9A-F]{2}")


def secret_forms(secret: str) -> set[str]:
    """The ways `secret` can be written in text: raw, repr/unicode_escape, JSON and URL-encoded."""
    return {
        secret,
        repr(secret)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret),
        quote(secret, safe=""),
        quote_plus(secret),
    } - {""}


def _pattern_of(form: str) -> str:
    """A regex for `form` in which percent escapes match either case of hex digit (%2F and %2f)."""
    parts, last = [], 0
    for escape in _PERCENT_ESCAPE.finditer(form):
        parts.append(re.escape(form[last : escape.start()]))
        parts.append(f"%(?i:{escape.group()[1:]})")
        last = escape.end()
    parts.append(re.escape(form[last:]))
    return "".join(parts)


@lru_cache(maxsize=32)
def _matcher(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    forms = {form for secret in secrets if secret for form in secret_forms(secret)}
    if not forms:
        return None
    # Longest first: the regex takes the first alternative that matches at a position.
    return re.compile("|".join(_pattern_of(form) for form in sorted(forms, key=len, reverse=True)))


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret, raw or escaped, replaced by "[redacted]"."""
    matcher = _matcher(tuple(secrets))
    return text if matcher is None else matcher.sub(REDACTED, text)


def redact_data(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of JSON-like `value` with `redact` applied to every string in it, dict keys included."""
    secrets = tuple(secrets)
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {redact_data(key, secrets): redact_data(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(item, secrets) for item in value]
    return value
