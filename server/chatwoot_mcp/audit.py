"""The audit log: one JSON line for every write tool call, and every refusal of one.

Each line says when, who (the Chatwoot user the call acted as), in which account, which tool with which
arguments (secrets scrubbed, long text cut to AUDIT_TEXT characters: customer messages and notes are not copied
whole), what the guard saw before and after where it knows, the outcome (done / refused / may have been applied)
and how long it took. Destinations: a file (appended to, one write per line, so workers can share it), "-" for
stderr, or "redis" for the stream `chatwoot-mcp:audit` of the shared state.

    {"time": "2026-11-25T15:02:11.532Z", "user": {"id": 1, "name": "Ada"}, "account": 1, "tool": "add_labels",
     "arguments": {"conversation_id": 7, "labels": ["billing"]}, "before": ["vip"], "after": ["vip", "billing"],
     "outcome": "done", "duration_ms": 41.2}
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from mcp.types import CallToolResult

from chatwoot_mcp.config import ConfigError, Settings
from chatwoot_mcp.edges.outcomes import outcome_of
from chatwoot_mcp.edges.redaction import redact, redact_data
from chatwoot_mcp.identity import Identity
from chatwoot_mcp.state import State

__all__ = ["AUDIT_TEXT", "AuditLog", "audit_entry"]

log = logging.getLogger("chatwoot_mcp")

AUDIT_TEXT = 80
"""Characters of any text argument or value kept in the log (message content, notes, attribute values)."""
_REASON = 240
_AFTER_FIELDS = ("status", "priority", "assignee", "team", "snoozed_until")


def _cut(value: Any) -> Any:
    """`value` with every string longer than AUDIT_TEXT cut (and marked with "…")."""
    if isinstance(value, str):
        return value if len(value) <= AUDIT_TEXT else value[:AUDIT_TEXT] + "…"
    if isinstance(value, dict):
        return {key: _cut(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_cut(item) for item in value]
    return value


def _files_as_sizes(arguments: dict[str, Any]) -> dict[str, Any]:
    """Files a call carries, as their name, type and size: the audit log records what was sent, not megabytes of
    base64 (which would also be scanned for secrets on every write)."""
    files = arguments.get("attachments")
    if not isinstance(files, list):
        return arguments
    listed = [
        {key: value for key, value in item.items() if key != "content"}
        | {"content": f"<{len(item.get('content') or '')} base64 characters>"}
        if isinstance(item, dict)
        else item
        for item in files
    ]
    return arguments | {"attachments": listed}


def _result_text(result: CallToolResult) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


def audit_entry(
    *,
    tool: str,
    arguments: dict[str, Any],
    result: CallToolResult,
    identity: Identity | None,
    account_id: int | None,
    seconds: float,
    secrets: tuple[str, ...],
) -> dict[str, Any]:
    """The audit record of one write call (secrets scrubbed, then text cut: a cut must not leave half a token)."""
    arguments = redact_data(_files_as_sizes(arguments), secrets)
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "user": {"id": identity.user_id, "name": identity.name} if identity is not None else None,
        "account": account_id,
        "tool": tool,
        # A composer's one-time token (app_send_reply) is spent by the call, but a credential all the same.
        "arguments": _cut({key: value for key, value in arguments.items() if key not in ("ctx", "token")}),
    }
    structured = redact_data(result.structured_content or {}, secrets)
    if not result.is_error:
        if "before" in structured:
            entry["before"] = _cut(structured["before"])
        if "after" in structured:
            entry["after"] = _cut(structured["after"])
        elif any(name in structured for name in _AFTER_FIELDS):
            entry["after"] = _cut({name: structured[name] for name in _AFTER_FIELDS if name in structured})
        if "done" in structured:  # a batch: every conversation's outcome on the one line (its ids are in arguments)
            entry["conversations"] = {key: structured[key] for key in ("done", "skipped") if key in structured}
        if structured.get("written") is False:
            entry["changed"] = False
    entry["outcome"] = outcome_of(result.is_error, _result_text(result))
    if result.is_error:
        reason = redact(_result_text(result), secrets)
        entry["reason"] = reason if len(reason) <= _REASON else reason[:_REASON] + "…"
    entry["duration_ms"] = round(seconds * 1000, 1)
    return redact_data(entry, secrets)


class AuditLog:
    """Where audit lines go; `record` never fails a call (a sink that fails is logged as a warning)."""

    def __init__(self, destination: str, write: Callable[[str], Awaitable[None]], close: Callable[[], None]) -> None:
        self.destination = destination
        self._write = write
        self._close = close

    @classmethod
    def open(cls, settings: Settings, state: State | None = None) -> AuditLog | None:
        """The log `settings.audit_log` names, opened (None when none is configured).

        Raises:
            ConfigError: when the file cannot be opened for appending.
        """
        target = settings.audit_log
        if target is None:
            return None
        if target == "redis":
            append = getattr(state, "append_audit", None)
            if append is None:
                raise ConfigError("--audit-log redis needs the Redis state (--state redis://...)")
            return cls("redis stream chatwoot-mcp:audit", append, lambda: None)
        if target == "-":
            return cls("stderr", _writer(2), lambda: None)
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as error:
            raise ConfigError(f"cannot open the audit log {target!r} for appending: {error.strerror}") from None
        return cls(target, _writer(descriptor), lambda: os.close(descriptor))

    async def record(self, entry: dict[str, Any], secrets: tuple[str, ...]) -> None:
        line = redact(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), secrets)
        try:
            await self._write(line)
        except Exception as error:  # the call's outcome stands; the operator learns the log is failing
            log.warning("could not write to the audit log (%s): %s", self.destination, type(error).__name__)

    def close(self) -> None:
        self._close()


def _writer(descriptor: int) -> Callable[[str], Awaitable[None]]:
    async def write(line: str) -> None:
        os.write(descriptor, (line + "\n").encode())  # one write per line: appends from workers do not interleave

    return write
