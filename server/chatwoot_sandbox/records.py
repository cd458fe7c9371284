"""The records of the sandbox's world: plain dataclasses shaped like Chatwoot's tables, and the enums they use.

The records keep what the real server keeps in its database columns (times are unix seconds as floats, enums are
their string names, message types their integers), so the renderers can produce the same JSON the Rails views do.
Everything here is test-visible: tests may read and change the records directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["administrator", "agent"]
CONVERSATION_STATUSES = ("open", "resolved", "pending", "snoozed")
PRIORITIES = ("low", "medium", "high", "urgent")
MESSAGE_TYPES = {"incoming": 0, "outgoing": 1, "activity": 2, "template": 3}
INCOMING, OUTGOING, ACTIVITY, TEMPLATE = 0, 1, 2, 3
CONTENT_TYPES = (
    "text",
    "input_text",
    "input_textarea",
    "input_email",
    "input_select",
    "cards",
    "form",
    "article",
    "incoming_email",
    "input_csat",
    "integrations",
    "sticker",
    "voice_call",
)


@dataclass
class Account:
    id: int
    name: str
    locale: str = "en"
    status: str = "active"


@dataclass
class AccountUser:
    """A user's membership of one account: the role and availability live here, not on the user."""

    account_id: int
    role: Role
    availability: str = "online"
    auto_offline: bool = True
    active_at: float | None = None
    inviter_id: int | None = None


@dataclass
class User:
    id: int
    name: str
    email: str
    access_token: str
    memberships: dict[int, AccountUser] = field(default_factory=dict)
    display_name: str | None = None
    message_signature: str | None = None
    confirmed: bool = True
    pubsub_token: str = ""
    ui_settings: dict[str, object] = field(default_factory=dict)
    password: str = ""
    """What `POST /auth/sign_in` accepts with the email ("" accepts nothing)."""
    mfa_code: str | None = None
    """MFA is on when set: the one code the sandbox takes in place of the authenticator app's changing one."""
    mfa_backup_codes: list[str] = field(default_factory=list)
    """Backup codes for MFA; each works once."""
    mfa_setup_pending: bool = False
    """Chatwoot requires MFA of this user, who has not set it up: a password sign-in answers 206 `mfa_setup_required`
    (finishing the setup through the API is not emulated)."""

    def role_in(self, account_id: int) -> Role | None:
        membership = self.memberships.get(account_id)
        return membership.role if membership else None

    @property
    def available_name(self) -> str:
        return self.display_name or self.name


@dataclass
class SignInSession:
    """A devise_token_auth token (`user.tokens[client]` in Rails): what the `access-token`, `client` and `uid` headers
    of a signed-in browser name. It stays valid until `expiry` or sign-out."""

    client: str
    access_token: str
    user_id: int
    expiry: float


@dataclass
class MfaChallenge:
    """An `mfa_token` handed out by a password sign-in of a user with MFA on (a JWT in Chatwoot); good until
    `expires_at`, and for any number of tries until then."""

    token: str
    user_id: int
    expires_at: float


@dataclass
class AgentBot:
    id: int
    account_id: int
    name: str
    description: str
    access_token: str
    outgoing_url: str = ""
    bot_type: str = "webhook"


@dataclass
class Team:
    id: int
    account_id: int
    name: str
    description: str
    allow_auto_assign: bool
    member_ids: list[int]
    created_at: float
    updated_at: float


@dataclass
class Inbox:
    id: int
    account_id: int
    name: str
    channel_type: str
    channel_id: int
    member_ids: list[int]
    agent_bot_id: int | None = None
    details: dict[str, object] = field(default_factory=dict)
    """Channel-specific fields of the inbox JSON (website_url, email, phone_number, ...)."""


@dataclass
class Contact:
    id: int
    account_id: int
    name: str
    email: str | None
    phone_number: str | None
    created_at: float
    identifier: str | None = None
    blocked: bool = False
    last_activity_at: float | None = None
    additional_attributes: dict[str, object] = field(default_factory=dict)
    custom_attributes: dict[str, object] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    updated_at: float | None = None
    """None: never updated since `created_at`."""

    @property
    def resolved(self) -> bool:
        """`Contact.resolved_contacts`: has an email, a phone number or an identifier (what index and filter list)."""
        return bool(self.email or self.phone_number or self.identifier)


@dataclass
class ContactInbox:
    id: int
    contact_id: int
    inbox_id: int
    source_id: str
    hmac_verified: bool = False


@dataclass
class CannedResponse:
    id: int
    account_id: int
    short_code: str
    content: str
    created_at: float
    updated_at: float


@dataclass
class Blob:
    """A stored file (Active Storage blob), served at its data_url."""

    key: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Portal:
    """A help center. API paths name it by `slug`."""

    id: int
    account_id: int
    name: str
    slug: str
    header_text: str
    homepage_link: str
    page_title: str
    color: str = "#1f93ff"
    archived: bool = False
    custom_domain: str | None = None
    default_locale: str = "en"
    locales: tuple[str, ...] = ("en",)


@dataclass
class Category:
    id: int
    portal_id: int
    name: str
    slug: str
    locale: str = "en"
    icon: str = ""
    description: str = ""
    position: int = 0


@dataclass
class Article:
    """A help-center article; `content` is markdown. `status` is draft, published or archived."""

    id: int
    account_id: int
    portal_id: int
    category_id: int | None
    title: str
    slug: str
    content: str
    description: str
    status: str
    author_id: int
    created_at: float
    updated_at: float
    locale: str = "en"
    position: int = 0
    views: int = 0


@dataclass
class Label:
    id: int
    account_id: int
    title: str
    description: str
    color: str
    show_on_sidebar: bool = True


@dataclass
class CustomAttributeDefinition:
    id: int
    account_id: int
    attribute_key: str
    attribute_display_name: str
    attribute_display_type: str
    attribute_model: str = "conversation_attribute"


@dataclass
class Message:
    id: int
    account_id: int
    inbox_id: int
    conversation_pk: int
    content: str | None
    message_type: int
    created_at: float
    updated_at: float
    sender_type: str | None = None
    """"User", "Contact" or "AgentBot" (None for activity messages)."""
    sender_id: int | None = None
    content_type: str = "text"
    status: str = "sent"
    private: bool = False
    source_id: str | None = None
    content_attributes: dict[str, object] = field(default_factory=dict)
    echo_id: str | None = None
    external_source_ids: dict[str, object] = field(default_factory=dict)
    additional_attributes: dict[str, object] = field(default_factory=dict)
    attachments: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Conversation:
    """A conversation. `id` is the database key; `display_id` is the per-account number every API path and JSON uses."""

    id: int
    display_id: int
    account_id: int
    inbox_id: int
    contact_id: int
    contact_inbox_id: int
    uuid: str
    created_at: float
    updated_at: float
    last_activity_at: float
    status: str = "open"
    priority: str | None = None
    assignee_id: int | None = None
    assignee_agent_bot_id: int | None = None
    team_id: int | None = None
    campaign_id: int | None = None
    labels: list[str] = field(default_factory=list)
    custom_attributes: dict[str, object] | None = field(default_factory=dict)
    additional_attributes: dict[str, object] = field(default_factory=dict)
    snoozed_until: float | None = None
    agent_last_seen_at: float | None = None
    assignee_last_seen_at: float | None = None
    contact_last_seen_at: float | None = None
    first_reply_created_at: float | None = None
    waiting_since: float | None = None
    messages: list[Message] = field(default_factory=list)
    """Oldest first (by created_at, then id), as `conversation.messages` reads in Rails."""
    participant_ids: list[int] = field(default_factory=list)
    """Watchers (`conversation_participants`), in the order they were added."""
    draft_message: str | None = None
    """The reply box's draft, shared by every agent (Chatwoot keeps it in Redis, not in this table); None: none."""


@dataclass
class Webhook:
    """An account webhook (`webhooks` table): where to POST which events, and the secret that signs them.

    `inbox_id` is stored and echoed but never filters delivery; `secret` is `has_secure_token` (24 base58 chars)."""

    id: int
    account_id: int
    url: str
    subscriptions: list[str]
    secret: str
    name: str | None = None
    inbox_id: int | None = None


@dataclass
class Macro:
    """A saved sequence of actions (`actions`: `{"action_name", "action_params"}` dicts, run in this order).

    `visibility` is "personal", "global", or None: an administrator's create or update without a visibility stores
    NULL, and the macro then drops out of every list (Chatwoot's `set_visibility`)."""

    id: int
    account_id: int
    name: str
    visibility: str | None
    actions: list[dict[str, object]]
    created_by_id: int
    updated_by_id: int
    created_at: float
    updated_at: float
