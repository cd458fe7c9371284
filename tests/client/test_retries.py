"""What gets retried, how often and after how long; and that writes which may have run are never sent twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest

from chatwoot_client import (
    ChatwootAPIError,
    ChatwootConnectionError,
    ChatwootError,
    ChatwootNotFoundError,
    ChatwootRateLimitError,
    ChatwootServerError,
    ChatwootTimeoutError,
    ChatwootValidationError,
    _base_client,
)
from chatwoot_sandbox import SandboxState
from tests.client.conftest import (
    FAST_RETRY_INITIAL,
    FAST_RETRY_MAX,
    RETRY_LATER,
    AnyClient,
    Connect,
    Kind,
    Outcome,
    Reply,
    Script,
    html_page,
    mock_client,
    pick,
    resolve,
)

BASE = "/api/v1/accounts/1/conversations"
CONVERSATION = {"id": 42, "account_id": 1, "inbox_id": 5, "status": "open", "meta": {}, "priority": "high"}
MESSAGE = {"id": 900, "content": "hello", "message_type": 1, "content_type": "text", "private": False}
AGENT = {"id": 3, "name": "Agent A", "email": "a@example.com", "role": "agent"}


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the client's backoff waits instead of waiting (only the client's own module is patched)."""
    delays: list[float] = []

    async def async_sleep(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr(_base_client, "time", SimpleNamespace(sleep=delays.append))
    monkeypatch.setattr(_base_client, "anyio", SimpleNamespace(sleep=async_sleep))
    return delays


OK_CONVERSATION = Reply(200, CONVERSATION)


# --- reads -----------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_throttled_get_is_retried_and_succeeds(kind: Kind, sleeps: list[float]) -> None:
    script = Script(RETRY_LATER, OK_CONVERSATION)
    client = mock_client(kind, script)

    conversation = await resolve(client.conversations.get(1, 42))

    assert conversation.id == 42
    assert script.calls == [f"GET {BASE}/42"] * 2
    assert len(sleeps) == 1
    assert 0.75 * FAST_RETRY_INITIAL <= sleeps[0] <= FAST_RETRY_INITIAL


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [html_page(500), html_page(502), Reply(503, text=""), html_page(504), Reply(408, text="")],
    ids=lambda reply: str(reply.status),
)
async def test_server_failures_on_get_are_retried(kind: Kind, failure: Reply, sleeps: list[float]) -> None:
    script = Script(failure, failure, Reply(200, {"payload": ["billing"]}))
    client = mock_client(kind, script, max_retries=2)

    assert await resolve(client.conversations.labels.list(1, 42)) == ["billing"]
    assert len(script.requests) == 3
    assert len(sleeps) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("max_retries", [0, 1, 3])
async def test_max_retries_is_respected(kind: Kind, max_retries: int, sleeps: list[float]) -> None:
    script = Script(html_page(503))
    client = mock_client(kind, script, max_retries=max_retries)

    with pytest.raises(ChatwootServerError) as caught:
        await resolve(client.conversations.get(1, 42))

    assert caught.value.status_code == 503
    assert len(script.requests) == max_retries + 1
    assert len(sleeps) == max_retries
    # Exponential backoff: each wait roughly doubles (jitter takes at most a quarter off).
    for attempt, delay in enumerate(sleeps, start=1):
        full = min(FAST_RETRY_INITIAL * 2 ** (attempt - 1), FAST_RETRY_MAX)
        assert 0.75 * full <= delay <= full


@pytest.mark.anyio
async def test_backoff_is_capped_by_retry_max_delay(kind: Kind, sleeps: list[float]) -> None:
    script = Script(RETRY_LATER)
    client = mock_client(kind, script, max_retries=8)

    with pytest.raises(ChatwootRateLimitError):
        await resolve(client.conversations.list(1))

    assert len(sleeps) == 8
    assert max(sleeps) <= FAST_RETRY_MAX
    assert sleeps[-1] >= 0.75 * FAST_RETRY_MAX


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "1"}, 0.001),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
    ],
)
async def test_retry_after_is_honoured(
    kind: Kind, headers: dict[str, str], expected: float, sleeps: list[float]
) -> None:
    script = Script(Reply(429, text="Retry later\n", headers=headers), OK_CONVERSATION)
    client = mock_client(kind, script)

    await resolve(client.conversations.get(1, 42))

    assert sleeps == [pytest.approx(expected)]


@pytest.mark.anyio
async def test_retry_after_over_a_minute_falls_back_to_backoff(kind: Kind, sleeps: list[float]) -> None:
    script = Script(Reply(429, text="Retry later\n", headers={"retry-after": "3600"}), OK_CONVERSATION)
    client = mock_client(kind, script)

    await resolve(client.conversations.get(1, 42))

    assert len(sleeps) == 1
    assert sleeps[0] <= FAST_RETRY_INITIAL


@pytest.mark.anyio
async def test_retry_after_ms_really_waits_and_retries(kind: Kind) -> None:
    # No patching: the client really sleeps the server's 1 ms and then succeeds.
    script = Script(Reply(429, text="Retry later\n", headers={"retry-after-ms": "1"}), OK_CONVERSATION)
    client = mock_client(kind, script)

    assert (await resolve(client.conversations.get(1, 42))).id == 42
    assert len(script.requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(401, {"error": "Invalid Access Token"}), ChatwootAPIError),
        (Reply(404, {"error": "Resource could not be found"}), ChatwootNotFoundError),
        (Reply(422, {"error": "Invalid operator."}), ChatwootValidationError),
        (html_page(501), ChatwootServerError),
    ],
    ids=lambda v: str(v.status) if isinstance(v, Reply) else "",
)
async def test_client_errors_are_not_retried(
    kind: Kind, reply: Reply, error: type[ChatwootError], sleeps: list[float]
) -> None:
    script = Script(reply, OK_CONVERSATION)
    client = mock_client(kind, script)

    with pytest.raises(error):
        await resolve(client.conversations.get(1, 42))

    assert len(script.requests) == 1
    assert sleeps == []


# --- writes ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """A client write, the request it sends first, and a successful reply to it."""

    name: str
    call: Callable[[AnyClient], Any]
    request: str
    success: tuple[Reply, ...]
    check: Callable[[Any], bool]


NON_IDEMPOTENT = [
    Write(
        "create-conversation",
        lambda c: c.conversations.create(1, None, 5, contact_id=7, message="hi"),
        f"POST {BASE}",
        (OK_CONVERSATION,),
        lambda result: result.id == 42,
    ),
    Write(
        "create-message",
        lambda c: c.messages.create(1, 42, "hello"),
        f"POST {BASE}/42/messages",
        (Reply(200, MESSAGE),),
        lambda result: result.id == 900,
    ),
    Write(
        "create-private-note",
        lambda c: c.messages.create(1, 42, "note", private=True),
        f"POST {BASE}/42/messages",
        (Reply(200, MESSAGE | {"private": True}),),
        lambda result: result.private,
    ),
]

IDEMPOTENT = [
    Write(
        "labels-add",
        lambda c: c.conversations.labels.add(1, 42, ["billing", "vip"]),
        f"POST {BASE}/42/labels",
        (Reply(200, {"payload": ["billing", "vip"]}),),
        lambda result: result == ["billing", "vip"],
    ),
    Write(
        "assign",
        lambda c: c.conversations.assign(1, 42, 3),
        f"POST {BASE}/42/assignments",
        (Reply(200, AGENT), Reply(200, CONVERSATION | {"meta": {"assignee": AGENT}})),
        lambda result: result.assignee_id == 3,
    ),
    Write(
        "assign-team",
        lambda c: c.conversations.assign_team(1, 42, 2),
        f"POST {BASE}/42/assignments",
        (
            Reply(200, {"id": 2, "name": "billing"}),
            Reply(200, CONVERSATION | {"meta": {"team": {"id": 2, "name": "b"}}}),
        ),
        lambda result: result.team_id == 2,
    ),
    Write(
        "toggle-status",
        lambda c: c.conversations.toggle_status(1, 42, "resolved"),
        f"POST {BASE}/42/toggle_status",
        (Reply(200, {"meta": {}, "payload": {"success": True, "conversation_id": 42, "current_status": "resolved"}}),),
        lambda result: result.current_status == "resolved",
    ),
    Write(
        "update-priority",
        lambda c: c.conversations.update(1, 42, priority="high"),
        f"PATCH {BASE}/42",
        (OK_CONVERSATION,),
        lambda result: result.priority == "high",
    ),
    Write(
        "set-priority",
        lambda c: c.conversations.set_priority(1, 42, "high"),
        f"PATCH {BASE}/42",
        (OK_CONVERSATION,),
        lambda result: result.priority == "high",
    ),
    Write(
        "custom-attributes",
        lambda c: c.conversations.update_custom_attributes(1, 42, {"plan": "pro"}),
        f"POST {BASE}/42/custom_attributes",
        (Reply(200, {"custom_attributes": {"plan": "pro"}}),),
        lambda result: result == {"plan": "pro"},
    ),
]


def _by_name(writes: list[Write]) -> list[Any]:
    return [pytest.param(write, id=write.name) for write in writes]


FAILURES_AFTER_SENDING: list[Outcome] = [
    RETRY_LATER,
    html_page(500),
    html_page(502),
    Reply(503, text=""),
    html_page(504),
    httpx2.ReadTimeout,
    httpx2.WriteTimeout,
    httpx2.RemoteProtocolError,
    httpx2.ReadError,
]
FAILURE_IDS = ["429", "500", "502", "503", "504", "ReadTimeout", "WriteTimeout", "RemoteProtocolError", "ReadError"]


@pytest.mark.anyio
@pytest.mark.parametrize("write", _by_name(NON_IDEMPOTENT))
@pytest.mark.parametrize("failure", FAILURES_AFTER_SENDING, ids=FAILURE_IDS)
async def test_non_idempotent_writes_are_never_resent_after_they_may_have_run(
    kind: Kind, write: Write, failure: Outcome, sleeps: list[float]
) -> None:
    """Any answer, even a 429, and any failure after connecting may come after Chatwoot stored the write.

    A 429 included: rack-attack refuses before Rails runs anything, but a proxy in front of Chatwoot can answer
    429 after Rails stored the message, and a retry would send the customer the reply twice.
    """
    script = Script(failure, *write.success)
    client = mock_client(kind, script, max_retries=3)

    expected = ChatwootAPIError if isinstance(failure, Reply) else ChatwootConnectionError
    with pytest.raises(expected) as caught:
        await resolve(write.call(client))

    assert caught.value.sent is True
    assert (caught.value.method, caught.value.path) == tuple(write.request.split(" "))
    assert script.calls == [write.request]
    assert sleeps == []


@pytest.mark.anyio
@pytest.mark.parametrize("write", _by_name(NON_IDEMPOTENT))
async def test_non_idempotent_write_timeout_is_reported_as_a_timeout(kind: Kind, write: Write) -> None:
    script = Script(httpx2.ReadTimeout, *write.success)
    client = mock_client(kind, script)

    with pytest.raises(ChatwootTimeoutError, match="did not answer in time") as caught:
        await resolve(write.call(client))
    assert len(script.requests) == 1
    assert caught.value.sent is True
    assert "may have been applied" in str(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize("write", _by_name(NON_IDEMPOTENT))
@pytest.mark.parametrize(
    "failure",
    [httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout],
    ids=["ConnectError", "ConnectTimeout", "PoolTimeout"],
)
async def test_non_idempotent_writes_are_retried_when_chatwoot_never_ran_them(
    kind: Kind, write: Write, failure: Outcome, sleeps: list[float]
) -> None:
    script = Script(failure, *write.success)
    client = mock_client(kind, script)

    result = await resolve(write.call(client))

    assert write.check(result)
    assert script.calls == [write.request, write.request]
    assert script.requests[0].content == script.requests[1].content
    assert len(sleeps) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("write", _by_name(IDEMPOTENT))
async def test_idempotent_writes_are_retried_after_503(kind: Kind, write: Write, sleeps: list[float]) -> None:
    script = Script(Reply(503, text=""), *write.success)
    client = mock_client(kind, script)

    result = await resolve(write.call(client))

    assert write.check(result)
    assert script.calls[:2] == [write.request, write.request]
    assert script.requests[0].content == script.requests[1].content
    assert len(sleeps) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("write", _by_name(IDEMPOTENT))
async def test_idempotent_writes_are_retried_after_a_read_timeout(
    kind: Kind, write: Write, sleeps: list[float]
) -> None:
    script = Script(httpx2.ReadTimeout, *write.success)
    client = mock_client(kind, script)

    assert write.check(await resolve(write.call(client)))
    assert script.calls[:2] == [write.request, write.request]


@pytest.mark.anyio
async def test_update_with_status_retries_each_step_on_its_own(kind: Kind, sleeps: list[float]) -> None:
    toggled = Reply(200, {"meta": {}, "payload": {"success": True, "conversation_id": 42, "current_status": "pending"}})
    script = Script(
        Reply(503, text=""),
        toggled,
        Reply(503, text=""),
        Reply(200, AGENT),
        OK_CONVERSATION,
    )
    client = mock_client(kind, script)

    await resolve(client.conversations.update(1, 42, status="pending", assignee_id=3))

    assert script.calls == [
        f"POST {BASE}/42/toggle_status",
        f"POST {BASE}/42/toggle_status",
        f"POST {BASE}/42/assignments",
        f"POST {BASE}/42/assignments",
        f"GET {BASE}/42",
    ]
    assert [json.loads(r.content) for r in script.requests[:4]] == [
        {"status": "pending"},
        {"status": "pending"},
        {"assignee_id": 3},
        {"assignee_id": 3},
    ]
    assert len(sleeps) == 2


# --- against the sandbox's injected faults -----------------------------------------------------------------------


def _posts(state: SandboxState, path_end: str) -> list[int | None]:
    return [r.status for r in state.requests if r.method == "POST" and r.path.endswith(path_end)]


@pytest.mark.anyio
async def test_message_whose_answer_was_lost_is_not_sent_twice(connect: Connect, state: SandboxState) -> None:
    record = pick(state, lambda c: c.status == "open")
    count = len(record.messages)
    state.inject_fault(500, after_handling=True, path_contains="/messages", method="POST")

    with pytest.raises(ChatwootServerError) as caught:
        await resolve(connect(max_retries=3).messages.create(1, record.display_id, "Only once, please"))

    assert caught.value.status_code == 500
    new = record.messages[count:]
    assert [m.content for m in new if m.message_type != 2] == ["Only once, please"]
    assert _posts(state, "/messages") == [500]


@pytest.mark.anyio
async def test_conversation_whose_answer_was_lost_is_not_created_twice(connect: Connect, state: SandboxState) -> None:
    existing = pick(state, lambda c: True)
    before = len(state.conversations)
    state.inject_fault(502, after_handling=True, method="POST", path_contains="/conversations")

    with pytest.raises(ChatwootServerError):
        await resolve(connect(max_retries=3).conversations.create(1, None, existing.inbox_id, existing.contact_id))

    assert len(state.conversations) == before + 1
    assert _posts(state, "/conversations") == [502]


@pytest.mark.anyio
async def test_throttled_message_is_not_resent(connect: Connect, state: SandboxState) -> None:
    """The caller gets the 429 and decides; the client cannot know whether a proxy answered it after Rails ran.

    (The sandbox's 429, like rack-attack's, comes before handling, so here nothing was stored.)
    """
    record = pick(state, lambda c: c.status == "open")
    count = len(record.messages)
    state.inject_fault(429, times=2, path_contains="/messages", method="POST")

    with pytest.raises(ChatwootRateLimitError) as caught:
        await resolve(connect(max_retries=2).messages.create(1, record.display_id, "During the throttle"))

    assert caught.value.sent is True
    assert len(record.messages) == count
    assert _posts(state, "/messages") == [429]


@pytest.mark.anyio
async def test_throttled_list_is_retried_until_it_succeeds(connect: Connect, state: SandboxState) -> None:
    state.inject_fault(429, times=2, method="GET")

    page = await resolve(connect(max_retries=2).conversations.list(1))

    assert page.total > 0
    assert [r.status for r in state.requests] == [429, 429, 200]


@pytest.mark.anyio
async def test_sandbox_503_exhausts_the_retries(connect: Connect, state: SandboxState) -> None:
    state.inject_fault(503, times=10, method="GET")

    with pytest.raises(ChatwootServerError) as caught:
        await resolve(connect(max_retries=2).teams.list(1))

    assert caught.value.status_code == 503
    assert "<" not in str(caught.value)
    assert [r.status for r in state.requests] == [503, 503, 503]


@pytest.mark.anyio
async def test_idempotent_writes_whose_answer_was_lost_are_retried_safely(
    connect: Connect, state: SandboxState
) -> None:
    record = pick(state, lambda c: c.status == "open" and c.priority != "urgent" and len(c.labels) >= 1)
    client = connect()
    for path in ("/labels", "/toggle_status", "/assignments"):
        state.inject_fault(503, after_handling=True, method="POST", path_contains=path)
    state.inject_fault(503, after_handling=True, method="PATCH")
    agent = next(u for u in state.account_users(1) if u.id != record.assignee_id)

    assert await resolve(client.conversations.labels.add(1, record.display_id, ["vip"])) == ["vip"]
    toggled = await resolve(client.conversations.toggle_status(1, record.display_id, "pending"))
    assigned = await resolve(client.conversations.assign(1, record.display_id, agent.id))
    prioritised = await resolve(client.conversations.update(1, record.display_id, priority="urgent"))

    assert toggled.current_status == "pending"
    assert assigned.assignee_id == agent.id
    assert prioritised.priority == "urgent"
    assert (record.labels, record.status, record.assignee_id, record.priority) == (
        ["vip"],
        "pending",
        agent.id,
        "urgent",
    )
    assert _posts(state, "/labels") == [503, 200]
    assert _posts(state, "/toggle_status") == [503, 200]
    assert _posts(state, "/assignments") == [503, 200]
    assert [r.status for r in state.requests if r.method == "PATCH"] == [503, 200]


@pytest.mark.anyio
async def test_sandbox_throttling_reads_like_rack_attack(connect: Connect, state: SandboxState) -> None:
    state.inject_fault(429, method="GET")

    with pytest.raises(ChatwootRateLimitError) as caught:
        await resolve(connect(max_retries=0).agents.list(1))

    assert caught.value.description == "Retry later"
    assert caught.value.retry_after is None
    assert len(state.requests) == 1


@pytest.mark.anyio
async def test_sandbox_retry_after_is_honoured(connect: Connect, state: SandboxState, sleeps: list[float]) -> None:
    state.inject_fault(429, method="GET", retry_after="7")

    agents = await resolve(connect().agents.list(1))

    assert agents
    assert sleeps == [7.0]
    assert [r.status for r in state.requests] == [429, 200]
