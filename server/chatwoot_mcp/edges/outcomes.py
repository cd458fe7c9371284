"""What a failed tool call did, told truthfully: refused (nothing written) or unknown (may have been applied).

A write tool ends in exactly one of three ways: done (the result, verified), refused (an error that says nothing
was written) or unknown (an error that says the change may have been applied and which read tool shows whether
it was). Guards raise; this is the one place that turns what they raised into those words.

To know which it was, every HTTP exchange a tool call makes with Chatwoot is recorded (through httpx event hooks
on the shared client, into a record that belongs to the current call): a failure after a write Chatwoot
accepted is not a failure that "wrote nothing".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx2

from chatwoot_client import (
    ChatwootAPIError,
    ChatwootConnectionError,
    ChatwootError,
    ChatwootResponseError,
    ChatwootTimeoutError,
)
from chatwoot_mcp.edges.errors import describe_error

__all__ = [
    "CallRecord",
    "Unverified",
    "install_hooks",
    "outcome_of",
    "read_back_failure",
    "recording",
    "refused_by_chatwoot",
    "unknown_outcome",
    "write_failure",
]


class Unverified(Exception):
    """Chatwoot accepted the writes, but what it reports afterwards is not what was written. The message says what
    differs; the outcome is unknown (another writer, or an answer that was not really Chatwoot's)."""


_READ_METHODS = frozenset({"GET", "HEAD"})
_REFUSED_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 413, 422})
"""Statuses with which Chatwoot (Rails) refuses a request without applying it. 429 is not among them: a proxy in
front of Chatwoot can answer 429 after Rails stored the message."""


@dataclass
class Exchange:
    """One request sent to Chatwoot during a tool call, and the status it got (None: no answer)."""

    method: str
    path: str
    status: int | None = None

    @property
    def is_write(self) -> bool:
        return self.method not in _READ_METHODS

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class CallRecord:
    """The exchanges of one tool call, in order."""

    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def accepted_writes(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.is_write and e.accepted]

    @property
    def writes_sent(self) -> bool:
        return any(e.is_write for e in self.exchanges)


_current: ContextVar[CallRecord | None] = ContextVar("chatwoot_mcp_call_record", default=None)


@contextmanager
def recording() -> Iterator[CallRecord]:
    """Record the Chatwoot exchanges made inside this block (by this task and what it awaits)."""
    record = CallRecord()
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


async def _on_request(request: httpx2.Request) -> None:
    record = _current.get()
    if record is not None:
        record.exchanges.append(Exchange(request.method, request.url.path))


async def _on_response(response: httpx2.Response) -> None:
    record = _current.get()
    if record is None:
        return
    for exchange in reversed(record.exchanges):
        if exchange.status is None and (exchange.method, exchange.path) == (
            response.request.method,
            response.request.url.path,
        ):
            exchange.status = response.status_code
            return


def install_hooks(http: httpx2.AsyncClient) -> None:
    """Make `http` report every exchange to the current call's record."""
    hooks = http.event_hooks
    http.event_hooks = {
        "request": [*hooks.get("request", []), _on_request],
        "response": [*hooks.get("response", []), _on_response],
    }


def refused_by_chatwoot(error: ChatwootError) -> bool:
    """Whether the failing request certainly changed nothing: Chatwoot refused it, or it never reached it."""
    if getattr(error, "sent", True) is False:
        return True
    return isinstance(error, ChatwootAPIError) and error.status_code in _REFUSED_STATUSES


def _failed_request_is_write(error: ChatwootError) -> bool:
    method = getattr(error, "method", "") or ""
    return bool(method) and method.upper() not in _READ_METHODS


def write_failure(error: ChatwootError, record: CallRecord, verify_with: str) -> str:
    """The error text for a write tool whose call raised `error`: refused, partly applied, or unknown."""
    cause = describe_error(error)
    accepted = record.accepted_writes
    failing_write = _failed_request_is_write(error) or (not getattr(error, "method", "") and record.writes_sent)
    unknown = failing_write and not refused_by_chatwoot(error)
    if not accepted and not unknown:
        return f"{cause} Nothing was written."
    if unknown:
        return unknown_outcome(cause, verify_with)
    done = ", ".join(f"{e.method} {e.path}" for e in accepted)
    if failing_write:
        return (
            f"{cause} Part of the change WAS applied before this ({done}); the rest was not. Check with "
            f"{verify_with}, then call again for what is missing."
        )
    return (
        f"The change WAS applied (Chatwoot accepted {done}); only reading it back to verify failed "
        f"({read_back_failure(error)}). Check with {verify_with} before calling again; do not simply repeat it."
    )


def read_back_failure(error: ChatwootError) -> str:
    """What went wrong with a read after an applied write, in neutral words: `describe_error`'s advice (check the
    values, check the id) is about a request that wrote nothing, and would mislead here."""
    where = f"{error.method} {error.path}" if getattr(error, "method", "") else "the read"
    if isinstance(error, ChatwootAPIError):
        return f"Chatwoot answered {error.status_code} to {where}"
    if isinstance(error, ChatwootResponseError):
        return f"Chatwoot's answer to {where} was not readable: {error.reason}"
    if isinstance(error, ChatwootTimeoutError):
        return f"Chatwoot did not answer {where} in time"
    if isinstance(error, ChatwootConnectionError):
        return f"the connection broke during {where}"
    return f"{type(error).__name__} during {where}"


def unknown_outcome(cause: str, verify_with: str) -> str:
    """The words for a write whose fate is unknown."""
    return (
        f"{cause} Outcome unknown: the change may have been applied. Check with {verify_with} before retrying; "
        "do not simply call again."
    )


def outcome_of(is_error: bool, text: str) -> str:
    """The outcome a write tool's result reports, in the audit log's words: done, refused or may have been applied.

    Reads the words this module (and the registry) write for an unknown or partly applied outcome; every other
    error of a write tool is a refusal, which says nothing was written.
    """
    if not is_error:
        return "done"
    if "Outcome unknown" in text or "WAS applied" in text or "may have been applied" in text:
        return "may have been applied"
    return "refused"
