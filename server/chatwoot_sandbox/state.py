"""The sandbox's in-memory world: the `SandboxState` that holds the tables, and its test hooks (requests, faults).

The records themselves are in `records.py`, the tables that hold them by id in `tables.py`, and the demo data that
`SandboxState.demo()` fills them with in `seed.py`. Everything here is test-visible: tests may read and change the
records directly.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from json import dumps
from typing import overload

import anyio
from starlette.datastructures import QueryParams

from chatwoot_sandbox.jobs import JobQueue
from chatwoot_sandbox.seed import add_demo_data
from chatwoot_sandbox.tables import Tables
from chatwoot_sandbox.webhook_delivery import Outbox

META_THROTTLE = 30
"""`GET /conversations/meta` per user token per minute (rack-attack, RATE_LIMIT_CONVERSATIONS_META, 4.12+)."""
_META_PATH = re.compile(r"^/api/v1/accounts/[^/]+/conversations/meta/?$")

DEFAULT_REQUEST_LOG_SIZE = 10_000
"""How many requests `SandboxState.requests` keeps (about 1.4 KB each) unless told otherwise."""


FILTERED = "[FILTERED]"
SECRET_PARAMETERS = frozenset(
    {"password", "password_confirmation", "current_password", "otp_code", "backup_code", "mfa_token", "mfa_setup_token"}
)
"""Parameters whose values the request log never keeps (Chatwoot's `filter_parameters` hides them from its log)."""


def _filtered(value: object) -> object:
    if isinstance(value, dict):
        return {key: FILTERED if key in SECRET_PARAMETERS else _filtered(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_filtered(item) for item in value]
    return value


@dataclass
class RecordedRequest:
    """One request the app received, recorded before anything else looks at it (faults included).

    Secret parameters (a password, an MFA code or token) are kept only as FILTERED; see `of`.
    """

    method: str
    path: str
    query: QueryParams
    json: object | None
    headers: dict[str, str]
    body: bytes = b""
    status: int | None = None
    """The status the app answered with (filled in once the response is known)."""

    @classmethod
    def of(
        cls, method: str, path: str, query: QueryParams, json: object, headers: dict[str, str], body: bytes
    ) -> RecordedRequest:
        """The record of a request, with its secret parameters' values replaced by FILTERED (in the query, the JSON
        body and the headers, where Chatwoot's sign-in also looks for a password).

        Rails filters the same parameters out of Chatwoot's log. A body under `/auth/` that is not JSON cannot be
        filtered, so it is not kept at all.
        """
        headers = {name: FILTERED if name in SECRET_PARAMETERS else value for name, value in headers.items()}
        secret = [key for key in query if key in SECRET_PARAMETERS]
        if secret:
            query = QueryParams([(key, FILTERED if key in secret else value) for key, value in query.multi_items()])
        filtered = _filtered(json)
        if filtered != json:
            json, body = filtered, dumps(filtered).encode()
        elif path.startswith("/auth/") and not isinstance(json, dict | list):
            body = b""
        return cls(method, path, query, json, headers, body)


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
class SandboxState(Tables):
    """All of the sandbox's data, plus the test hooks (`requests`, `inject_fault`, `clock`, `jobs`).

    Build one with `SandboxState.demo()` (the deterministic demo support queue) or `SandboxState.empty()`
    (the same accounts, people, inboxes, teams, labels and contacts, but no conversations).

    `requests` keeps the latest `request_log_size` requests (default 10,000; None keeps all, 0 none), so a
    long-running sandbox does not grow without bound.

    `jobs` holds the background work of macros and bulk actions: it runs `jobs.delay` seconds (default 0.3) after
    the request that queued it, when the next request arrives (`chatwoot_sandbox.jobs`); `jobs.run_all()` runs it
    now, `jobs.drop_next = 1` loses the next job.

    `webhooks` are the accounts' webhooks; `outbox` delivers their events (`chatwoot_sandbox.webhook_delivery`), and
    `await webhooks_idle()` waits until every queued event is built, sent and answered.
    """

    request_log_size: int | None = DEFAULT_REQUEST_LOG_SIZE
    requests: RequestLog = field(init=False, repr=False)
    faults: list[Fault] = field(default_factory=list)
    writes: list[WriteRecord] = field(default_factory=list)
    """Every accepted write (non-GET) with the user or bot whose token made it, oldest first."""
    clock: Callable[[], float] = time.time
    jobs: JobQueue = field(default_factory=JobQueue)
    meta_throttle: int | None = META_THROTTLE
    """How many `GET /conversations/meta` one user token may send per minute before rack-attack answers 429 (a
    fixed window per clock minute, counted before authentication); None: Chatwoot before 4.12, no such limit."""
    throttle_counts: dict[tuple[str, int], int] = field(default_factory=dict, repr=False)
    outbox: Outbox = field(default_factory=Outbox, repr=False)
    """Where webhook events go (`outbox.transport`, `outbox.timeout`) and what became of them (`outbox.sent`)."""
    blank_contact_search_is_422: bool = False
    """How `GET /contacts/search` answers a blank `q`. Unverified: the Rails guard's precedence most likely makes
    it 200 `{"meta": {"count": null, "current_page": 1, "has_more": null}, "payload": []}` (the default here);
    the swagger implies 422 `{"error": "Specify search string with parameter q"}` (True)."""

    def __post_init__(self) -> None:
        self.requests = RequestLog(maxlen=self.request_log_size)

    @classmethod
    def demo(cls, *, request_log_size: int | None = DEFAULT_REQUEST_LOG_SIZE) -> SandboxState:
        """The demo world: two accounts, ~100 conversations in account 1. The same data on every call."""
        state = cls(request_log_size=request_log_size)
        add_demo_data(state, with_conversations=True)
        return state

    @classmethod
    def empty(cls, *, request_log_size: int | None = DEFAULT_REQUEST_LOG_SIZE) -> SandboxState:
        """The demo world's accounts, users, bot, inboxes, teams, labels and contacts, without any conversation."""
        state = cls(request_log_size=request_log_size)
        add_demo_data(state, with_conversations=False)
        return state

    # -- test hooks --------------------------------------------------------------------------------------------

    def enqueue_job(self, name: str, run: Callable[[], None]) -> None:
        """Queue background work (a Sidekiq job) to run `jobs.delay` seconds from now."""
        self.jobs.enqueue(name, self.clock(), run)

    def run_due_jobs(self) -> None:
        """Run the jobs that are due by now (the app does this before handling each request)."""
        self.jobs.run_due(self.clock())

    async def webhooks_idle(self, timeout: float = 10.0) -> None:
        """Let the workers catch up: run every pending job now (webhook events are built then, from the records as
        they are at that moment; macro and bulk jobs run too, and may queue more events), and wait until every
        webhook POST has been answered or has failed. TimeoutError after `timeout` seconds."""
        with anyio.fail_after(timeout):
            while True:
                self.jobs.run_all()
                if not self.jobs.pending and self.outbox.in_flight == 0:
                    return
                await anyio.sleep(0.005)

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

    def throttled(self, method: str, path: str, headers: dict[str, str]) -> bool:
        """Count this request against rack-attack's throttles; True when it is over a limit (answer 429).

        Only `GET /conversations/meta` has one here: `meta_throttle` per minute, keyed by the request's token
        (a request without one is not counted), in windows aligned to the clock's minutes as rack-attack's are.
        """
        if self.meta_throttle is None or method != "GET" or not _META_PATH.match(path):
            return False
        token = headers.get("api_access_token") or headers.get("access-token")
        if not token:
            return False
        window = int(self.clock() // 60)
        key = (token, window)
        self.throttle_counts = {k: v for k, v in self.throttle_counts.items() if k[1] == window}
        self.throttle_counts[key] = self.throttle_counts.get(key, 0) + 1
        return self.throttle_counts[key] > self.meta_throttle

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault that matches this request, if any."""
        for fault in self.faults:
            if fault.times > 0 and fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None
