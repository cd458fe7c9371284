"""Views for the tools that call a client method directly: the method's result (and the call's arguments) in,
the View the tool returns out. Named by the tool rows (`ToolSpec.view`), imported on a tool's first call."""

from __future__ import annotations

from typing import Any

from chatwoot_client.types import Conversation, ConversationList
from chatwoot_mcp.views.conversations import ConversationChange, ConversationDetail, ConversationPage, LabelSet

__all__ = ["change_view", "detail_view", "label_set_view", "page_view"]


def page_view(result: ConversationList, arguments: dict[str, Any]) -> ConversationPage:
    return ConversationPage.of(result)


def detail_view(result: Conversation, arguments: dict[str, Any]) -> ConversationDetail:
    return ConversationDetail.of(result)


def change_view(result: Conversation, arguments: dict[str, Any]) -> ConversationChange:
    return ConversationChange.of(result)


def label_set_view(result: list[str], arguments: dict[str, Any]) -> LabelSet:
    return LabelSet(conversation_id=arguments["conversation_id"], labels=result)
