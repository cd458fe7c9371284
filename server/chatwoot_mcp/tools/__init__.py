"""Every tool the server offers, in the order they are listed, grouped into toolsets."""

from chatwoot_mcp.surface.spec import ToolSpec
from chatwoot_mcp.tools import (
    attachments,
    contacts,
    conversations,
    directory,
    events,
    knowledge,
    labels,
    messages,
    reports,
    search,
    supervisor,
)

__all__ = ["ALL_TOOLS", "TOOLSETS"]

TOOLSETS = {
    "conversations": "list, read, create, assign and change the status of conversations",
    "labels": "read a conversation's labels and change them safely",
    "messages": "read a conversation's history and files, add private notes, send confirmed replies to the customer",
    "directory": "list the account's agents, teams, inboxes and labels",
    "search": "full-text search over messages and the advanced conversation filter",
    "contacts": "who the customer is: search contacts, read one with their recent conversations, label them",
    "knowledge": "what the team has written down: canned responses and help-center articles",
    "supervisor": "for team leads: macros, changes to many conversations at once, the queue now and reports",
    "events": "what just happened: new conversations, status, assignment, labels, messages (webhooks or polling)",
}

ALL_TOOLS: list[ToolSpec] = [
    *conversations.TOOLS,
    *search.CONVERSATION_TOOLS,
    *messages.TOOLS,
    *attachments.TOOLS,
    *labels.TOOLS,
    *search.TOOLS,
    *directory.TOOLS,
    *contacts.TOOLS,
    *knowledge.TOOLS,
    *supervisor.TOOLS,
    *reports.TOOLS,
    *events.TOOLS,
]
