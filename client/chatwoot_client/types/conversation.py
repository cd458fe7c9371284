"""Conversations and the small records inside them, shaped like the server's jbuilder views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field

from chatwoot_client.types._base import ChatwootModel, Timestamp
from chatwoot_client.types.message import Message

__all__ = [
    "AssigneeType",
    "Conversation",
    "ConversationAssignee",
    "ConversationContact",
    "ConversationCounts",
    "ConversationList",
    "ConversationMeta",
    "ConversationPriority",
    "ConversationStatus",
    "ConversationTeam",
    "ConversationToggleStatusResponse",
    "SearchResult",
    "SortBy",
]

ConversationStatus = Literal["open", "resolved", "pending", "snoozed"]
ConversationPriority = Literal["low", "medium", "high", "urgent"]
AssigneeType = Literal["all", "me", "unassigned", "assigned"]
SortBy = Literal[
    "last_activity_at_desc",
    "last_activity_at_asc",
    "created_at_desc",
    "created_at_asc",
    "priority_desc",
    "priority_asc",
    "waiting_since_desc",
    "waiting_since_asc",
]

PAGE_SIZE = 25


class ConversationContact(ChatwootModel):
    """The customer a conversation is with (`meta.sender`)."""

    id: int
    name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    identifier: str | None = None
    blocked: bool = False


class ConversationAssignee(ChatwootModel):
    """The agent (or agent bot) a conversation is assigned to."""

    id: int
    name: str
    email: str | None = None
    available_name: str | None = None
    role: str | None = None


class ConversationTeam(ChatwootModel):
    """The team a conversation is assigned to."""

    id: int
    name: str
    description: str | None = None


class ConversationMeta(ChatwootModel):
    """Who the conversation is with and who holds it. `assignee` and `team` are absent when unset."""

    sender: ConversationContact | None = None
    channel: str | None = None
    assignee: ConversationAssignee | None = None
    assignee_type: str | None = None
    team: ConversationTeam | None = None
    hmac_verified: bool | None = None


class Conversation(ChatwootModel):
    """A conversation. `id` is the per-account display id shown in the Chatwoot UI and used in every URL."""

    id: int
    account_id: int
    inbox_id: int
    status: ConversationStatus
    priority: ConversationPriority | None = None
    labels: list[str] = Field(default_factory=list)
    meta: ConversationMeta = Field(default_factory=ConversationMeta)
    messages: list[Message] = Field(default_factory=list)
    last_non_activity_message: Message | None = None
    unread_count: int = 0
    muted: bool = False
    can_reply: bool = True
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    additional_attributes: dict[str, Any] = Field(default_factory=dict)
    snoozed_until: Timestamp = None
    created_at: Timestamp = None
    updated_at: Timestamp = None
    timestamp: Timestamp = None
    last_activity_at: Timestamp = None
    waiting_since: Timestamp = None
    first_reply_created_at: Timestamp = None
    agent_last_seen_at: Timestamp = None
    contact_last_seen_at: Timestamp = None

    @property
    def assignee_id(self) -> int | None:
        """The assigned agent's id, or None."""
        return self.meta.assignee.id if self.meta.assignee else None

    @property
    def team_id(self) -> int | None:
        """The assigned team's id, or None."""
        return self.meta.team.id if self.meta.team else None

    @property
    def contact(self) -> ConversationContact | None:
        """The customer."""
        return self.meta.sender


class ConversationCounts(ChatwootModel):
    """The four counts Chatwoot returns with every list, for the list's filters except `assignee_type`.

    Reads like the SDK's dict too: `counts["mine_count"]`, `counts.get("all_count")`, `dict(counts.items())`.
    """

    mine_count: int = 0
    assigned_count: int = 0
    unassigned_count: int = 0
    all_count: int = 0

    def __getitem__(self, key: str) -> int:
        if key not in type(self).model_fields:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in type(self).model_fields else default

    def keys(self) -> list[str]:
        return list(type(self).model_fields)

    def items(self) -> list[tuple[str, int]]:
        return [(key, getattr(self, key)) for key in type(self).model_fields]

    def total_for(self, assignee_type: str) -> int:
        """How many conversations the list holds in all, for the `assignee_type` it was asked with."""
        return {
            "me": self.mine_count,
            "assigned": self.assigned_count,
            "unassigned": self.unassigned_count,
        }.get(assignee_type, self.all_count)


class ConversationList(list[Conversation]):
    """One page (at most 25) of conversations; a plain list, plus the counts and paging the server sent."""

    def __init__(
        self, conversations: Iterable[Conversation], *, counts: ConversationCounts, page: int, total: int
    ) -> None:
        super().__init__(conversations)
        self.counts = counts
        self.page = page
        self.total = total

    @property
    def has_more(self) -> bool:
        """Whether a later page holds more conversations."""
        return self.page * PAGE_SIZE < self.total


class ConversationToggleStatusResponse(ChatwootModel):
    """What toggle_status answers. `success` is None when a bot hands a pending conversation to a human."""

    success: bool | None = None
    conversation_id: int | None = None
    current_status: ConversationStatus
    snoozed_until: Timestamp = None


class SearchResult(ChatwootModel):
    """A conversation found by full-text search, with only the messages whose content matched."""

    id: int
    account_id: int | None = None
    created_at: Timestamp = None
    contact: ConversationContact | None = None
    inbox: dict[str, Any] | None = None
    messages: list[dict[str, Any]] = Field(default_factory=list)
