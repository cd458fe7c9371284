"""Resource notifications: a subscribed transcript or queue hears when its conversation changes, on both protocol
eras and across replicas.

What can be watched: `chatwoot://conversations/{id}` (a transcript, in the default account) and the open queue,
`chatwoot://conversations` (`?account_id=N` for another served account). A 2025-era client subscribes with
`resources/subscribe` and hears `notifications/resources/updated` on its session; a 2026-07-28 client names the
URIs in `subscriptions/listen` and hears it on that stream (the SDK's ListenHandler, fed through `LiveBus`).

Where changes come from: the shared event stream (`State.event_read`), which verified webhooks and polling append
to on whichever replica they reach. Each replica tails it once it has a subscriber (`Notifier`, started with the
server's lifespan) and tells its own subscribers, so a webhook that reaches replica A notifies a client of replica
B. Without webhooks (stdio, or no secret configured) the notifier polls Chatwoot itself while anyone watches
(`events.polling`: every POLL_INTERVAL seconds), so updates come then too, that much later. A notification is a
cue to read again; it carries no content.

Who hears it: only a subscriber who may read the conversation. Subscribing checks it (a transcript: Chatwoot shows
the conversation to the subscriber's user; the queue: the user is a member of the account) and refuses in one
wording that names no URI; every delivery asks again (answers remembered for ACCESS_TTL seconds), so a user
Chatwoot stops showing a conversation to stops hearing of it, and a queue subscriber hears only of conversations
they may read.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, cast

import anyio
import anyio.lowlevel
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.subscriptions import ResourceUpdated, ServerEvent
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    EmptyResult,
    SubscribeRequestParams,
    SubscriptionsListenRequestParams,
    UnsubscribeRequestParams,
)

if TYPE_CHECKING:
    from anyio.abc import TaskGroup
    from mcp.server import MCPServer
    from mcp.server.connection import Connection

    from chatwoot_mcp.context import ToolContext
    from chatwoot_mcp.events.model import Event
    from chatwoot_mcp.state.memory import TtlCache

__all__ = [
    "ACCESS_TTL",
    "MAX_WATCHED",
    "QUEUE_URI",
    "LiveBus",
    "Notifier",
    "install_notifications",
    "request_tools",
    "watched_resource",
]

log = logging.getLogger("chatwoot_mcp.events")

QUEUE_URI = "chatwoot://conversations"
"""The open queue of the default account (`?account_id=N`: another served account's)."""
TRANSCRIPT_PREFIX = "chatwoot://conversations/"
ACCESS_TTL = 60.0
"""Seconds a "may this user read conversation N" answer is trusted before Chatwoot is asked again."""
MAX_WATCHED = 100
"""Resources one session (or one listen stream) may watch at once."""
TAIL_BATCH = 200
"""Events read from the stream at a time."""
TAIL_WAIT = 20.0
"""Seconds one read of the stream waits for a new event before asking again."""
SEND_TIMEOUT = 10.0
"""Seconds a notification may take to write before its subscriber is dropped (a client that stopped reading)."""
REFUSED = "not permitted to watch the requested resources"
"""The one refusal for a resource the user may not read (it never says which URI, nor whether it exists)."""
UNWATCHABLE = (
    "only these resources send updates: chatwoot://conversations (the open queue; ?account_id=N for another "
    "account) and chatwoot://conversations/{id} (a conversation)"
)


class EventStream(Protocol):
    """The part of the shared state a notifier reads (`state.base.State`)."""

    async def event_cursor(self) -> str: ...

    async def event_read(self, since: str | None, limit: int, wait: float) -> list[Event]: ...


class Watched:
    """A resource that notifies: the queue of an account, or one conversation of the default account."""

    # Plain classes, not dataclasses, here: this module is imported at start-up, where creating a dataclass costs
    # a few hundred microseconds each.
    __slots__ = ("account_id", "conversation_id")

    def __init__(self, account_id: int, conversation_id: int | None = None) -> None:
        self.account_id = account_id
        self.conversation_id = conversation_id
        """None: the account's queue."""


def watched_resource(uri: str, default_account: int) -> Watched | None:
    """What `uri` watches, or None when it is not a resource that sends updates."""
    if uri == QUEUE_URI:
        return Watched(default_account)
    if uri.startswith(QUEUE_URI + "?account_id="):
        number = uri.removeprefix(QUEUE_URI + "?account_id=")
        return Watched(int(number)) if number.isdigit() and len(number) < 10 else None
    if uri.startswith(TRANSCRIPT_PREFIX):
        number = uri.removeprefix(TRANSCRIPT_PREFIX)
        if number.isdigit() and len(number) < 10 and int(number) > 0:
            return Watched(default_account, int(number))
    return None


def _queue_uri(account_id: int, default_account: int) -> str:
    return QUEUE_URI if account_id == default_account else f"{QUEUE_URI}?account_id={account_id}"


class Reader:
    """Who a subscriber is, and how to ask Chatwoot what they may read (with their own token under per-user auth)."""

    def __init__(self, tools: ToolContext) -> None:
        self.tools = tools
        identity = tools.identity if tools.settings.per_user else None
        self.key = f"user:{identity.user_id}" if identity is not None else "server"

    async def may_read(self, watched: Watched) -> bool | None:
        """True or False; None when Chatwoot could not say (asked again next time)."""
        from chatwoot_client import ChatwootAuthError, ChatwootError, ChatwootNotFoundError, ChatwootPermissionError
        from chatwoot_mcp.edges.errors import Refusal

        try:
            self.tools.account(watched.account_id)
        except Refusal:
            return False
        if watched.conversation_id is None:
            return True
        try:
            await self.tools.client.conversations.get(watched.account_id, watched.conversation_id)
        except (ChatwootNotFoundError, ChatwootPermissionError, ChatwootAuthError):
            return False
        except ChatwootError:
            return None
        return True


class _Watcher:
    __slots__ = ("reader", "send")

    def __init__(self, reader: Reader, send: Callable[[str], Awaitable[None]]) -> None:
        self.reader = reader
        self.send = send


class _Gone(Exception):
    """The subscriber's session is gone."""


class Notifier:
    """One server run's subscribers (both eras) and the tail of the event stream that feeds them."""

    def __init__(self, tools: Callable[[], ToolContext]) -> None:
        self._tools = tools
        self._watchers: dict[str, dict[object, _Watcher]] = {}
        self._answers: TtlCache | None = None
        self._group: TaskGroup | None = None
        self._tailing = False
        self._starting = anyio.Lock()
        self.legacy: weakref.WeakKeyDictionary[Connection, dict[str, Callable[[], None]]] = weakref.WeakKeyDictionary()
        """A 2025-era session's (its connection's) subscriptions: URI -> how to drop it."""

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Notifier]:
        """Serve notifications for the block (the server's lifespan)."""
        async with anyio.create_task_group() as group:
            self._group = group
            try:
                yield self
            finally:
                self._group = None
                self._watchers.clear()
                group.cancel_scope.cancel()

    @property
    def default_account(self) -> int:
        return self._tools().settings.default_account_id

    async def admit(self, reader: Reader, uri: str) -> str | None:
        """Why `reader` may not watch `uri` (None: they may). Asks Chatwoot, and starts the stream's tail."""
        watched = watched_resource(uri, self.default_account)
        if watched is None:
            return UNWATCHABLE
        allowed = await self._may_read(reader, watched)
        if allowed is None:
            return "Chatwoot could not be asked whether you may read this; try again shortly"
        if not allowed:
            return REFUSED
        from chatwoot_mcp.state import StateUnavailable

        try:
            await self._tail_from_now()
        except StateUnavailable:
            return "the shared state (where changes arrive) cannot be reached; try again shortly"
        return None

    def add(self, reader: Reader, uri: str, send: Callable[[str], Awaitable[None]]) -> Callable[[], None]:
        """Tell `send` when `uri` changes (checked by `admit` first); returns how to stop (idempotent)."""
        token = object()
        self._watchers.setdefault(uri, {})[token] = _Watcher(reader, send)

        def remove() -> None:
            watchers = self._watchers.get(uri)
            if watchers is not None:
                watchers.pop(token, None)
                if not watchers:
                    self._watchers.pop(uri, None)

        return remove

    def _access(self) -> TtlCache:
        """The remembered answers, made on the first subscription: the lifespan builds the notifier before a stdio
        host's handshake, and the cache's module imports the Chatwoot client, which start-up never needs."""
        if self._answers is None:
            from chatwoot_mcp.state.memory import TtlCache

            self._answers = TtlCache()
        return self._answers

    async def _may_read(self, reader: Reader, watched: Watched) -> bool | None:
        key = f"{reader.key}:{watched.account_id}:{watched.conversation_id or 'queue'}"
        known = await self._access().cache_get(key)
        if known is not None:
            return bool(known)
        allowed = await reader.may_read(watched)
        if allowed is not None:
            await self._access().cache_set(key, allowed, ACCESS_TTL)
        return allowed

    def _stream(self) -> EventStream:
        return cast(EventStream, self._tools().state)

    async def _tail_from_now(self) -> None:
        """Start reading the stream after its newest event (once: it then runs until the server stops)."""
        if self._tailing:
            return
        async with self._starting:
            if self._tailing or self._group is None:
                return
            stream = self._stream()
            cursor = await stream.event_cursor()  # before the subscription is answered: nothing after it is missed
            self._tailing = True
            self._group.start_soon(self._tail, stream, cursor)
            if not self._tools().settings.webhooks:
                self._group.start_soon(self._poll)

    async def _poll(self) -> None:
        """Without webhooks, poll Chatwoot for the watched accounts (`events.polling`, one request per account every
        POLL_INTERVAL seconds across replicas), as one of each account's subscribers: what it finds is appended to
        the stream, and the tail delivers it."""
        from chatwoot_client import ChatwootError
        from chatwoot_mcp.events.polling import POLL_INTERVAL, poll
        from chatwoot_mcp.state import StateUnavailable

        while True:
            readers: dict[int, Reader] = {}
            for uri, watchers in list(self._watchers.items()):
                watched = watched_resource(uri, self.default_account)
                if watched is not None and watchers:
                    readers.setdefault(watched.account_id, next(iter(watchers.values())).reader)
            for account_id, reader in readers.items():
                try:
                    await poll(reader.tools, account_id)
                except (ChatwootError, StateUnavailable) as error:
                    log.info("notifications: polling account %s failed (%s); trying again", account_id, error)
                except Exception:  # the poll loop outlives any one failure (it runs beside the whole server)
                    log.exception("notifications: polling account %s failed; trying again", account_id)
            await anyio.sleep(POLL_INTERVAL)

    async def _tail(self, stream: EventStream, cursor: str) -> None:
        from chatwoot_mcp.state import StateUnavailable

        while True:
            try:
                events = await stream.event_read(cursor, TAIL_BATCH, TAIL_WAIT)
            except StateUnavailable as error:  # Redis restarting: keep the cursor and try again
                log.warning("notifications: the event stream cannot be read (%s); retrying", error)
                await anyio.sleep(1.0)
                continue
            except Exception:  # whatever went wrong, subscribers keep being served once it passes
                log.exception("notifications: reading the event stream failed; retrying")
                await anyio.sleep(1.0)
                continue
            if events:
                cursor = events[-1].id
                self._deliver(events)

    def _deliver(self, events: Sequence[Event]) -> None:
        """Start one notification per subscriber whose resource these events touched (a burst on one conversation
        is one notification)."""
        default = self.default_account
        touched: dict[str, tuple[Watched, set[int]]] = {}
        for event in events:
            uris = [_queue_uri(event.account_id, default), f"{QUEUE_URI}?account_id={event.account_id}"]
            if event.account_id == default:
                uris.append(f"{TRANSCRIPT_PREFIX}{event.conversation_id}")
            for uri in uris:
                if uri in self._watchers:
                    watched = watched_resource(uri, default) or Watched(event.account_id)
                    touched.setdefault(uri, (watched, set()))[1].add(event.conversation_id)
        group = self._group
        if group is None:
            return
        for uri, (watched, conversations) in touched.items():
            for token, watcher in list(self._watchers.get(uri, {}).items()):
                group.start_soon(self._notify, uri, token, watcher, watched.account_id, conversations)

    async def _notify(
        self, uri: str, token: object, watcher: _Watcher, account_id: int, conversations: set[int]
    ) -> None:
        try:
            for conversation_id in sorted(conversations):
                if await self._may_read(watcher.reader, Watched(account_id, conversation_id)):
                    break
            else:
                return  # nothing in it this user may read
        except Exception:  # a failure here must not end the notifier's task group (and with it the server)
            log.exception("notifications: could not check who may hear of %s", uri)
            return
        try:
            with anyio.fail_after(SEND_TIMEOUT):
                await watcher.send(uri)
        except Exception:  # a closed session or a stream nobody reads: it hears nothing more
            watchers = self._watchers.get(uri)
            if watchers is not None:
                watchers.pop(token, None)


# -- the 2026-07-28 era: subscriptions/listen -----------------------------------------------------------------------


class _Listening:
    __slots__ = ("notifier", "reader", "uris")

    def __init__(self, notifier: Notifier, reader: Reader, uris: tuple[str, ...]) -> None:
        self.notifier = notifier
        self.reader = reader
        self.uris = uris


_LISTENING: ContextVar[_Listening | None] = ContextVar("chatwoot_mcp_listening", default=None)
"""Set by `_gate` while the SDK's ListenHandler opens a stream: whose stream it is, and what it was admitted to."""


class LiveBus:
    """The SubscriptionBus the server's `subscriptions/listen` streams register on.

    A stream opened through the gate is also registered with the notifier for the URIs it was admitted to, as the
    user who opened it; the notifier delivers to it alone. `publish` (what `ctx.notify_*` calls) reaches every
    stream in this process, as the SDK's in-memory bus does.
    """

    def __init__(self) -> None:
        self._listeners: dict[object, Callable[[ServerEvent], None]] = {}

    async def publish(self, event: ServerEvent) -> None:
        for listener in list(self._listeners.values()):
            try:
                listener(event)
            except Exception:  # one listener must not starve the others
                log.exception("a subscription listener raised")
        await anyio.lowlevel.checkpoint()

    def subscribe(self, listener: Callable[[ServerEvent], None]) -> Callable[[], None]:
        token = object()
        self._listeners[token] = listener
        listening = _LISTENING.get()
        removes: list[Callable[[], None]] = []
        if listening is not None:

            async def send(uri: str) -> None:
                listener(ResourceUpdated(uri=uri))

            removes = [listening.notifier.add(listening.reader, uri, send) for uri in listening.uris]

        def unsubscribe() -> None:
            self._listeners.pop(token, None)
            for remove in removes:
                remove()

        return unsubscribe


async def _gate(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Middleware: a `subscriptions/listen` naming a resource its user may not read is refused before the ack."""
    if ctx.method != "subscriptions/listen":
        return await call_next(ctx)
    params = SubscriptionsListenRequestParams.model_validate(ctx.params or {}, by_name=False)
    uris = tuple(dict.fromkeys(params.notifications.resource_subscriptions or ()))
    if not uris:
        return await call_next(ctx)
    if len(uris) > MAX_WATCHED:
        raise MCPError(INVALID_PARAMS, f"one stream watches at most {MAX_WATCHED} resources")
    notifier, reader = _subscriber(ctx)
    for uri in uris:
        refusal = await notifier.admit(reader, uri)
        if refusal is not None:
            raise MCPError(INVALID_REQUEST, refusal)
    token = _LISTENING.set(_Listening(notifier, reader, uris))
    try:
        return await call_next(ctx)
    finally:
        _LISTENING.reset(token)


# -- the 2025 era: resources/subscribe and resources/unsubscribe ----------------------------------------------------


async def _subscribe(ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams) -> EmptyResult:
    notifier, reader = _subscriber(ctx)
    connection = _connection(ctx)
    if not connection.has_standalone_channel:
        raise MCPError(
            INVALID_REQUEST,
            "this connection keeps no stream to send updates on (stateless HTTP); clients of protocol 2026-07-28 "
            "can watch resources with subscriptions/listen",
        )
    uri = str(params.uri)
    subscriptions = notifier.legacy.setdefault(connection, {})
    if uri in subscriptions:
        return EmptyResult()
    if len(subscriptions) >= MAX_WATCHED:
        raise MCPError(INVALID_PARAMS, f"one session watches at most {MAX_WATCHED} resources: unsubscribe one first")
    refusal = await notifier.admit(reader, uri)
    if refusal is not None:
        raise MCPError(INVALID_REQUEST, refusal)
    # Held weakly: a session that ends without unsubscribing is forgotten at its next update.
    session = weakref.ref(connection)

    async def send(changed: str) -> None:
        live = session()
        if live is None:
            raise _Gone
        await live.send_resource_updated(changed)

    subscriptions[uri] = notifier.add(reader, uri, send)
    return EmptyResult()


async def _unsubscribe(ctx: ServerRequestContext[Any, Any], params: UnsubscribeRequestParams) -> EmptyResult:
    notifier, _ = _subscriber(ctx)
    remove = notifier.legacy.get(_connection(ctx), {}).pop(str(params.uri), None)
    if remove is not None:
        remove()
    return EmptyResult()


def _connection(ctx: ServerRequestContext[Any, Any]) -> Connection:
    """The client connection (a 2025-era session) behind the request: `ctx.session` is built afresh per request,
    and the SDK offers its connection to handlers only through this attribute."""
    return ctx.session._connection  # pyright: ignore[reportPrivateUsage]


def _subscriber(ctx: ServerRequestContext[Any, Any]) -> tuple[Notifier, Reader]:
    """The notifier of the server run handling `ctx`, and who the request acts as."""
    notifier = getattr(ctx.lifespan_context, "notifier", None)
    if not isinstance(notifier, Notifier):
        raise MCPError(INVALID_REQUEST, "this server does not send resource updates")
    return notifier, Reader(request_tools(ctx))


def request_tools(ctx: ServerRequestContext[Any, Any]) -> ToolContext:
    """The ToolContext a low-level request handler acts with: the server's, as the request's user when it has one."""
    from mcp.server.mcpserver import Context

    from chatwoot_mcp.context import ToolContext, tool_context

    live = ctx.lifespan_context
    tools = live if isinstance(live, ToolContext) else live.get()
    return tool_context(Context(request_context=replace(ctx, lifespan_context=tools)))


def install_notifications(server: MCPServer[Any]) -> None:
    """Serve `resources/subscribe` / `resources/unsubscribe` (which declares `resources.subscribe` to 2025-era
    clients) and gate `subscriptions/listen` per user. The server must have been built with a `LiveBus`."""
    # MCPServer has no public API for the 2025 subscription methods; the SDK's own everything-server registers them
    # the same way.
    lowlevel = server._lowlevel_server  # pyright: ignore[reportPrivateUsage]
    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, _subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, _unsubscribe)
    lowlevel.middleware.append(_gate)
