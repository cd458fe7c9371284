"""The contacts toolset: who is involved in a conversation: the customer (their profile and labels) and the agents
watching it."""

from chatwoot_mcp.surface.spec import ToolSpec

CONTACTS = "chatwoot_mcp.guards.contacts"
PARTICIPANTS = "chatwoot_mcp.guards.participants"

TOOLS = [
    ToolSpec(
        "search_contacts", "Search contacts", f"{CONTACTS}:search_contacts", "contacts",
        read_only=True, idempotent=True,
    ),
    ToolSpec("get_contact", "Get a contact", f"{CONTACTS}:get_contact", "contacts", read_only=True, idempotent=True),
    ToolSpec(
        "add_contact_labels", "Add contact labels", f"{CONTACTS}:add_contact_labels", "contacts",
        read_only=False, idempotent=True, verify_with="get_contact",
    ),
    ToolSpec(
        "remove_contact_labels", "Remove contact labels", f"{CONTACTS}:remove_contact_labels", "contacts",
        read_only=False, idempotent=True, verify_with="get_contact",
    ),
    ToolSpec(
        "list_participants", "List participants", f"{PARTICIPANTS}:list_participants", "contacts",
        read_only=True, idempotent=True,
    ),
    ToolSpec(
        "add_participants", "Add participants", f"{PARTICIPANTS}:add_participants", "contacts",
        read_only=False, idempotent=True, verify_with="list_participants",
    ),
]  # fmt: skip
