"""Models of what the Chatwoot server really sends (unknown fields are kept)."""

from chatwoot_client.types._base import ChatwootModel, Timestamp
from chatwoot_client.types.attachment import (
    Attachment,
    AttachmentList,
    ConversationAttachment,
    DownloadedAttachment,
    MessageFile,
)
from chatwoot_client.types.auth import DeviseSession, SignIn
from chatwoot_client.types.canned_response import CannedResponse
from chatwoot_client.types.contact import Contact, ContactInbox, ContactInboxRef, ContactList
from chatwoot_client.types.conversation import (
    AssigneeType,
    Conversation,
    ConversationAssignee,
    ConversationContact,
    ConversationCounts,
    ConversationList,
    ConversationMeta,
    ConversationPriority,
    ConversationStatus,
    ConversationTeam,
    ConversationToggleStatusResponse,
    SearchResult,
    SortBy,
)
from chatwoot_client.types.directory import Agent, AgentBot, Inbox, Label, Profile, ProfileAccount, Team
from chatwoot_client.types.draft import Draft
from chatwoot_client.types.help_center import Article, ArticleCategory, ArticleList, Portal
from chatwoot_client.types.macro import Macro, MacroAction, MacroVisibility
from chatwoot_client.types.message import Message, MessageContentType, MessageSender, MessageStatus, MessageType
from chatwoot_client.types.report import LiveMetrics, ReportSummary, SummaryMetrics, SummaryRow
from chatwoot_client.types.webhook import Webhook, WebhookEvent, WebhookInbox

__all__ = [
    "Agent",
    "AgentBot",
    "Article",
    "ArticleCategory",
    "ArticleList",
    "AssigneeType",
    "Attachment",
    "AttachmentList",
    "CannedResponse",
    "ChatwootModel",
    "Contact",
    "ContactInbox",
    "ContactInboxRef",
    "ContactList",
    "Conversation",
    "ConversationAssignee",
    "ConversationAttachment",
    "ConversationContact",
    "ConversationCounts",
    "ConversationList",
    "ConversationMeta",
    "ConversationPriority",
    "ConversationStatus",
    "ConversationTeam",
    "ConversationToggleStatusResponse",
    "DeviseSession",
    "DownloadedAttachment",
    "Draft",
    "Inbox",
    "Label",
    "LiveMetrics",
    "Macro",
    "MacroAction",
    "MacroVisibility",
    "Message",
    "MessageContentType",
    "MessageFile",
    "MessageSender",
    "MessageStatus",
    "MessageType",
    "Portal",
    "Profile",
    "ProfileAccount",
    "ReportSummary",
    "SearchResult",
    "SignIn",
    "SortBy",
    "SummaryMetrics",
    "SummaryRow",
    "Team",
    "Timestamp",
    "Webhook",
    "WebhookEvent",
    "WebhookInbox",
]
