"""Conversations: list, read, create, update, assign, change status, count, search and filter.

Written against the real Chatwoot server rather than its SDK: PATCH only changes `priority`, so status goes
through toggle_status and assignment through /assignments; every call that changes a conversation returns
it fresh from the server.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from
from chatwoot_client.resources._conversation_ops import (
    FilterCondition,
    ListStatus,
    assign_op,
    assign_team_op,
    attachments_op,
    create_op,
    custom_attributes_op,
    filter_op,
    get_counts_op,
    get_op,
    list_op,
    search_op,
    set_priority_op,
    toggle_status_op,
    update_op,
)
from chatwoot_client.resources.drafts import AsyncConversationDraftResource, ConversationDraftResource
from chatwoot_client.resources.labels import AsyncConversationLabelsResource, ConversationLabelsResource
from chatwoot_client.resources.participants import (
    AsyncConversationParticipantsResource,
    ConversationParticipantsResource,
)
from chatwoot_client.types import (
    AssigneeType,
    AttachmentList,
    Conversation,
    ConversationCounts,
    ConversationList,
    ConversationPriority,
    ConversationStatus,
    ConversationToggleStatusResponse,
    SearchResult,
    SortBy,
)

__all__ = ["AsyncConversationsResource", "ConversationsResource"]


class AsyncConversationsResource(AsyncResource):
    """Conversations of an account (async). Labels are at `.labels`, watchers at `.participants`, the reply box's
    draft at `.draft`."""

    @cached_property
    def labels(self) -> AsyncConversationLabelsResource:
        """A conversation's labels."""
        return AsyncConversationLabelsResource(self._client)

    @cached_property
    def participants(self) -> AsyncConversationParticipantsResource:
        """A conversation's participants (watchers)."""
        return AsyncConversationParticipantsResource(self._client)

    @cached_property
    def draft(self) -> AsyncConversationDraftResource:
        """A conversation's draft reply, shared by its agents."""
        return AsyncConversationDraftResource(self._client)

    async def list(
        self,
        account_id: int,
        status: ListStatus = "open",
        assignee_type: AssigneeType = "all",
        page: int = 1,
        inbox_id: int | None = None,
        team_id: int | None = None,
        labels: list[str] | None = None,
        q: str | None = None,
        *,
        sort_by: SortBy | None = None,
    ) -> ConversationList:
        """List conversations, 25 per page, newest activity first.

        The result is a list that also carries `counts` (mine/assigned/unassigned/all, computed before the
        assignee filter), `total` and `has_more`.

        Parameters
        ----------
        account_id
            The account ID.
        status
            "all": any status. Ignored with `q`.
        assignee_type
            "me": assigned to you.
        page
            From 1.
        inbox_id
            Only this inbox.
        team_id
            Only this team.
        labels
            Any of these labels.
        q
            Text in a message.
        sort_by
            Default: newest activity.
        """
        return await self._client.run(
            list_op(account_id, status, assignee_type, page, inbox_id, team_id, labels, q, sort_by)
        )

    async def get(self, account_id: int, conversation_id: int) -> Conversation:
        """Get one conversation: contact, assignee, team, labels, last message.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's number as shown in Chatwoot (its display id).
        """
        return await self._client.run(get_op(account_id, conversation_id))

    async def attachments(self, account_id: int, conversation_id: int, page: int = 1) -> AttachmentList:
        """List a conversation's attachments, newest message first, 100 a page, with their total count.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's number as shown in Chatwoot (its display id).
        page
            Page number, from 1.
        """
        return await self._client.run(attachments_op(account_id, conversation_id, page))

    async def create(
        self,
        account_id: int,
        source_id: str | None,
        inbox_id: int,
        contact_id: int | None = None,
        **kwargs: Any,
    ) -> Conversation:
        """Create a conversation in an inbox, for a contact. Never retried once it may have reached Chatwoot.

        Parameters
        ----------
        account_id
            The account ID.
        source_id
            The contact's id within the inbox (contact inbox source id); may be None when `contact_id` is given.
        inbox_id
            The inbox to create the conversation in.
        contact_id
            The contact the conversation is with.
        **kwargs
            Optional fields: status, assignee_id, team_id, message (first outgoing message text),
            custom_attributes, additional_attributes, snoozed_until.
        """
        return await self._client.run(create_op(account_id, source_id, inbox_id, contact_id, kwargs))

    async def update(
        self,
        account_id: int,
        conversation_id: int,
        status: ConversationStatus | None = None,
        assignee_id: int | None = None,
        team_id: int | None = None,
        *,
        priority: ConversationPriority | None = None,
        snoozed_until: datetime | int | None = None,
        **kwargs: Any,
    ) -> Conversation:
        """Change a conversation's status, assignee, team or priority, and return it as it now is.

        Each change goes to the endpoint that really applies it (toggle_status, assignments, PATCH); fields
        left as None are not changed. To unassign, use `assign(..., assignee_id=None)`.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        status
            New status.
        assignee_id
            Agent to assign.
        team_id
            Team to assign.
        priority
            New priority.
        snoozed_until
            With status "snoozed": when it reopens (datetime or unix seconds).
        """
        return await self._client.run(
            update_op(account_id, conversation_id, status, assignee_id, team_id, priority, snoozed_until, kwargs)
        )

    async def assign(self, account_id: int, conversation_id: int, assignee_id: int | None) -> Conversation:
        """Assign a conversation to an agent, or unassign it with None; returns the updated conversation.

        Chatwoot treats an id that is not an agent of the account as "unassign" without an error.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        assignee_id
            The agent's user id, or None to unassign.
        """
        return await self._client.run(assign_op(account_id, conversation_id, assignee_id))

    async def assign_team(self, account_id: int, conversation_id: int, team_id: int | None) -> Conversation:
        """Assign a conversation to a team, or clear its team with None; returns the updated conversation.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        team_id
            The team id, or None to clear the team.
        """
        return await self._client.run(assign_team_op(account_id, conversation_id, team_id))

    async def toggle_status(
        self,
        account_id: int,
        conversation_id: int,
        status: ConversationStatus,
        *,
        snoozed_until: datetime | int | None = None,
    ) -> ConversationToggleStatusResponse:
        """Set a conversation's status (open, resolved, pending or snoozed).

        Reopening a conversation as an agent-role user assigns it to that user (Chatwoot's own rule).

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        status
            The new status.
        snoozed_until
            With "snoozed": when it reopens (datetime or unix seconds); without it, until the next reply.
        """
        return await self._client.run(toggle_status_op(account_id, conversation_id, status, snoozed_until))

    async def set_priority(
        self, account_id: int, conversation_id: int, priority: ConversationPriority | None
    ) -> Conversation:
        """Set or clear a conversation's priority.

        Returns the updated conversation.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        priority
            null clears it.
        """
        return await self._client.run(set_priority_op(account_id, conversation_id, priority))

    async def get_counts(
        self,
        account_id: int,
        status: ListStatus = "open",
        *,
        inbox_id: int | None = None,
        team_id: int | None = None,
        labels: list[str] | None = None,
        q: str | None = None,
        **filters: Any,
    ) -> ConversationCounts:
        """Count conversations by assignee.

        Parameters
        ----------
        account_id
            The account ID.
        status
            "all": any status.
        inbox_id
            Only this inbox.
        team_id
            Only this team.
        labels
            Any of these labels.
        q
            Text in a message.
        """
        filters |= {"inbox_id": inbox_id, "team_id": team_id, "labels": labels, "q": q}
        return await self._client.run(get_counts_op(account_id, status, filters))

    async def search(self, account_id: int, q: str, page: int = 1) -> list[SearchResult]:
        """Full-text search over message content; each hit lists only the matching messages.

        Parameters
        ----------
        account_id
            The account ID.
        q
            Text to look for in messages (case-insensitive substring).
        page
            Page number, from 1.
        """
        return await self._client.run(search_op(account_id, q, page))

    async def filter(self, account_id: int, payload: list[FilterCondition], page: int = 1) -> ConversationList:
        """Filter conversations with Chatwoot's filter conditions, 25 per page.

        Parameters
        ----------
        account_id
            The account ID.
        payload
            Conditions: {"attribute_key", "filter_operator", "values", "query_operator"} each.
        page
            Page number, from 1.
        """
        return await self._client.run(filter_op(account_id, payload, page))

    async def update_custom_attributes(
        self, account_id: int, conversation_id: int, custom_attributes: dict[str, Any]
    ) -> dict[str, Any]:
        """REPLACE a conversation's custom attributes with exactly this hash; keys left out are deleted.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        custom_attributes
            The complete new set of custom attributes.
        """
        return await self._client.run(custom_attributes_op(account_id, conversation_id, custom_attributes))


class ConversationsResource(SyncResource):
    """Conversations of an account. Labels are at `.labels`, watchers at `.participants`, the reply box's draft at
    `.draft`."""

    @cached_property
    def labels(self) -> ConversationLabelsResource:
        """A conversation's labels."""
        return ConversationLabelsResource(self._client)

    @cached_property
    def participants(self) -> ConversationParticipantsResource:
        """A conversation's participants (watchers)."""
        return ConversationParticipantsResource(self._client)

    @cached_property
    def draft(self) -> ConversationDraftResource:
        """A conversation's draft reply, shared by its agents."""
        return ConversationDraftResource(self._client)

    @docs_from(AsyncConversationsResource.list)
    def list(
        self,
        account_id: int,
        status: ListStatus = "open",
        assignee_type: AssigneeType = "all",
        page: int = 1,
        inbox_id: int | None = None,
        team_id: int | None = None,
        labels: list[str] | None = None,
        q: str | None = None,
        *,
        sort_by: SortBy | None = None,
    ) -> ConversationList:
        return self._client.run(list_op(account_id, status, assignee_type, page, inbox_id, team_id, labels, q, sort_by))

    @docs_from(AsyncConversationsResource.get)
    def get(self, account_id: int, conversation_id: int) -> Conversation:
        return self._client.run(get_op(account_id, conversation_id))

    @docs_from(AsyncConversationsResource.attachments)
    def attachments(self, account_id: int, conversation_id: int, page: int = 1) -> AttachmentList:
        return self._client.run(attachments_op(account_id, conversation_id, page))

    @docs_from(AsyncConversationsResource.create)
    def create(
        self,
        account_id: int,
        source_id: str | None,
        inbox_id: int,
        contact_id: int | None = None,
        **kwargs: Any,
    ) -> Conversation:
        return self._client.run(create_op(account_id, source_id, inbox_id, contact_id, kwargs))

    @docs_from(AsyncConversationsResource.update)
    def update(
        self,
        account_id: int,
        conversation_id: int,
        status: ConversationStatus | None = None,
        assignee_id: int | None = None,
        team_id: int | None = None,
        *,
        priority: ConversationPriority | None = None,
        snoozed_until: datetime | int | None = None,
        **kwargs: Any,
    ) -> Conversation:
        return self._client.run(
            update_op(account_id, conversation_id, status, assignee_id, team_id, priority, snoozed_until, kwargs)
        )

    @docs_from(AsyncConversationsResource.assign)
    def assign(self, account_id: int, conversation_id: int, assignee_id: int | None) -> Conversation:
        return self._client.run(assign_op(account_id, conversation_id, assignee_id))

    @docs_from(AsyncConversationsResource.assign_team)
    def assign_team(self, account_id: int, conversation_id: int, team_id: int | None) -> Conversation:
        return self._client.run(assign_team_op(account_id, conversation_id, team_id))

    @docs_from(AsyncConversationsResource.toggle_status)
    def toggle_status(
        self,
        account_id: int,
        conversation_id: int,
        status: ConversationStatus,
        *,
        snoozed_until: datetime | int | None = None,
    ) -> ConversationToggleStatusResponse:
        return self._client.run(toggle_status_op(account_id, conversation_id, status, snoozed_until))

    @docs_from(AsyncConversationsResource.set_priority)
    def set_priority(
        self, account_id: int, conversation_id: int, priority: ConversationPriority | None
    ) -> Conversation:
        return self._client.run(set_priority_op(account_id, conversation_id, priority))

    @docs_from(AsyncConversationsResource.get_counts)
    def get_counts(
        self,
        account_id: int,
        status: ListStatus = "open",
        *,
        inbox_id: int | None = None,
        team_id: int | None = None,
        labels: list[str] | None = None,
        q: str | None = None,
        **filters: Any,
    ) -> ConversationCounts:
        filters |= {"inbox_id": inbox_id, "team_id": team_id, "labels": labels, "q": q}
        return self._client.run(get_counts_op(account_id, status, filters))

    @docs_from(AsyncConversationsResource.search)
    def search(self, account_id: int, q: str, page: int = 1) -> list[SearchResult]:
        return self._client.run(search_op(account_id, q, page))

    @docs_from(AsyncConversationsResource.filter)
    def filter(self, account_id: int, payload: list[FilterCondition], page: int = 1) -> ConversationList:
        return self._client.run(filter_op(account_id, payload, page))

    @docs_from(AsyncConversationsResource.update_custom_attributes)
    def update_custom_attributes(
        self, account_id: int, conversation_id: int, custom_attributes: dict[str, Any]
    ) -> dict[str, Any]:
        return self._client.run(custom_attributes_op(account_id, conversation_id, custom_attributes))
