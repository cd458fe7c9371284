"""The transport both clients share: configuration, request building and retry rules; only sending differs.

Each API call is an `Operation` (see `_request`): a generator that yields the requests it needs and gets back
each decoded body. `SyncAPIClient.run` drives one with blocking I/O, `AsyncAPIClient.run` with awaits; the
clients of `_client` add the resources on top.
"""

from __future__ import annotations

import logging
import random
import time
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

__all__ = ["DEFAULT_TIMEOUT", "USER_AGENT", "AsyncAPIClient", "SyncAPIClient"]

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

    def _headers(self, request: APIRequest) -> dict[str, str]:
        headers = {"accept": "application/json", "user-agent": USER_AGENT}
        if request.api_token:
            headers["api_access_token"] = self._api_token
        headers.update(request.headers)
        return headers

    def _build(self, http: httpx2.Client | httpx2.AsyncClient, request: APIRequest) -> httpx2.Request:
        """The HTTP request to send; ChatwootRequestError (nothing sent) if it cannot be built, e.g. too large."""
        url = self.base_url + request.path
        try:
            if request.files:
                return http.build_request(
                    request.method,
                    url,
                    params=request.query(),
                    data=dict(request.form),
                    files=list(request.files),
                    headers=self._headers(request),
                    timeout=self.timeout,
                )
            return http.build_request(
                request.method,
                url,
                params=request.query(),
                json=request.json,
                headers=self._headers(request),
                timeout=self.timeout,
            )
        except (httpx2.InvalidURL, ValueError, TypeError) as exc:  # ValueError includes UnicodeEncodeError
            raise build_error(request, url, exc, secrets=(self._api_token, *request.headers.values())) from None

    def _next_delay(self, request: APIRequest, attempt: int, outcome: Outcome) -> float | None:
        """Seconds to wait before retrying `request`, or None to give up with `outcome`."""
        if attempt > self.retry_policy.max_retries or not request.retryable:
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


class SyncAPIClient(_BaseClient):
    """Sending with blocking I/O: `ChatwootClient` without its resources."""

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


class AsyncAPIClient(_BaseClient):
    """Sending with awaits: `AsyncChatwootClient` without its resources."""

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


def _final(request: APIRequest, outcome: Outcome) -> httpx2.Response:
    if isinstance(outcome, httpx2.TransportError):
        raise _BaseClient._transport_error(request, outcome) from None
    return outcome
