"""The contacts toolset: who the customer is, and their labels."""

from __future__ import annotations

from chatwoot_mcp.guards.contacts import add_contact_labels, get_contact, remove_contact_labels, search_contacts
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
]  # fmt: skip
