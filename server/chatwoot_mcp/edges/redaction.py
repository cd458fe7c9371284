"""Scrubbing secrets from text and data before anything leaves the server: tool output, resources, prompts, logs.

A secret rarely shows up only as itself. An error that reprs a header shows it backslash-escaped, a JSON body
shows it JSON-escaped, a logged URL shows it percent-encoded (in either case of hex digit, with `+` or `%20`
for a space, and encoders disagree about which characters to escape). `redact` replaces the escaped forms
literally and matches URL forms character by character, each character raw or percent-encoded, so every mix
of encoders is caught.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "contains_secret", "redact", "redact_data", "scrub_log_records", "secret_forms"]

REDACTED = "[redacted]"


def _escaped_forms(secret: str) -> set[str]:
    return {
        secret,
        repr(secret)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }


def secret_forms(secret: str) -> set[str]:
    """The usual ways `secret` is written in text: raw, repr/unicode_escape, JSON and URL-encoded."""
    return _escaped_forms(secret) | {quote(secret), quote(secret, safe=""), quote_plus(secret)}


def _url_pattern(secret: str) -> str:
    """A regex for `secret` in a URL: each character raw or percent-encoded (any hex case), a space also `+`."""
    parts = []
    for char in secret:
        choices = [re.escape(char), "".join(f"%(?i:{byte:02x})" for byte in char.encode())]
        if char == " ":
            choices.append(r"\+")
        parts.append(f"(?:{'|'.join(choices)})")
    return "".join(parts)


@lru_cache(maxsize=32)
def _matcher(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    secrets = tuple(secret for secret in secrets if secret)
    if not secrets:
        return None
    forms = {form for secret in secrets for form in _escaped_forms(secret)}
    # Longest first: the regex takes the first alternative that matches at a position.
    literal = [re.escape(form) for form in sorted(forms, key=len, reverse=True)]
    return re.compile("|".join([*literal, *map(_url_pattern, secrets)]))


@lru_cache(maxsize=32)
def _literal_forms(secrets: tuple[str, ...]) -> tuple[str, ...]:
    return tuple({form for secret in secrets if secret for form in _escaped_forms(secret)})


def _may_hold(text: str, secrets: tuple[str, ...]) -> bool:
    """False only when no secret can be in `text`: a URL form needs a `%` (or `+` for a space) to differ from the
    secret itself, so without either, plain substring checks decide (several times cheaper than the regex)."""
    if "%" in text or "+" in text:
        return True
    return any(form in text for form in _literal_forms(secrets))


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret, raw or escaped, replaced by "[redacted]"."""
    secrets = tuple(secrets)
    matcher = _matcher(secrets)
    if matcher is None or not _may_hold(text, secrets):
        return text
    return matcher.sub(REDACTED, text)


def contains_secret(text: str, secrets: Iterable[str]) -> bool:
    """Whether any secret, raw or escaped, occurs in `text` (one search: cheaper than redacting to find out)."""
    secrets = tuple(secrets)
    matcher = _matcher(secrets)
    return matcher is not None and _may_hold(text, secrets) and matcher.search(text) is not None


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


_log_secrets: set[str] = set()


def scrub_log_records(secrets: Iterable[str]) -> None:
    """Make every log record created in this process from now on carry `secrets` scrubbed.

    Scrubbing in one handler (the CLI's stderr) leaves the records themselves raw for every other handler: pytest's
    caplog, a host application that embeds the server, a log exporter. So the scrubbing happens where records are
    made (the logging record factory), once for all handlers. Records that carry no secret are left untouched.
    """
    new = {secret for secret in secrets if secret} - _log_secrets
    if not new:
        return
    if not _log_secrets:
        _install_record_factory()
    _log_secrets.update(new)


def _install_record_factory() -> None:
    import logging

    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        secrets = tuple(sorted(_log_secrets))
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: the handler reports it; nothing to scrub here
            return record
        if contains_secret(message, secrets):
            record.msg, record.args = redact(message, secrets), ()
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if contains_secret(text, secrets):
                record.exc_text = redact(text, secrets)
        return record

    logging.setLogRecordFactory(scrubbed_record)
