"""Shared fixtures for the chatwoot_client tests.

Two ways to reach a "server":

- `mock_client(kind, script)`: a client of either kind whose requests go to an `httpx2.MockTransport` that plays a
  `Script` of replies and transport errors and records every request it saw.
- `connect()` / `client`: a client of either kind against the in-process Chatwoot sandbox. The async client talks
  to it through `httpx2.ASGITransport`; the sync client, which has no ASGI transport, through one uvicorn server on
  127.0.0.1 shared by the whole session (each test mounts its own fresh sandbox state on it).
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import pickle
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import httpx2
import pytest

from chatwoot_client import AsyncChatwootClient, ChatwootClient

if TYPE_CHECKING:
    from chatwoot_sandbox import SandboxState
    from chatwoot_sandbox.records import Conversation as SandboxConversation
    from chatwoot_sandbox.records import User as SandboxUser

T = TypeVar("T")

Kind = Literal["async", "sync"]
AnyClient = AsyncChatwootClient | ChatwootClient
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]

CANARY_TOKEN = "tok-CANARY-123"
MOCK_URL = "http://chatwoot.test"
SANDBOX_URL = "http://sandbox"
FAST_RETRY_INITIAL = 0.001
FAST_RETRY_MAX = 0.01


async def resolve(value: Awaitable[T] | T) -> T:
    """The result of a client call, whether the client was async (a coroutine) or sync (the value)."""
    if inspect.isawaitable(value):
        return await value
    return value


# --- scripted MockTransport ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One HTTP response to play back; built fresh for every request it answers."""

    status: int = 200
    json: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def build(self, request: httpx2.Request) -> httpx2.Response:
        if self.text is not None:
            return httpx2.Response(self.status, text=self.text, headers=self.headers, request=request)
        return httpx2.Response(self.status, json=self.json, headers=self.headers, request=request)


def html_page(status: int) -> Reply:
    """The kind of page Rails or a proxy sends for a 5xx: HTML, not JSON."""
    page = f"<!DOCTYPE html><html><body><h1>{status}</h1><p>We're sorry, but something went wrong.</p></body></html>"
    return Reply(status, text=page, headers={"content-type": "text/html; charset=utf-8"})


RETRY_LATER = Reply(429, text="Retry later\n")
"""rack-attack's throttled response: text/plain, no Retry-After header."""

Outcome = Reply | type[httpx2.TransportError]


class Script:
    """A MockTransport handler that answers the n-th request with the n-th outcome (the last one repeats)."""

    def __init__(self, *outcomes: Outcome) -> None:
        assert outcomes, "a script needs at least one outcome"
        self.outcomes = outcomes
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        outcome = self.outcomes[min(len(self.requests), len(self.outcomes)) - 1]
        if isinstance(outcome, Reply):
            return outcome.build(request)
        raise outcome(f"scripted {outcome.__name__}", request=request)

    @property
    def calls(self) -> list[str]:
        """'METHOD /path' of every request, in order."""
        return [f"{r.method} {r.url.path}" for r in self.requests]


def mock_client(
    kind: Kind,
    script: Callable[[httpx2.Request], httpx2.Response],
    *,
    token: str = CANARY_TOKEN,
    max_retries: int = 2,
) -> AnyClient:
    """A client of `kind` whose requests go to `script`, with tiny retry delays."""
    transport = httpx2.MockTransport(script)
    if kind == "async":
        return AsyncChatwootClient(
            MOCK_URL,
            token,
            max_retries=max_retries,
            retry_initial_delay=FAST_RETRY_INITIAL,
            retry_max_delay=FAST_RETRY_MAX,
            http_client=httpx2.AsyncClient(transport=transport),
        )
    return ChatwootClient(
        MOCK_URL,
        token,
        max_retries=max_retries,
        retry_initial_delay=FAST_RETRY_INITIAL,
        retry_max_delay=FAST_RETRY_MAX,
        http_client=httpx2.Client(transport=transport),
    )


@pytest.fixture(params=["async", "sync"])
def kind(request: pytest.FixtureRequest) -> Kind:
    """Run the test once with the async client and once with the sync one."""
    return request.param


# --- the sandbox -----------------------------------------------------------------------------------------------


class _Mount:
    """An ASGI app that forwards to whichever sandbox app the current test mounted."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        assert self.app is not None, "no sandbox mounted"
        await self.app(scope, receive, send)


@dataclass
class LiveSandbox:
    """The session's uvicorn server on 127.0.0.1, serving the mounted sandbox app."""

    url: str
    mount: _Mount


@pytest.fixture(scope="session")
def live_sandbox() -> Iterator[LiveSandbox]:
    import uvicorn

    mount = _Mount()
    started = threading.Event()

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            started.set()

    server = Server(uvicorn.Config(mount, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), name="sandbox-uvicorn", daemon=True)
    thread.start()
    try:
        assert started.wait(timeout=10), "uvicorn did not start"
        assert server.started, "uvicorn failed to start"
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        yield LiveSandbox(f"http://{host}:{port}", mount)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture(scope="session")
def _demo_snapshot() -> bytes:
    from chatwoot_sandbox import SandboxState

    return pickle.dumps(SandboxState.demo())


@pytest.fixture
def state(_demo_snapshot: bytes) -> SandboxState:
    """A fresh demo sandbox for this test: a copy of `SandboxState.demo()`, unpickled because that is several times
    faster than building it (with the cyclic GC paused: the copy is ~100k new objects and creates no garbage)."""
    gc.disable()
    try:
        return pickle.loads(_demo_snapshot)
    finally:
        gc.enable()


@pytest.fixture(scope="session")
def _sync_http() -> Iterator[httpx2.Client]:
    """One connection pool for every sync client (building one, with its TLS context, costs ~20 ms)."""
    with httpx2.Client() as http:
        yield http


Connect = Callable[..., AnyClient]


@pytest.fixture
def connect(kind: Kind, state: SandboxState, request: pytest.FixtureRequest) -> Iterator[Connect]:
    """`connect(token=ADMIN_TOKEN, max_retries=2)`: a client of `kind` on this test's sandbox."""
    from chatwoot_sandbox import ADMIN_TOKEN, create_app

    app: ASGIApp = create_app(state)
    live: LiveSandbox | None = None
    sync_http: httpx2.Client | None = None
    if kind == "sync":
        served: LiveSandbox = request.getfixturevalue("live_sandbox")
        served.mount.app = app
        live = served
        sync_http = request.getfixturevalue("_sync_http")

    def make(token: str = ADMIN_TOKEN, *, max_retries: int = 2) -> AnyClient:
        options: dict[str, Any] = {
            "max_retries": max_retries,
            "retry_initial_delay": FAST_RETRY_INITIAL,
            "retry_max_delay": FAST_RETRY_MAX,
        }
        if kind == "async":
            http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))
            return AsyncChatwootClient(SANDBOX_URL, token, http_client=http, **options)
        assert live is not None
        return ChatwootClient(live.url, token, http_client=sync_http, **options)

    yield make
    if live is not None:
        live.mount.app = None


@pytest.fixture
def client(connect: Connect) -> AnyClient:
    """An administrator's client of the parametrized kind on this test's sandbox."""
    return connect()


# --- reading the sandbox's records -----------------------------------------------------------------------------


def user_with_token(state: SandboxState, token: str) -> SandboxUser:
    return next(user for user in state.users.values() if user.access_token == token)


def records(
    state: SandboxState, where: Callable[[SandboxConversation], bool] = lambda _: True, *, account_id: int = 1
) -> list[SandboxConversation]:
    """The sandbox's conversation records in an account that satisfy `where`, by display id."""
    found = [c for c in state.account_conversations(account_id) if where(c)]
    return sorted(found, key=lambda c: c.display_id)


def pick(
    state: SandboxState, where: Callable[[SandboxConversation], bool], *, account_id: int = 1
) -> SandboxConversation:
    """The first conversation record satisfying `where` (the seed must hold one)."""
    found = records(state, where, account_id=account_id)
    assert found, "the demo seed has no such conversation"
    return found[0]
