"""An async and sync client for Chatwoot's Application API, correct against the real server.

>>> from chatwoot_client import AsyncChatwootClient
>>> async with AsyncChatwootClient("https://app.chatwoot.com", api_token="...") as client:
...     page = await client.conversations.list(account_id=1, status="open")
...     await client.conversations.assign(1, page[0].id, assignee_id=7)
"""

from chatwoot_client._client import AsyncChatwootClient, ChatwootClient
from chatwoot_client._exceptions import (
    ChatwootAPIError,
    ChatwootAttachmentError,
    ChatwootAttachmentTooLargeError,
    ChatwootAuthError,
    ChatwootConnectionError,
    ChatwootError,
    ChatwootNotFoundError,
    ChatwootPermissionError,
    ChatwootRateLimitError,
    ChatwootRequestError,
    ChatwootResponseError,
    ChatwootServerError,
    ChatwootTimeoutError,
    ChatwootValidationError,
)
from chatwoot_client._request import APIRequest
from chatwoot_client._retry import RetryPolicy
from chatwoot_client.resources.attachments import AsyncAttachmentsResource, AttachmentsResource
from chatwoot_client.resources.auth import AsyncAuthResource, AuthResource
from chatwoot_client.resources.bulk_actions import AsyncBulkActionsResource, BulkActionsResource
from chatwoot_client.resources.canned_responses import AsyncCannedResponsesResource, CannedResponsesResource
from chatwoot_client.resources.contacts import (
    AsyncContactLabelsResource,
    AsyncContactsResource,
    ContactLabelsResource,
    ContactsResource,
)
from chatwoot_client.resources.conversations import AsyncConversationsResource, ConversationsResource
from chatwoot_client.resources.drafts import AsyncConversationDraftResource, ConversationDraftResource
from chatwoot_client.resources.help_center import (
    ArticlesResource,
    AsyncArticlesResource,
    AsyncPortalsResource,
    PortalsResource,
)
from chatwoot_client.resources.labels import AsyncConversationLabelsResource, ConversationLabelsResource
from chatwoot_client.resources.macros import AsyncMacrosResource, MacrosResource
from chatwoot_client.resources.messages import AsyncMessagesResource, MessagesResource
from chatwoot_client.resources.participants import (
    AsyncConversationParticipantsResource,
    ConversationParticipantsResource,
)
from chatwoot_client.resources.reports import AsyncReportsResource, ReportsResource
from chatwoot_client.resources.webhooks import AsyncWebhooksResource, WebhooksResource

__all__ = [
    "APIRequest",
    "ArticlesResource",
    "AsyncArticlesResource",
    "AsyncAttachmentsResource",
    "AsyncAuthResource",
    "AsyncBulkActionsResource",
    "AsyncCannedResponsesResource",
    "AsyncChatwootClient",
    "AsyncContactLabelsResource",
    "AsyncContactsResource",
    "AsyncConversationDraftResource",
    "AsyncConversationLabelsResource",
    "AsyncConversationParticipantsResource",
    "AsyncConversationsResource",
    "AsyncMacrosResource",
    "AsyncMessagesResource",
    "AsyncPortalsResource",
    "AsyncReportsResource",
    "AsyncWebhooksResource",
    "AttachmentsResource",
    "AuthResource",
    "BulkActionsResource",
    "CannedResponsesResource",
    "ChatwootAPIError",
    "ChatwootAttachmentError",
    "ChatwootAttachmentTooLargeError",
    "ChatwootAuthError",
    "ChatwootClient",
    "ChatwootConnectionError",
    "ChatwootError",
    "ChatwootNotFoundError",
    "ChatwootPermissionError",
    "ChatwootRateLimitError",
    "ChatwootRequestError",
    "ChatwootResponseError",
    "ChatwootServerError",
    "ChatwootTimeoutError",
    "ChatwootValidationError",
    "ContactLabelsResource",
    "ContactsResource",
    "ConversationDraftResource",
    "ConversationLabelsResource",
    "ConversationParticipantsResource",
    "ConversationsResource",
    "MacrosResource",
    "MessagesResource",
    "PortalsResource",
    "ReportsResource",
    "RetryPolicy",
    "WebhooksResource",
]
