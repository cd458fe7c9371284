"""The two clients: each is the transport of `_base_client` with the Chatwoot API's resources as attributes."""

from __future__ import annotations

from functools import cached_property

from chatwoot_client._base_client import AsyncAPIClient, SyncAPIClient
from chatwoot_client.resources.attachments import AsyncAttachmentsResource, AttachmentsResource
from chatwoot_client.resources.auth import AsyncAuthResource, AuthResource
from chatwoot_client.resources.bulk_actions import AsyncBulkActionsResource, BulkActionsResource
from chatwoot_client.resources.canned_responses import AsyncCannedResponsesResource, CannedResponsesResource
from chatwoot_client.resources.contacts import AsyncContactsResource, ContactsResource
from chatwoot_client.resources.conversations import AsyncConversationsResource, ConversationsResource
from chatwoot_client.resources.directory import (
    AccountLabelsResource,
    AgentsResource,
    AsyncAccountLabelsResource,
    AsyncAgentsResource,
    AsyncInboxesResource,
    AsyncProfileResource,
    AsyncTeamsResource,
    InboxesResource,
    ProfileResource,
    TeamsResource,
)
from chatwoot_client.resources.help_center import (
    ArticlesResource,
    AsyncArticlesResource,
    AsyncPortalsResource,
    PortalsResource,
)
from chatwoot_client.resources.macros import AsyncMacrosResource, MacrosResource
from chatwoot_client.resources.messages import AsyncMessagesResource, MessagesResource
from chatwoot_client.resources.reports import AsyncReportsResource, ReportsResource
from chatwoot_client.resources.webhooks import AsyncWebhooksResource, WebhooksResource

__all__ = ["AsyncChatwootClient", "ChatwootClient"]


class ChatwootClient(SyncAPIClient):
    """Blocking Chatwoot client.

    >>> with ChatwootClient("https://app.chatwoot.com", api_token="...") as client:
    ...     client.conversations.list(account_id=1, status="open")

    Parameters:
        base_url: the Chatwoot installation, e.g. https://app.chatwoot.com.
        api_token: a user's access token (Profile settings); sent as the `api_access_token` header only.
        timeout: seconds per request.
        max_retries: retries for throttling, 5xx, connection errors and timeouts (writes that are not
            idempotent are retried only when Chatwoot provably did not run them).
        retry_initial_delay, retry_max_delay: exponential backoff bounds in seconds.
        http_client: an httpx2.Client to send through (for custom transports and tests); closed by you.
    """

    @cached_property
    def conversations(self) -> ConversationsResource:
        """Conversations, and their labels as `conversations.labels`."""
        return ConversationsResource(self)

    @cached_property
    def messages(self) -> MessagesResource:
        """A conversation's messages and private notes."""
        return MessagesResource(self)

    @cached_property
    def profile(self) -> ProfileResource:
        """The user the token belongs to."""
        return ProfileResource(self)

    @cached_property
    def agents(self) -> AgentsResource:
        """The account's agents."""
        return AgentsResource(self)

    @cached_property
    def teams(self) -> TeamsResource:
        """The account's teams."""
        return TeamsResource(self)

    @cached_property
    def inboxes(self) -> InboxesResource:
        """The account's inboxes."""
        return InboxesResource(self)

    @cached_property
    def labels(self) -> AccountLabelsResource:
        """The labels defined in the account."""
        return AccountLabelsResource(self)

    @cached_property
    def contacts(self) -> ContactsResource:
        """Contacts (customers), and their labels as `contacts.labels`."""
        return ContactsResource(self)

    @cached_property
    def canned_responses(self) -> CannedResponsesResource:
        """The account's canned responses (saved replies)."""
        return CannedResponsesResource(self)

    @cached_property
    def attachments(self) -> AttachmentsResource:
        """Attachment files, downloaded from the Chatwoot host only and bounded by size."""
        return AttachmentsResource(self)

    @cached_property
    def portals(self) -> PortalsResource:
        """Help-center portals."""
        return PortalsResource(self)

    @cached_property
    def articles(self) -> ArticlesResource:
        """Help-center articles: list, search, get."""
        return ArticlesResource(self)

    @cached_property
    def auth(self) -> AuthResource:
        """Signing in as a person (email, password, MFA) for a session; never sends the API token."""
        return AuthResource(self)

    @cached_property
    def macros(self) -> MacrosResource:
        """Macros: saved action sequences, run on conversations in the background."""
        return MacrosResource(self)

    @cached_property
    def webhooks(self) -> WebhooksResource:
        """Account webhooks (administrators only): where Chatwoot POSTs events, signed with each one's secret."""
        return WebhooksResource(self)

    @cached_property
    def bulk_actions(self) -> BulkActionsResource:
        """Changes to many conversations in one request, applied in the background."""
        return BulkActionsResource(self)

    @cached_property
    def reports(self) -> ReportsResource:
        """Reports: the queue now, and summaries over a period (administrators only)."""
        return ReportsResource(self)


class AsyncChatwootClient(AsyncAPIClient):
    """Async Chatwoot client; the same API as `ChatwootClient`, awaited.

    >>> async with AsyncChatwootClient("https://app.chatwoot.com", api_token="...") as client:
    ...     await client.conversations.list(account_id=1, status="open")

    Parameters: as `ChatwootClient`, with `http_client` an httpx2.AsyncClient.
    """

    @cached_property
    def conversations(self) -> AsyncConversationsResource:
        """Conversations, and their labels as `conversations.labels`."""
        return AsyncConversationsResource(self)

    @cached_property
    def messages(self) -> AsyncMessagesResource:
        """A conversation's messages and private notes."""
        return AsyncMessagesResource(self)

    @cached_property
    def profile(self) -> AsyncProfileResource:
        """The user the token belongs to."""
        return AsyncProfileResource(self)

    @cached_property
    def agents(self) -> AsyncAgentsResource:
        """The account's agents."""
        return AsyncAgentsResource(self)

    @cached_property
    def teams(self) -> AsyncTeamsResource:
        """The account's teams."""
        return AsyncTeamsResource(self)

    @cached_property
    def inboxes(self) -> AsyncInboxesResource:
        """The account's inboxes."""
        return AsyncInboxesResource(self)

    @cached_property
    def labels(self) -> AsyncAccountLabelsResource:
        """The labels defined in the account."""
        return AsyncAccountLabelsResource(self)

    @cached_property
    def contacts(self) -> AsyncContactsResource:
        """Contacts (customers), and their labels as `contacts.labels`."""
        return AsyncContactsResource(self)

    @cached_property
    def canned_responses(self) -> AsyncCannedResponsesResource:
        """The account's canned responses (saved replies)."""
        return AsyncCannedResponsesResource(self)

    @cached_property
    def attachments(self) -> AsyncAttachmentsResource:
        """Attachment files, downloaded from the Chatwoot host only and bounded by size."""
        return AsyncAttachmentsResource(self)

    @cached_property
    def portals(self) -> AsyncPortalsResource:
        """Help-center portals."""
        return AsyncPortalsResource(self)

    @cached_property
    def articles(self) -> AsyncArticlesResource:
        """Help-center articles: list, search, get."""
        return AsyncArticlesResource(self)

    @cached_property
    def auth(self) -> AsyncAuthResource:
        """Signing in as a person (email, password, MFA) for a session; never sends the API token."""
        return AsyncAuthResource(self)

    @cached_property
    def macros(self) -> AsyncMacrosResource:
        """Macros: saved action sequences, run on conversations in the background."""
        return AsyncMacrosResource(self)

    @cached_property
    def webhooks(self) -> AsyncWebhooksResource:
        """Account webhooks (administrators only): where Chatwoot POSTs events, signed with each one's secret."""
        return AsyncWebhooksResource(self)

    @cached_property
    def bulk_actions(self) -> AsyncBulkActionsResource:
        """Changes to many conversations in one request, applied in the background."""
        return AsyncBulkActionsResource(self)

    @cached_property
    def reports(self) -> AsyncReportsResource:
        """Reports: the queue now, and summaries over a period (administrators only)."""
        return AsyncReportsResource(self)
