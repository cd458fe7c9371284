"""The customer behind a conversation: finding contacts, reading one whole, and labelling them safely."""

from __future__ import annotations

import anyio

from chatwoot_client import ChatwootError
from chatwoot_client.types import Contact, Conversation
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.guards.labels import adding, check_labels, removing, rewrite_labels, unwanted
from chatwoot_mcp.views.contacts import ContactDetail, ContactPage
from chatwoot_mcp.views.conversations import LabelChange

__all__ = ["add_contact_labels", "get_contact", "remove_contact_labels", "search_contacts"]


async def search_contacts(tools: ToolContext, account_id: int, q: str, page: int = 1) -> ContactPage:
    """Find customers by name, email, phone or identifier, 15 per page.

    Parameters
    ----------
    q
        e.g. a name or email
    page
        From 1.
    """
    if not q.strip():
        raise Refusal("q is empty: give a name, email, phone number or identifier. Nothing was done.")
    return ContactPage.of(await tools.client.contacts.search(account_id, q.strip(), page))


async def get_contact(
    tools: ToolContext, account_id: int, contact_id: int | None = None, conversation_id: int | None = None
) -> ContactDetail:
    """Who is this customer: profile, labels, attributes and recent conversations (by contact or conversation).

    Parameters
    ----------
    contact_id
        Contact id.
    conversation_id
        Or a conversation of theirs.
    """
    if (contact_id is None) == (conversation_id is None):
        raise Refusal("Pass contact_id or conversation_id (one of them). Nothing was done.")
    if contact_id is None:
        assert conversation_id is not None
        sender = (await tools.client.conversations.get(account_id, conversation_id)).meta.sender
        if sender is None:
            raise Refusal(f"Conversation #{conversation_id} has no contact. Nothing was done.")
        contact_id = sender.id
    found: dict[str, object] = {}

    async def fetch(key: str, call: object) -> None:
        found[key] = await call  # type: ignore[misc]

    # Three independent reads: in parallel, so the answer takes one round trip, not three.
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(fetch, "contact", tools.client.contacts.get(account_id, contact_id))
            group.start_soon(fetch, "labels", tools.client.contacts.labels.list(account_id, contact_id))
            group.start_soon(fetch, "conversations", tools.client.contacts.conversations(account_id, contact_id))
    except BaseExceptionGroup as failed:
        # The reads fail together (an unknown contact is a 404 on all three): say it once, as one read would.
        chatwoot = failed.subgroup(ChatwootError)
        if chatwoot is None:
            raise
        raise _first(chatwoot) from None
    contact, labels, conversations = found["contact"], found["labels"], found["conversations"]
    assert isinstance(contact, Contact) and isinstance(labels, list) and isinstance(conversations, list)
    return ContactDetail.of(contact, labels, [c for c in conversations if isinstance(c, Conversation)])


def _first(group: BaseExceptionGroup[ChatwootError]) -> ChatwootError:
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


async def add_contact_labels(tools: ToolContext, account_id: int, contact_id: int, labels: list[str]) -> LabelChange:
    """Add labels to a contact; the others stay.

    Parameters
    ----------
    contact_id
        Contact id.
    labels
        From list_account_labels.
    """
    wanted = await check_labels(tools, account_id, labels)
    if not wanted:
        raise Refusal("No labels given to add. Nothing was written.")
    store = tools.client.contacts.labels
    return await rewrite_labels(tools, account_id, contact_id, adding(wanted), store=store, kind="contact")


async def remove_contact_labels(tools: ToolContext, account_id: int, contact_id: int, labels: list[str]) -> LabelChange:
    """Remove labels from a contact; the others stay.

    Parameters
    ----------
    contact_id
        Contact id.
    labels
        Labels to remove.
    """
    unwanted_labels = unwanted(labels)
    if not unwanted_labels:
        raise Refusal("No labels given to remove. Nothing was written.")
    store = tools.client.contacts.labels
    return await rewrite_labels(tools, account_id, contact_id, removing(unwanted_labels), store=store, kind="contact")
