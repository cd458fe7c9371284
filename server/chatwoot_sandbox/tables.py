"""The sandbox's tables: its records by id, one dict per Chatwoot table, and the lookups over them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chatwoot_sandbox.records import (
    Account,
    AgentBot,
    Article,
    Blob,
    CannedResponse,
    Category,
    Contact,
    ContactInbox,
    Conversation,
    CustomAttributeDefinition,
    Inbox,
    Label,
    Macro,
    MfaChallenge,
    Portal,
    SignInSession,
    Team,
    User,
    Webhook,
)


@dataclass
class Tables:
    """The records the demo data fills in and the endpoints read and write; `SandboxState` adds the test hooks."""

    accounts: dict[int, Account] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    agent_bots: dict[int, AgentBot] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    inboxes: dict[int, Inbox] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    contact_inboxes: dict[int, ContactInbox] = field(default_factory=dict)
    labels: dict[int, Label] = field(default_factory=dict)
    canned_responses: dict[int, CannedResponse] = field(default_factory=dict)
    portals: dict[int, Portal] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    articles: dict[int, Article] = field(default_factory=dict)
    blobs: dict[str, Blob] = field(default_factory=dict)
    maximum_file_upload_size: int = 40
    """The installation config MAXIMUM_FILE_UPLOAD_SIZE (MB): the web widget's cap on one file."""
    custom_attribute_definitions: dict[int, CustomAttributeDefinition] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    macros: dict[int, Macro] = field(default_factory=dict)
    webhooks: dict[int, Webhook] = field(default_factory=dict)
    next_message_id: int = 1
    sessions: dict[str, SignInSession] = field(default_factory=dict)
    """Signed-in sessions (devise tokens) by their `client` id; sign-out removes one."""
    mfa_challenges: dict[str, MfaChallenge] = field(default_factory=dict)
    """Issued `mfa_token`s by their value."""

    # -- lookups -----------------------------------------------------------------------------------------------

    def conversation(self, account_id: int, display_id: int) -> Conversation:
        """The conversation with this display id in this account; KeyError if there is none."""
        found = self.find_conversation(account_id, display_id)
        if found is None:
            raise KeyError((account_id, display_id))
        return found

    def find_conversation(self, account_id: int, display_id: int) -> Conversation | None:
        for conversation in self.conversations.values():
            if conversation.account_id == account_id and conversation.display_id == display_id:
                return conversation
        return None

    def account_conversations(self, account_id: int) -> list[Conversation]:
        return [c for c in self.conversations.values() if c.account_id == account_id]

    def account_users(self, account_id: int) -> list[User]:
        return [u for u in self.users.values() if account_id in u.memberships]

    def account_teams(self, account_id: int) -> list[Team]:
        return [t for t in self.teams.values() if t.account_id == account_id]

    def account_inboxes(self, account_id: int) -> list[Inbox]:
        return [i for i in self.inboxes.values() if i.account_id == account_id]

    def account_labels(self, account_id: int) -> list[Label]:
        return [label for label in self.labels.values() if label.account_id == account_id]

    def custom_attribute(self, account_id: int, key: str) -> CustomAttributeDefinition | None:
        for definition in self.custom_attribute_definitions.values():
            if (
                definition.account_id == account_id
                and definition.attribute_key == key
                and definition.attribute_model == "conversation_attribute"
            ):
                return definition
        return None

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def next_id(self, table: Mapping[int, object]) -> int:
        return max(table, default=0) + 1
