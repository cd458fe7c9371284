"""The contacts toolset: who is involved in a conversation: the customer (their profile and labels) and the agents
watching it."""

from __future__ import annotations

from chatwoot_mcp.guards.contacts import add_contact_labels, get_contact, remove_contact_labels, search_contacts
from chatwoot_mcp.guards.participants import add_participants, list_participants
from chatwoot_mcp.registry import ToolSpec

TOOLS = [
    ToolSpec("search_contacts", "Search contacts", search_contacts, "contacts", read_only=True, idempotent=True),
    ToolSpec("get_contact", "Get a contact", get_contact, "contacts", read_only=True, idempotent=True),
    ToolSpec(
        "add_contact_labels", "Add contact labels", add_contact_labels, "contacts",
        read_only=False, idempotent=True, verify_with="get_contact",
    ),
    ToolSpec(
        "remove_contact_labels", "Remove contact labels", remove_contact_labels, "contacts",
        read_only=False, idempotent=True, verify_with="get_contact",
    ),
    ToolSpec(
        "list_participants", "List participants", list_participants, "contacts", read_only=True, idempotent=True,
    ),
    ToolSpec(
        "add_participants", "Add participants", add_participants, "contacts",
        read_only=False, idempotent=True, verify_with="list_participants",
    ),
]  # fmt: skip
