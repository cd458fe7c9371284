"""The OAuth scopes a user grants, and which tools each one lets a host list and call.

Three scopes, each meaning something a support agent can weigh on a consent page: reading, changing things inside
Chatwoot, and writing to the customer. A tool needs exactly one of them, read off its declaration.
"""

from __future__ import annotations

from collections.abc import Iterable

from chatwoot_mcp.surface.spec import ToolSpec

__all__ = ["READ", "SCOPES", "SEND", "WRITE", "scope_needed", "scopes_text"]

READ = "chatwoot:read"
WRITE = "chatwoot:write"
SEND = "chatwoot:send"

SCOPES: dict[str, str] = {
    READ: "Read conversations, messages, contacts, labels and the team's saved replies and articles",
    WRITE: "Change conversations inside Chatwoot: assign, label, set status and priority, add private notes",
    SEND: "Write to customers: send replies and start conversations they will see",
}
"""Every scope, in the order a consent page lists them, with the plain words it shows."""


def scope_needed(spec: ToolSpec) -> str:
    """The scope a tool needs: what the customer sees needs `chatwoot:send`, other writes `chatwoot:write`."""
    if spec.read_only:
        return READ
    return SEND if spec.customer_visible else WRITE


def scopes_text(scopes: Iterable[str]) -> str:
    """Scopes as OAuth writes them (space-separated), in SCOPES' order."""
    wanted = set(scopes)
    return " ".join(scope for scope in SCOPES if scope in wanted)
