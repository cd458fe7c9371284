"""The sandbox's in-memory world: plain records shaped like Chatwoot's tables, and the `SandboxState` that holds them.

The records keep what the real server keeps in its database columns (times are unix seconds as floats, enums are
their string names, message types their integers), so the renderers can produce the same JSON the Rails views do.
Everything here is test-visible: tests may read and change the records directly.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Literal, overload

from starlette.datastructures import QueryParams

Role = Literal["administrator", "agent"]
DEFAULT_REQUEST_LOG_SIZE = 10_000
"""How many requests `SandboxState.requests` keeps (about 1.4 KB each) unless told otherwise."""
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

    def role_in(self, account_id: int) -> Role | None:
        membership = self.memberships.get(account_id)
        return membership.role if membership else None

    @property
    def available_name(self) -> str:
        return self.display_name or self.name


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


@dataclass
class RecordedRequest:
    """One request the app received, recorded before anything else looks at it (faults included)."""

    method: str
    path: str
    query: QueryParams
    json: object | None
    headers: dict[str, str]
    body: bytes = b""
    status: int | None = None
    """The status the app answered with (filled in once the response is known)."""


@dataclass(frozen=True)
class WriteRecord:
    """One write the API accepted, and who made it (Chatwoot keeps this as audit logs and activity messages)."""

    at: float
    actor_type: str
    """"User" or "AgentBot"."""
    actor_id: int
    account_id: int | None
    method: str
    path: str


class RequestLog(Sequence[RecordedRequest]):
    """The most recent requests, oldest first, in a ring buffer of `maxlen` (None: unbounded; 0: keeps none).

    Reads like the list it replaces: `len`, iteration, `log[-1]`, `log[n:]` (a list) and `log == []` all work.
    Once full, each new request pushes out the oldest and `len` stops growing, so to count requests across the
    bound take `mark = log.total` and later `log.since(mark)`.
    """

    def __init__(self, records: Iterable[RecordedRequest] = (), maxlen: int | None = DEFAULT_REQUEST_LOG_SIZE) -> None:
        if maxlen is not None and maxlen < 0:
            raise ValueError(f"maxlen must be None or >= 0, got {maxlen}")
        self._records: deque[RecordedRequest] = deque(maxlen=maxlen)
        self.total = 0
        """How many requests were ever appended, including those pushed out since."""
        for record in records:
            self.append(record)

    @property
    def maxlen(self) -> int | None:
        return self._records.maxlen

    def append(self, record: RecordedRequest) -> None:
        self._records.append(record)
        self.total += 1

    def clear(self) -> None:
        """Forget the kept requests (`total` keeps counting)."""
        self._records.clear()

    def since(self, mark: int) -> list[RecordedRequest]:
        """The requests appended after `total` was `mark`, as far as they are still kept."""
        return self[max(len(self._records) - (self.total - mark), 0) :] if self.total > mark else []

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self._records)

    def __reversed__(self) -> Iterator[RecordedRequest]:
        return reversed(self._records)

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> list[RecordedRequest]: ...
    def __getitem__(self, index: int | slice) -> RecordedRequest | list[RecordedRequest]:
        if not isinstance(index, slice):
            return self._records[index]
        size = len(self._records)
        start, stop, step = index.indices(size)
        if step < 0:
            return list(self._records)[index]
        if start >= stop:
            return []
        if step == 1 and start > size // 2:  # a recent tail (`log[seen:]`): walk from the newest end
            tail = list(islice(reversed(self._records), size - stop, size - start))
            tail.reverse()
            return tail
        return list(islice(self._records, start, stop, step))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RequestLog):
            return list(self._records) == list(other._records)
        if isinstance(other, list):
            return list(self._records) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like list

    def __repr__(self) -> str:
        return f"RequestLog({list(self._records)!r}, maxlen={self.maxlen})"


@dataclass
class Fault:
    """A planned failure: the next `times` requests matching `method`/`path_contains` get `status` instead.

    `body` (with `content_type`) replaces the usual answer for the status; see `SandboxState.inject_fault`.
    """

    status: int
    times: int = 1
    method: str | None = None
    path_contains: str | None = None
    delay: float = 0.0
    retry_after: str | None = None
    after_handling: bool = False
    body: object = None
    content_type: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_contains is None or self.path_contains in path


@dataclass
class SandboxState:
    """All of the sandbox's data, plus the test hooks (`requests`, `inject_fault`, `clock`).

    Build one with `SandboxState.demo()` (the deterministic demo support queue) or `SandboxState.empty()`
    (the same accounts, people, inboxes, teams, labels and contacts, but no conversations).

    `requests` keeps the latest `request_log_size` requests (default 10,000; None keeps all, 0 none), so a
    long-running sandbox does not grow without bound.
    """

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
    custom_attribute_definitions: dict[int, CustomAttributeDefinition] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    request_log_size: int | None = DEFAULT_REQUEST_LOG_SIZE
    requests: RequestLog = field(init=False, repr=False)
    faults: list[Fault] = field(default_factory=list)
    writes: list[WriteRecord] = field(default_factory=list)
    """Every accepted write (non-GET) with the user or bot whose token made it, oldest first."""
    clock: Callable[[], float] = time.time
    next_message_id: int = 1
    blank_contact_search_is_422: bool = False
    """How `GET /contacts/search` answers a blank `q`. Unverified: the Rails guard's precedence most likely makes
    it 200 `{"meta": {"count": null, "current_page": 1, "has_more": null}, "payload": []}` (the default here);
    the swagger implies 422 `{"error": "Specify search string with parameter q"}` (True)."""

    def __post_init__(self) -> None:
        self.requests = RequestLog(maxlen=self.request_log_size)

    @classmethod
    def demo(cls, *, request_log_size: int | None = DEFAULT_REQUEST_LOG_SIZE) -> SandboxState:
        """The demo world: two accounts, ~100 conversations in account 1. The same data on every call."""
        from chatwoot_sandbox.seed import build_demo_state

        return build_demo_state(with_conversations=True, request_log_size=request_log_size)

    @classmethod
    def empty(cls, *, request_log_size: int | None = DEFAULT_REQUEST_LOG_SIZE) -> SandboxState:
        """The demo world's accounts, users, bot, inboxes, teams, labels and contacts, without any conversation."""
        from chatwoot_sandbox.seed import build_demo_state

        return build_demo_state(with_conversations=False, request_log_size=request_log_size)

    # -- test hooks --------------------------------------------------------------------------------------------

    def inject_fault(
        self,
        status: int,
        *,
        times: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        delay: float = 0.0,
        retry_after: str | None = None,
        after_handling: bool = False,
        body: object = None,
        content_type: str | None = None,
    ) -> Fault:
        """Answer the next `times` matching requests with `status` instead of handling them.

        429 answers like rack-attack (`text/plain` `Retry later\\n`, no Retry-After unless `retry_after` is given);
        5xx answers a Rails-like HTML error page; 2xx an empty body; anything else `{"error": <reason>}`. `delay`
        seconds pass before the answer. With `after_handling` the request is handled first (a write is applied) and
        only its response is replaced: the "request reached the server but the response was lost" case. Any status
        works either way.

        `body` replaces that answer: a str or bytes is sent as it is (`content_type` defaults to text/plain), any
        other value as JSON (`{}`, `[]`, `3`...). To send JSON `null`, pass `body="null"` with
        `content_type="application/json"`. For example, a proxy's login page in place of a stored message::

            state.inject_fault(200, body="<html>Sign in</html>", content_type="text/html", after_handling=True)
        """
        fault = Fault(status, times, method, path_contains, delay, retry_after, after_handling, body, content_type)
        self.faults.append(fault)
        return fault

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault that matches this request, if any."""
        for fault in self.faults:
            if fault.times > 0 and fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

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
