"""`redact` removes a secret in every form it is written in: raw, escaped, JSON, percent-encoded in any mix."""

from __future__ import annotations

import json
import logging
import re
import sys
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chatwoot_mcp.cli import RedactingFilter
from chatwoot_mcp.edges.redaction import REDACTED, _matcher, contains_secret, redact, redact_data, secret_forms

PLAIN = "CANARY-tok-9b1e-XYZ"
NASTY = "CANARY\"tok\\9b1e/X+Y %Z'q"
"""Every character that escapes differently in repr, JSON and URLs, and still legal in an HTTP header."""


def leaks(text: str, secret: str) -> list[str]:
    """The forms of `secret` found in `text` (with percent escapes in either hex case)."""
    upper = re.sub("%[0-9a-fA-F]{2}", lambda escape: escape.group().upper(), text)
    return [form for form in secret_forms(secret) if form in text or form in upper]


@pytest.mark.parametrize("secret", [PLAIN, NASTY, "tök\u2603-\x00-\n"])
def test_every_form_is_redacted(secret: str) -> None:
    forms = [
        *secret_forms(secret),
        repr(secret),
        json.dumps(secret),
        json.dumps({"token": secret}),
        re.sub("%[0-9A-F]{2}", lambda escape: escape.group().lower(), quote(secret, safe="")),
        quote(secret).replace("%2F", "%2f"),
        "".join(quote(c, safe="") if i % 2 else c for i, c in enumerate(secret)),  # an encoder's own mix
        f"https://chatwoot.example/api?token={quote_plus(secret)}&x=1",
    ]
    for text in forms:
        redacted = redact(f"before {text} after", [secret])
        assert REDACTED in redacted, text
        assert not leaks(redacted, secret), (text, redacted)
        assert redacted.startswith("before ") and redacted.endswith(" after")


def test_nothing_else_changes() -> None:
    assert redact("no secret here", [PLAIN]) == "no secret here"
    assert redact("anything", []) == "anything"
    assert redact("anything", [""]) == "anything", "an empty secret redacts nothing"
    assert redact(f"{PLAIN} and {NASTY}", [PLAIN, NASTY]) == f"{REDACTED} and {REDACTED}"


@given(st.text(max_size=30), st.text(max_size=30), st.text(min_size=6, max_size=16))
@settings(max_examples=300, deadline=None, database=None)
def test_a_secret_never_survives(before: str, after: str, secret: str) -> None:
    assume(not set(secret) & set(REDACTED))  # else the placeholder itself could spell part of it
    for form in secret_forms(secret):
        assert not leaks(redact(before + form + after, [secret]), secret), form


def test_data_keys_and_values() -> None:
    data = {f"k-{PLAIN}": [PLAIN, 1, None, {"x": f"{NASTY}!"}], "n": 2.5, "t": (PLAIN,)}
    assert redact_data(data, [PLAIN, NASTY]) == {
        f"k-{REDACTED}": [REDACTED, 1, None, {"x": f"{REDACTED}!"}],
        "n": 2.5,
        "t": [REDACTED],
    }


def test_log_records_are_scrubbed_in_message_arguments_and_tracebacks() -> None:
    record_filter = RedactingFilter([NASTY])
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %r in %s", (NASTY, quote(NASTY)), None)
    try:
        raise RuntimeError(json.dumps({"token": NASTY}))
    except RuntimeError:
        record.exc_info = sys.exc_info()
    record.stack_info = f"stack with {NASTY!r}"
    assert record_filter.filter(record)
    formatted = logging.Formatter("%(message)s").format(record)
    assert "RuntimeError" in formatted and formatted.count(REDACTED) >= 4, formatted
    assert not leaks(formatted, NASTY), formatted


def test_a_broken_log_call_is_still_written_and_scrubbed() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "two %s %s", (PLAIN,), None)
    assert RedactingFilter([PLAIN]).filter(record)
    assert PLAIN not in record.getMessage() and REDACTED in record.getMessage()


@given(st.data(), st.sampled_from([PLAIN, NASTY, "a b-c%d", "a b-c"]))
@settings(max_examples=400, deadline=None, database=None)
def test_the_quick_check_decides_as_the_full_search_does(data: st.DataObject, secret: str) -> None:
    # Texts made of the secret's characters, its escapes and the characters URL forms use: the cases where a
    # shortcut could miss a secret that the full search finds.
    pieces = [*secret, *secret_forms(secret), "%", "+", " ", "2", "B", "b", "\\", '"', "x"]
    text = "".join(data.draw(st.lists(st.sampled_from(pieces), max_size=40)))
    full = _matcher((secret,))
    assert full is not None
    assert contains_secret(text, [secret]) == (full.search(text) is not None), text
    assert redact(text, [secret]) == full.sub(REDACTED, text), text
