"""Shared by the hunting tests: how a tool result is judged, counted, and driven from synchronous code.

A tool result is one of four outcome classes:

- success: not an error; its structuredContent must validate against the tool's outputSchema;
- refused: an error that says nothing was written, sent or done;
- unknown-or-applied: an error that says the change may have been applied, or WAS applied;
- other-error: any other error (fine for a read tool, a broken promise for a write tool).

Every error, whatever its class, must be in plain words: never the SDK's "Error executing tool", a traceback or
pydantic's own wording (which can echo the offending value back).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import jsonschema
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp.types import CallToolResult

from tests.server.conftest import text_of

__all__ = [
    "CRASH_SIGNS",
    "FORBIDDEN_IN_ERRORS",
    "NO_MARKER",
    "OUTCOMES",
    "REFUSED_MARKERS",
    "UNKNOWN_MARKERS",
    "Outcome",
    "Tally",
    "classify",
    "plain_words_problems",
    "portal",
    "result_problems",
    "without_retry_waits",
]

Outcome = Literal["success", "refused", "unknown-or-applied", "other-error"]
OUTCOMES: tuple[Outcome, ...] = ("success", "refused", "unknown-or-applied", "other-error")

REFUSED_MARKERS = ("Nothing was written", "Nothing was sent", "Nothing was done")
UNKNOWN_MARKERS = ("may have been applied", "WAS applied")
NO_MARKER = (
    "a write tool's error says neither 'Nothing was written/sent/done' nor 'may have been applied'/'WAS applied'"
)
FORBIDDEN_IN_ERRORS = (
    "Error executing tool",
    "Traceback",
    "pydantic",
    "errors.pydantic.dev",
    "validation error for",
    "input_value",
)


CRASH_SIGNS = ("internal error of chatwoot-mcp", "invalid literal for", "object has no attribute", "NoneType")
"""Words that only a failure of the server's own code produces (Python's, or its catch-all for them)."""


def classify(result: CallToolResult) -> Outcome:
    """The outcome class of a tool result (see the module docstring)."""
    if not result.is_error:
        return "success"
    text = text_of(result)
    if any(marker in text for marker in UNKNOWN_MARKERS):
        return "unknown-or-applied"
    if any(marker in text for marker in REFUSED_MARKERS):
        return "refused"
    return "other-error"


def plain_words_problems(text: str) -> list[str]:
    """What makes an error text not plain words (empty when it is fine)."""
    problems = []
    if text.startswith("Error executing tool"):
        problems.append("starts with the SDK's 'Error executing tool'")
    problems += [f"contains {fragment!r}" for fragment in FORBIDDEN_IN_ERRORS[1:] if fragment in text]
    problems += [f"reports a crash ({fragment!r})" for fragment in CRASH_SIGNS if fragment in text]
    if not text.strip():
        problems.append("is empty")
    return problems


def result_problems(result: CallToolResult, output_schema: Mapping[str, Any] | None, *, writes: bool) -> list[str]:
    """Everything wrong with `result` as the answer of a tool (`writes`: a write tool), or [] if nothing is."""
    text = text_of(result)
    if not result.is_error:
        if output_schema is None:
            return []
        if result.structured_content is None:
            return ["a success without structuredContent"]
        validator = jsonschema.Draft202012Validator(output_schema)
        return [
            f"structuredContent breaks the outputSchema: {error.message}"
            for error in validator.iter_errors(result.structured_content)
        ][:3]
    problems = [f"the error text {problem}" for problem in plain_words_problems(text)]
    if writes and classify(result) == "other-error":
        problems.append(NO_MARKER)
    return problems


@dataclass
class Tally:
    """Calls made and their outcome classes, per row (a tool, or a fault case), for the summary table."""

    title: str
    rows: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def count(self, row: str, outcome: str, *extra: str) -> None:
        counter = self.rows[row]
        counter["calls"] += 1
        counter[outcome] += 1
        for column in extra:
            counter[column] += 1

    def flag(self, row: str, column: str) -> None:
        """Mark the last counted call of `row` in one more column (not another call)."""
        self.rows[row][column] += 1

    def table(self, columns: tuple[str, ...]) -> str:
        total: Counter[str] = Counter()
        for counter in self.rows.values():
            total.update(counter)
        width = max([len("total"), *map(len, self.rows)])
        header = f"{'':<{width}} | " + " | ".join(f"{c:>{max(len(c), 6)}}" for c in ("calls", *columns))
        lines = [self.title, header, "-" * len(header)]
        for name, counter in [*sorted(self.rows.items()), ("total", total)]:
            cells = " | ".join(f"{counter[c]:>{max(len(c), 6)}}" for c in ("calls", *columns))
            lines.append(f"{name:<{width}} | {cells}")
        return "\n".join(lines)

    def print(self, columns: tuple[str, ...]) -> None:
        """Write the table to the real stdout (visible with `pytest -s`)."""
        if self.rows:
            sys.stdout.write("\n" + self.table(columns) + "\n")
            sys.stdout.flush()


@contextmanager
def portal() -> Iterator[BlockingPortal]:
    """An event loop in a helper thread, so synchronous code (a hypothesis test) can await MCP calls."""
    with start_blocking_portal(backend="asyncio") as blocking_portal:
        yield blocking_portal


def without_retry_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the Chatwoot client retry exactly as it decides, without its real backoff (0.5 s, 1 s, ...)."""
    import chatwoot_client._base_client

    monkeypatch.setattr(chatwoot_client._base_client, "retry_delay", lambda *args, **kwargs: 0.0)
