"""The conversations toolset: reading, creating, assigning and changing conversations."""

from __future__ import annotations

from typing import Any

from chatwoot_client.types import Conversation, ConversationCounts, ConversationList
from chatwoot_mcp.guards.conversations import (
    assign_conversation,
    create_conversation,
    toggle_status,
    update_conversation,
)
from chatwoot_mcp.registry import ToolSpec
from chatwoot_mcp.views import ConversationDetail, ConversationPage, Counts


def page_view(result: ConversationList, arguments: dict[str, Any]) -> ConversationPage:
    return ConversationPage.of(result)


def detail_view(result: Conversation, arguments: dict[str, Any]) -> ConversationDetail:
    return ConversationDetail.of(result)


def counts_view(result: ConversationCounts, arguments: dict[str, Any]) -> Counts:
    return Counts.of(result)


TOOLS = [
    ToolSpec(
        "list_conversations", "List conversations", "conversations.list", "conversations",
        read_only=True, idempotent=True, view=page_view,
    ),
    ToolSpec(
        "get_conversation", "Get conversation", "conversations.get", "conversations",
        read_only=True, idempotent=True, view=detail_view,
    ),
    ToolSpec(
        "get_counts", "Count conversations", "conversations.get_counts", "conversations",
        read_only=True, idempotent=True, view=counts_view,
    ),
    ToolSpec(
        "create_conversation", "Create conversation", create_conversation, "conversations",
        read_only=False, verify_with="list_conversations",
    ),
    ToolSpec(
        "update_conversation", "Update conversation", update_conversation, "conversations",
        read_only=False, idempotent=True,
    ),
    ToolSpec(
        "assign_conversation", "Assign conversation", assign_conversation, "conversations",
        read_only=False, idempotent=True,
    ),
    ToolSpec(
        "toggle_status", "Set status", toggle_status, "conversations", read_only=False, idempotent=True,
    ),
]  # fmt: skip
