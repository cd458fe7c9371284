"""The two clients. They share configuration, request building and retry rules; only sending differs.

Each API call is an `Operation` (see `_request`): a generator that yields the requests it needs and gets back
each decoded body. `ChatwootClient.run` drives one with blocking I/O, `AsyncChatwootClient.run` with awaits.
"""

from __future__ import annotations

import logging
import random
import time
from functools import cached_property
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import httpx2

from chatwoot_client._exceptions import (
    ChatwootConnectionError,
    ChatwootError,
    ChatwootRateLimitError,
    ChatwootTimeoutError,
)
from chatwoot_client._request import APIRequest, Operation, build_error, decode_response, error_from_response, resume
from chatwoot_client._retry import RetryPolicy, never_sent, retry_delay, should_retry_status
from chatwoot_client.resources.attachments import AsyncAttachmentsResource, AttachmentsResource
from chatwoot_client.resources.canned_responses import AsyncCannedResponsesResource, CannedResponsesResource
from chatwoot_client.resources.contacts import AsyncContactsResource, ContactsResource
from chatwoot_client.resources.conversations import AsyncConversationsResource, ConversationsResource
from chatwoot_client.resources.directory import (
    AccountLabelsResource,
    AgentsResource,
    AsyncAccountLabelsResource,
    AsyncAgentsResource,
    AsyncInboxesResource,
    AsyncProfileResource,
    AsyncTeamsResource,
    InboxesResource,
    ProfileResource,
    TeamsResource,
)
from chatwoot_client.resources.help_center import (
    ArticlesResource,
    AsyncArticlesResource,
    AsyncPortalsResource,
    PortalsResource,
)
from chatwoot_client.resources.messages import AsyncMessagesResource, MessagesResource

__all__ = ["AsyncChatwootClient", "ChatwootClient"]

log = logging.getLogger("chatwoot_client")
T = TypeVar("T")

Outcome = httpx2.Response | httpx2.TransportError
"""What one attempt ended with: a response (any status), or the transport failure that prevented one."""

DEFAULT_TIMEOUT = 30.0
USER_AGENT = "chatwoot-mcp-client/0.1"


class _BaseClient:
    """Configuration and the decisions both clients make the same way."""

    def __init__(
        self,
        base_url: str,
        api_token: str,
        timeout: float,
        max_retries: int,
        retry_initial_delay: float,
        retry_max_delay: float,
    ) -> None:
        if not base_url or not base_url.startswith(("http://", "https://")):
            raise ChatwootError(f"base_url must be an http(s) URL such as https://app.chatwoot.com, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._api_token = api_token
        self.timeout = timeout
        self.retry_policy = RetryPolicy(max_retries, retry_initial_delay, retry_max_delay)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _headers(self) -> dict[str, str]:
        return {"api_access_token": self._api_token, "accept": "application/json", "user-agent": USER_AGENT}

    def _build(self, http: httpx2.Client | httpx2.AsyncClient, request: APIRequest) -> httpx2.Request:
        """The HTTP request to send; ChatwootRequestError (nothing sent) if it cannot be built, e.g. too large."""
        url = self.base_url + request.path
        try:
            return http.build_request(
                request.method,
                url,
                params=request.query(),
                json=request.json,
                headers=self._headers(),
                timeout=self.timeout,
            )
        except (httpx2.InvalidURL, ValueError, TypeError) as exc:  # ValueError includes UnicodeEncodeError
            raise build_error(request, url, exc, secret=self._api_token) from None

    def _next_delay(self, request: APIRequest, attempt: int, outcome: Outcome) -> float | None:
        """Seconds to wait before retrying `request`, or None to give up with `outcome`."""
        if attempt > self.retry_policy.max_retries:
            return None
        if isinstance(outcome, httpx2.TransportError):
            if not (request.idempotent or never_sent(outcome)):
                return None
            return retry_delay(attempt, None, self.retry_policy, random.random())
        if not should_retry_status(outcome.status_code, idempotent=request.idempotent):
            return None
        error = error_from_response(request, outcome)
        retry_after = error.retry_after if isinstance(error, ChatwootRateLimitError) else None
        return retry_delay(attempt, retry_after, self.retry_policy, random.random())

    @staticmethod
    def _transport_error(request: APIRequest, exc: httpx2.TransportError) -> ChatwootError:
        where = f"({request.method} {request.path})"
        sent = not never_sent(exc)
        if isinstance(exc, httpx2.TimeoutException):
            text = f"Chatwoot did not answer in time {where}: {type(exc).__name__}"
        elif sent:
            text = f"The connection to Chatwoot failed before it answered {where}: {type(exc).__name__}: {exc}"
        else:
            text = f"Could not reach Chatwoot {where}: {type(exc).__name__}: {exc}"
        if not sent:
            text += "; nothing was sent"
        elif request.method != "GET":
            text += "; the request was sent and may have been applied"
        cls = ChatwootTimeoutError if isinstance(exc, httpx2.TimeoutException) else ChatwootConnectionError
        return cls(text, method=request.method, path=request.path, sent=sent)

    @staticmethod
    def _log_retry(request: APIRequest, attempt: int, delay: float, outcome: Outcome) -> None:
        what = outcome.status_code if isinstance(outcome, httpx2.Response) else type(outcome).__name__
        log.info("retrying %s %s after %s (retry %d in %.2fs)", request.method, request.path, what, attempt, delay)


class ChatwootClient(_BaseClient):
    """Blocking Chatwoot client.

    >>> with ChatwootClient("https://app.chatwoot.com", api_token="...") as client:
    ...     client.conversations.list(account_id=1, status="open")

    Parameters:
        base_url: the Chatwoot installation, e.g. https://app.chatwoot.com.
        api_token: a user's access token (Profile settings); sent as the `api_access_token` header only.
        timeout: seconds per request.
        max_retries: retries for throttling, 5xx, connection errors and timeouts (writes that are not
            idempotent are retried only when Chatwoot provably did not run them).
        retry_initial_delay, retry_max_delay: exponential backoff bounds in seconds.
        http_client: an httpx2.Client to send through (for custom transports and tests); closed by you.
    """

    def __init__(
        self,
        base_url: str,
        api_token: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        max_retries: int = RetryPolicy.max_retries,
        retry_initial_delay: float = RetryPolicy.initial_delay,
        retry_max_delay: float = RetryPolicy.max_delay,
        http_client: httpx2.Client | None = None,
    ) -> None:
        super().__init__(base_url, api_token, timeout, max_retries, retry_initial_delay, retry_max_delay)
        self._owns_http = http_client is None
        self._http = http_client or httpx2.Client()

    def run(self, operation: Operation[T]) -> T:
        """Drive an operation to its result with blocking I/O."""
        try:
            request = next(operation)
            while True:
                request = resume(operation, request, self._exchange(request))
        except StopIteration as stop:
            return stop.value

    def send(self, request: APIRequest) -> Any:
        """Send one request, retrying as the policy allows, and return its decoded body."""
        return decode_response(request, self._exchange(request))

    def _exchange(self, request: APIRequest) -> httpx2.Response:
        """The response that ends the retries (any status), or the error for a transport failure that does."""
        attempt = 0
        while True:
            attempt += 1
            built = self._build(self._http, request)
            try:
                outcome: Outcome = self._http.send(built)
            except httpx2.TransportError as exc:
                outcome = exc
            delay = self._next_delay(request, attempt, outcome)
            if delay is None:
                return _final(request, outcome)
            self._log_retry(request, attempt, delay, outcome)
            time.sleep(delay)

    def close(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.close()

    @cached_property
    def conversations(self) -> ConversationsResource:
        """Conversations, and their labels as `conversations.labels`."""
        return ConversationsResource(self)

    @cached_property
    def messages(self) -> MessagesResource:
        """A conversation's messages and private notes."""
        return MessagesResource(self)

    @cached_property
    def profile(self) -> ProfileResource:
        """The user the token belongs to."""
        return ProfileResource(self)

    @cached_property
    def agents(self) -> AgentsResource:
        """The account's agents."""
        return AgentsResource(self)

    @cached_property
    def teams(self) -> TeamsResource:
        """The account's teams."""
        return TeamsResource(self)

    @cached_property
    def inboxes(self) -> InboxesResource:
        """The account's inboxes."""
        return InboxesResource(self)

    @cached_property
    def labels(self) -> AccountLabelsResource:
        """The labels defined in the account."""
        return AccountLabelsResource(self)

    @cached_property
    def contacts(self) -> ContactsResource:
        """Contacts (customers), and their labels as `contacts.labels`."""
        return ContactsResource(self)

    @cached_property
    def canned_responses(self) -> CannedResponsesResource:
        """The account's canned responses (saved replies)."""
        return CannedResponsesResource(self)

    @cached_property
    def attachments(self) -> AttachmentsResource:
        """Attachment files, downloaded from the Chatwoot host only and bounded by size."""
        return AttachmentsResource(self)

    @cached_property
    def portals(self) -> PortalsResource:
        """Help-center portals."""
        return PortalsResource(self)

    @cached_property
    def articles(self) -> ArticlesResource:
        """Help-center articles: list, search, get."""
        return ArticlesResource(self)


class AsyncChatwootClient(_BaseClient):
    """Async Chatwoot client; the same API as `ChatwootClient`, awaited.

    >>> async with AsyncChatwootClient("https://app.chatwoot.com", api_token="...") as client:
    ...     await client.conversations.list(account_id=1, status="open")

    Parameters: as `ChatwootClient`, with `http_client` an httpx2.AsyncClient.
    """

    def __init__(
        self,
        base_url: str,
        api_token: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        max_retries: int = RetryPolicy.max_retries,
        retry_initial_delay: float = RetryPolicy.initial_delay,
        retry_max_delay: float = RetryPolicy.max_delay,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        super().__init__(base_url, api_token, timeout, max_retries, retry_initial_delay, retry_max_delay)
        self._owns_http = http_client is None
        self._http = http_client or httpx2.AsyncClient()

    async def run(self, operation: Operation[T]) -> T:
        """Drive an operation to its result, awaiting each request."""
        try:
            request = next(operation)
            while True:
                request = resume(operation, request, await self._exchange(request))
        except StopIteration as stop:
            return stop.value

    async def send(self, request: APIRequest) -> Any:
        """Send one request, retrying as the policy allows, and return its decoded body."""
        return decode_response(request, await self._exchange(request))

    async def _exchange(self, request: APIRequest) -> httpx2.Response:
        """The response that ends the retries (any status), or the error for a transport failure that does."""
        attempt = 0
        while True:
            attempt += 1
            built = self._build(self._http, request)
            try:
                outcome: Outcome = await self._http.send(built)
            except httpx2.TransportError as exc:
                outcome = exc
            delay = self._next_delay(request, attempt, outcome)
            if delay is None:
                return _final(request, outcome)
            self._log_retry(request, attempt, delay, outcome)
            await anyio.sleep(delay)

    async def aclose(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]
    ) -> None:
        await self.aclose()

    @cached_property
    def conversations(self) -> AsyncConversationsResource:
        """Conversations, and their labels as `conversations.labels`."""
        return AsyncConversationsResource(self)

    @cached_property
    def messages(self) -> AsyncMessagesResource:
        """A conversation's messages and private notes."""
        return AsyncMessagesResource(self)

    @cached_property
    def profile(self) -> AsyncProfileResource:
        """The user the token belongs to."""
        return AsyncProfileResource(self)

    @cached_property
    def agents(self) -> AsyncAgentsResource:
        """The account's agents."""
        return AsyncAgentsResource(self)

    @cached_property
    def teams(self) -> AsyncTeamsResource:
        """The account's teams."""
        return AsyncTeamsResource(self)

    @cached_property
    def inboxes(self) -> AsyncInboxesResource:
        """The account's inboxes."""
        return AsyncInboxesResource(self)

    @cached_property
    def labels(self) -> AsyncAccountLabelsResource:
        """The labels defined in the account."""
        return AsyncAccountLabelsResource(self)

    @cached_property
    def contacts(self) -> AsyncContactsResource:
        """Contacts (customers), and their labels as `contacts.labels`."""
        return AsyncContactsResource(self)

    @cached_property
    def canned_responses(self) -> AsyncCannedResponsesResource:
        """The account's canned responses (saved replies)."""
        return AsyncCannedResponsesResource(self)

    @cached_property
    def attachments(self) -> AsyncAttachmentsResource:
        """Attachment files, downloaded from the Chatwoot host only and bounded by size."""
        return AsyncAttachmentsResource(self)

    @cached_property
    def portals(self) -> AsyncPortalsResource:
        """Help-center portals."""
        return AsyncPortalsResource(self)

    @cached_property
    def articles(self) -> AsyncArticlesResource:
        """Help-center articles: list, search, get."""
        return AsyncArticlesResource(self)


def _final(request: APIRequest, outcome: Outcome) -> httpx2.Response:
    if isinstance(outcome, httpx2.TransportError):
        raise _BaseClient._transport_error(request, outcome) from None
    return outcome
