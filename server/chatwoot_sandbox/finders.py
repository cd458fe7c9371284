"""Which conversations and messages a request sees: Chatwoot's `ConversationFinder` and `MessageFinder`, in Python.

The order of steps matters and is copied: visibility, then status (skipped when `q` is given), team, labels, `q`,
source_id and conversation_type; then the counts; only then the `assignee_type` narrowing, sorting and paging.
So the counts describe the filtered set before `assignee_type`, as the real list endpoint's counts do.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TypeVar

from starlette.datastructures import QueryParams

from chatwoot_sandbox.errors import not_found
from chatwoot_sandbox.records import ACTIVITY, INCOMING, OUTGOING, PRIORITIES, Article, Contact, Conversation, Message
from chatwoot_sandbox.state import SandboxState

PAGE_SIZE = 25
LATEST_MESSAGES = 20
MESSAGES_AFTER = 100
MESSAGES_BETWEEN = 1000
_RUBY_INT = re.compile(r"\s*([+-]?[0-9]+)")
T = TypeVar("T")


def ruby_to_i(value: object) -> int:
    """Ruby's `String#to_i`: the leading integer, or 0 (so `"abc"` is 0 and `"2x"` is 2).

    A number too long to be any id or count reads as +-10**30: no record has it, as no row has an id beyond
    PostgreSQL's bigint (and Python will not read 4300+ digits from a string).
    """
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    match = _RUBY_INT.match(str(value)) if value is not None else None
    if match is None:
        return 0
    digits = match.group(1)
    if len(digits) > 30:
        return -(10**30) if digits.startswith("-") else 10**30
    return int(digits)


def kaminari_page(value: object) -> int:
    """kaminari's page number: anything below 1 (including non-numbers) is page 1."""
    return max(ruby_to_i(value), 1)


def paginate(items: list[T], page: int, per_page: int = PAGE_SIZE) -> list[T]:
    start = (page - 1) * per_page
    return items[start : start + per_page]


def ilike(pattern: str, text: str | None) -> bool:
    """PostgreSQL `text ILIKE '%pattern%'`. `%` and `_` in the pattern stay wildcards: the server never escapes them."""
    if text is None:
        return False
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.search(regex, text, re.IGNORECASE | re.DOTALL) is not None


def ilike_starts(pattern: str, text: str | None) -> bool:
    """PostgreSQL `text ILIKE 'pattern%'`."""
    if text is None:
        return False
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.match(regex, text, re.IGNORECASE | re.DOTALL) is not None


def split_labels(values: list[str]) -> list[str]:
    """acts-as-taggable-on's parser: join, split on commas, strip, drop blanks, de-duplicate case-insensitively."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip()
            if name and name.lower() not in seen:
                seen.add(name.lower())
                result.append(name)
    return result


# -- visibility -------------------------------------------------------------------------------------------------


def can_see(state: SandboxState, user_id: int | None, conversation: Conversation) -> bool:
    """`ConversationPolicy#show?`: administrators and bots see all; agents their inboxes' and teams' conversations."""
    if user_id is None:
        return True
    user = state.users[user_id]
    if user.role_in(conversation.account_id) == "administrator":
        return True
    if user_id in state.inboxes[conversation.inbox_id].member_ids:
        return True
    team = state.teams.get(conversation.team_id) if conversation.team_id is not None else None
    return team is not None and user_id in team.member_ids


def visible_inbox_ids(state: SandboxState, account_id: int, user_id: int) -> set[int]:
    """`current_user.assigned_inboxes`: all account inboxes for an administrator, member inboxes for an agent."""
    user = state.users[user_id]
    inboxes = state.account_inboxes(account_id)
    if user.role_in(account_id) == "administrator":
        return {i.id for i in inboxes}
    return {i.id for i in inboxes if user_id in i.member_ids}


def visible_conversations(state: SandboxState, account_id: int, user_id: int) -> list[Conversation]:
    return [c for c in state.account_conversations(account_id) if can_see(state, user_id, c)]


# -- conversation list ------------------------------------------------------------------------------------------


@dataclass
class Counts:
    mine_count: int
    assigned_count: int
    unassigned_count: int
    all_count: int

    @classmethod
    def of(cls, conversations: list[Conversation], user_id: int) -> Counts:
        unassigned = sum(1 for c in conversations if c.assignee_id is None)
        return cls(
            mine_count=sum(1 for c in conversations if c.assignee_id == user_id),
            assigned_count=len(conversations) - unassigned,
            unassigned_count=unassigned,
            all_count=len(conversations),
        )

    def as_json(self) -> dict[str, object]:
        return {
            "mine_count": self.mine_count,
            "assigned_count": self.assigned_count,
            "unassigned_count": self.unassigned_count,
            "all_count": self.all_count,
        }

    def as_json_without_assigned(self) -> dict[str, object]:
        return {"mine_count": self.mine_count, "unassigned_count": self.unassigned_count, "all_count": self.all_count}


@dataclass
class FinderResult:
    counts: Counts
    conversations: list[Conversation]
    """Sorted and paged (or, with `updated_within`, every match)."""
    matched_messages: dict[int, list[Message]]
    """For a `q` search: the messages of each conversation whose content matched (by conversation id)."""


def label_filter(params: QueryParams) -> list[str] | None:
    """The labels the list should match, or None for no label filter.

    `labels[]=a&labels[]=b` (the frontend's way) gives a list; a plain `labels=a,b` is split on commas;
    repeated plain `labels=` keep only the last value, as Rack does.
    """
    if "labels[]" in params:
        return split_labels(params.getlist("labels[]"))
    if "labels" in params:
        return split_labels([params.getlist("labels")[-1]])
    return None


def _has_any_label(conversation: Conversation, wanted: list[str]) -> bool:
    mine = {name.lower() for name in conversation.labels}
    return any(name.lower() in mine for name in wanted)


def _filter_conversation_type(
    state: SandboxState, conversations: list[Conversation], kind: str, user_id: int
) -> list[Conversation]:
    if kind == "mention":
        marker = f"mention://user/{user_id}/"
        return [c for c in conversations if any(m.private and marker in (m.content or "") for m in c.messages)]
    if kind == "participating":
        return [
            c
            for c in conversations
            if c.assignee_id == user_id or any(m.sender_type == "User" and m.sender_id == user_id for m in c.messages)
        ]
    if kind == "unattended":
        return [c for c in conversations if c.first_reply_created_at is None or c.waiting_since is not None]
    return conversations


def find_conversations(state: SandboxState, account_id: int, user_id: int, params: QueryParams) -> FinderResult:
    """GET /conversations, /conversations/meta and /conversations/search: filter, count, narrow, sort, page."""
    inbox_ids = visible_inbox_ids(state, account_id, user_id)
    if "inbox_id" in params:
        wanted_inbox = ruby_to_i(params["inbox_id"])
        inbox_ids = inbox_ids & {wanted_inbox}
    team_id: int | None = None
    if "team_id" in params:
        team = state.teams.get(ruby_to_i(params["team_id"]))
        if team is None or team.account_id != account_id:
            raise not_found()
        team_id = team.id

    conversations = [
        c
        for c in visible_conversations(state, account_id, user_id)
        if "inbox_id" not in params or c.inbox_id in inbox_ids
    ]
    if "conversation_type" in params:
        conversations = _filter_conversation_type(state, conversations, params["conversation_type"], user_id)
    query = params.get("q")
    if query is None:
        status = params.get("status", "open")
        if status != "all":
            conversations = [c for c in conversations if c.status == status]
    if team_id is not None:
        conversations = [c for c in conversations if c.team_id == team_id]
    labels = label_filter(params)
    if labels is not None:
        conversations = [c for c in conversations if _has_any_label(c, labels)]
    matched: dict[int, list[Message]] = {}
    if query is not None:
        for conversation in conversations:
            hits = [
                m for m in conversation.messages if m.message_type in (INCOMING, OUTGOING) and ilike(query, m.content)
            ]
            if hits:
                matched[conversation.id] = hits
        conversations = [c for c in conversations if c.id in matched]
    if "source_id" in params:
        source_id = params["source_id"]
        conversations = [
            c
            for c in conversations
            if (ci := state.contact_inboxes.get(c.contact_inbox_id)) is not None and ci.source_id == source_id
        ]

    counts = Counts.of(conversations, user_id)

    assignee_type = params.get("assignee_type")
    if assignee_type == "me":
        conversations = [c for c in conversations if c.assignee_id == user_id]
    elif assignee_type == "unassigned":
        conversations = [c for c in conversations if c.assignee_id is None]
    elif assignee_type == "assigned":
        conversations = [c for c in conversations if c.assignee_id is not None]

    conversations = sort_conversations(conversations, params.get("sort_by"))
    if params.get("updated_within"):
        since = state.clock() - ruby_to_i(params["updated_within"])
        conversations = [c for c in conversations if c.updated_at > since]
    else:
        conversations = paginate(conversations, kaminari_page(params.get("page")))
    return FinderResult(counts, conversations, matched)


# -- sorting ----------------------------------------------------------------------------------------------------

SORT_OPTIONS: dict[str, tuple[str, str]] = {
    "last_activity_at_asc": ("last_activity_at", "asc"),
    "last_activity_at_desc": ("last_activity_at", "desc"),
    "created_at_asc": ("created_at", "asc"),
    "created_at_desc": ("created_at", "desc"),
    "priority_asc": ("priority", "asc"),
    "priority_desc": ("priority", "desc"),
    "waiting_since_asc": ("waiting_since", "asc"),
    "waiting_since_desc": ("waiting_since", "desc"),
    # Deprecated names the server still accepts.
    "latest": ("last_activity_at", "desc"),
    "sort_on_created_at": ("created_at", "asc"),
    "sort_on_priority": ("priority", "desc"),
    "sort_on_waiting_since": ("waiting_since", "asc"),
}


def sort_conversations(conversations: list[Conversation], sort_by: str | None) -> list[Conversation]:
    """The `sort_by` orders of `SortHandler`; an unknown value falls back to last activity, newest first.

    Priority and waiting_since put NULLs last in both directions, then break ties by last activity (priority) or
    creation (waiting_since), as the SQL does. Remaining ties go to the higher display id, to stay deterministic.
    """
    column, direction = SORT_OPTIONS.get(sort_by or "", SORT_OPTIONS["last_activity_at_desc"])
    sign = -1 if direction == "desc" else 1
    if column == "priority":
        return sorted(
            conversations,
            key=lambda c: (
                c.priority is None,
                sign * (PRIORITIES.index(c.priority) if c.priority else 0),
                -c.last_activity_at,
                -c.display_id,
            ),
        )
    if column == "waiting_since":
        return sorted(
            conversations,
            key=lambda c: (c.waiting_since is None, sign * (c.waiting_since or 0), c.created_at, -c.display_id),
        )
    if column == "created_at":
        return sorted(conversations, key=lambda c: (sign * c.created_at, -c.display_id))
    return sorted(conversations, key=lambda c: (sign * c.last_activity_at, -c.display_id))


# -- messages ---------------------------------------------------------------------------------------------------


def find_messages(conversation: Conversation, params: QueryParams) -> list[Message]:
    """`MessageFinder`: the latest 20, the 20 before `before`, up to 100 after `after`, or up to 1000 in between.

    Always ascending. `filter_internal_messages=true` drops private notes and activity messages first.
    """
    messages = conversation.messages
    if params.get("filter_internal_messages") == "true":
        messages = [m for m in messages if not m.private and m.message_type != ACTIVITY]
    after = params.get("after") or None
    before = params.get("before") or None
    if after is not None and before is not None:
        low, high = ruby_to_i(after), ruby_to_i(before)
        return [m for m in messages if low <= m.id < high][:MESSAGES_BETWEEN]
    if before is not None:
        high = ruby_to_i(before)
        return [m for m in messages if m.id < high][-LATEST_MESSAGES:]
    if after is not None:
        low = ruby_to_i(after)
        return [m for m in messages if m.id > low][:MESSAGES_AFTER]
    return messages[-LATEST_MESSAGES:]


# -- contacts ---------------------------------------------------------------------------------------------------

CONTACTS_PER_PAGE = 15
CONTACT_CONVERSATIONS_LIMIT = 20
# procore-sift's sort keys, in the controller's declaration order (the order they are applied in, whatever the
# request's order). True: `NULLS LAST` in both directions; False: PostgreSQL's default (NULLs are largest).
_CONTACT_SORTS: dict[str, bool] = {
    "email": False,
    "name": False,
    "phone_number": False,
    "last_activity_at": True,
    "created_at": True,
    "company_name": True,
    "city": True,
    "country": True,
}


def account_contacts(state: SandboxState, account_id: int) -> list[Contact]:
    """The account's contacts in insertion (id) order: what PostgreSQL returns without an ORDER BY."""
    return sorted((c for c in state.contacts.values() if c.account_id == account_id), key=lambda c: c.id)


def _contact_sort_value(contact: Contact, key: str) -> tuple[float, str] | None:
    """The column's value as a sortable pair (number, text), or None for NULL."""
    if key in ("email", "name", "phone_number"):
        value = getattr(contact, key)
        return (0.0, value.lower()) if isinstance(value, str) else None
    if key in ("last_activity_at", "created_at"):
        moment = getattr(contact, key)
        return None if moment is None else (float(moment), "")
    value = contact.additional_attributes.get(key)
    return None if value is None else (0.0, str(value))


def sort_contacts(contacts: list[Contact], sort: str | None) -> list[Contact]:
    """`sort=<key>[,-<key>...]` as procore-sift applies it; unknown keys are ignored, no sort keeps the order."""
    if not sort:
        return contacts
    wanted: dict[str, bool] = {}
    for part in sort.split(","):
        name = part.strip()
        descending = name.startswith("-")
        name = name.lstrip("-")
        if name in _CONTACT_SORTS:
            wanted[name] = descending
    ordered = list(contacts)
    # ORDER BY k1, k2: stable sorts from the last key to the first.
    for key in reversed([k for k in _CONTACT_SORTS if k in wanted]):
        descending, nulls_last = wanted[key], _CONTACT_SORTS[key]
        present = [c for c in ordered if _contact_sort_value(c, key) is not None]
        missing = [c for c in ordered if _contact_sort_value(c, key) is None]
        present.sort(key=lambda c: _contact_sort_value(c, key) or (0.0, ""), reverse=descending)
        nulls_first = descending and not nulls_last
        ordered = missing + present if nulls_first else present + missing
    return ordered


def like(pattern: str, text: str | None) -> bool:
    """PostgreSQL `text LIKE '%pattern%'` (case-sensitive; `%` and `_` stay wildcards)."""
    if text is None:
        return False
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.search(regex, text, re.DOTALL) is not None


def search_contacts(contacts: list[Contact], q: str) -> list[Contact]:
    """contacts#search (≥4.11): every contact; name/email/phone ILIKE, identifier LIKE (case-sensitive)."""
    return [
        c
        for c in contacts
        if ilike(q, c.name) or ilike(q, c.email) or ilike(q, c.phone_number) or like(q, c.identifier)
    ]


# -- help center ------------------------------------------------------------------------------------------------

ARTICLES_PER_PAGE = 25
SEARCH_ARTICLES_PER_PAGE = 15
_WORD = re.compile(r"\w+", re.UNICODE)


def text_search(articles: list[Article], q: str) -> list[Article]:
    """pg_search `text_search` (tsearch, prefix: true): every query word must start some word of the title (weight
    A), description (B) or content (C); ordered by a rank that weighs title hits most. Stemming is not modelled.

    A blank query matches nothing (pg_search with an empty tsquery; unverified, see chatwoot-api-contacts.md §10).
    """
    terms = [t.lower() for t in _WORD.findall(q)]
    if not terms:
        return []

    def field_hits(text: str) -> int:
        words = [w.lower() for w in _WORD.findall(text)]
        return sum(any(w.startswith(t) for w in words) for t in terms)

    ranked: list[tuple[float, Article]] = []
    for article in articles:
        title, description = field_hits(article.title), field_hits(article.description)
        content = field_hits(article.content)
        words = [w.lower() for w in _WORD.findall(f"{article.title} {article.description} {article.content}")]
        if all(any(w.startswith(t) for w in words) for t in terms):
            ranked.append((1.0 * title + 0.4 * description + 0.1 * content, article))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].id))
    return [article for _, article in ranked]
