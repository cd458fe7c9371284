"""Requests as plain values, and the one place that turns a Chatwoot response into data or an error.

Nothing here does I/O: the sync and async clients both send `APIRequest`s and hand the response to `resume`
(which decodes it with `decode_response` and passes it on to the operation), so they cannot disagree about URLs,
bodies or error mapping.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx2
from pydantic import ValidationError

from chatwoot_client._exceptions import (
    ChatwootAPIError,
    ChatwootAuthError,
    ChatwootNotFoundError,
    ChatwootPermissionError,
    ChatwootRateLimitError,
    ChatwootRequestError,
    ChatwootResponseError,
    ChatwootServerError,
    ChatwootValidationError,
)
from chatwoot_client._retry import parse_retry_after

__all__ = ["APIRequest", "Answer", "Operation", "build_error", "decode_response", "error_from_response", "resume"]

T = TypeVar("T")

QueryValue = str | int | bool | list[str] | None


@dataclass(frozen=True)
class APIRequest:
    """One HTTP call to Chatwoot.

    `idempotent` says whether sending it twice has the same effect as once. Only idempotent requests are
    retried after they may have reached the server (429, 5xx, timeouts, dropped connections); the others
    (creating a conversation, sending a message) are retried only when they provably never reached Chatwoot.
    `retryable=False` sends a request once whatever happens: a password or a one-time code is not sent again
    without the person who typed it.

    Most requests carry the client's API token. Signing in does not: `api_token=False` leaves the
    `api_access_token` header out, and `headers` adds the request's own (devise_token_auth's session headers).
    `full_answer` hands the operation an `Answer` (status and headers too) instead of the decoded body alone.
    The body and the headers stay out of `repr()`: they can hold a password or a session token.

    A request with `files` is sent as multipart/form-data: `form` holds its ordinary fields and `files` its file
    parts as (field name, (filename, bytes, content type)); `json` is then None.
    """

    method: str
    path: str
    params: Mapping[str, QueryValue] = field(default_factory=dict)
    json: Any = field(default=None, repr=False)
    idempotent: bool = True
    retryable: bool = True
    api_token: bool = True
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    full_answer: bool = False
    form: Mapping[str, str] = field(default_factory=dict, repr=False)
    files: Sequence[tuple[str, tuple[str, bytes, str]]] = field(default=(), repr=False)

    def query(self) -> list[tuple[str, str | int | float | bool | None]]:
        """Query pairs with None dropped, booleans as Rails reads them, and lists as repeated `key[]`."""
        pairs: list[tuple[str, str | int | float | bool | None]] = []
        for key, value in self.params.items():
            if value is None:
                continue
            if isinstance(value, list):
                pairs.extend((f"{key}[]", item) for item in value)
            elif isinstance(value, bool):
                pairs.append((key, "true" if value else "false"))
            else:
                pairs.append((key, str(value)))
        return pairs


@dataclass(frozen=True)
class Answer:
    """A successful response as an operation that asked for it (`APIRequest.full_answer`) receives it."""

    status_code: int
    headers: Mapping[str, str] = field(repr=False)
    body: Any = field(repr=False)
    """The decoded JSON body; None when empty."""


Operation = Generator[APIRequest, Any, T]
"""A client call written once for both clients: it yields requests and receives each decoded response (or an
`Answer`, for a request with `full_answer`)."""


_STATUS_ERRORS: dict[int, type[ChatwootAPIError]] = {
    400: ChatwootValidationError,
    401: ChatwootAuthError,
    403: ChatwootPermissionError,
    404: ChatwootNotFoundError,
    422: ChatwootValidationError,
    429: ChatwootRateLimitError,
}


def decode_response(request: APIRequest, response: httpx2.Response) -> Any:
    """Return the JSON body of a successful response (None when empty), or raise the mapped error."""
    if response.is_success:
        if not response.content.strip():
            return None
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise _response_error(request, response, "not JSON") from None
    raise error_from_response(request, response)


_UNREADABLE_BODY = (ValidationError, KeyError, IndexError, TypeError, AttributeError)
"""What an operation raises while reading a body that does not have the shape Chatwoot gives it."""


def resume(operation: Operation[Any], request: APIRequest, response: httpx2.Response) -> APIRequest:
    """Give `operation` the decoded answer to `request`; return the next request it makes (StopIteration at the end).

    An operation reads the body it is given without checks (it is what Chatwoot sends); if the body is something
    else, the error it stumbles into becomes a ChatwootResponseError about this request.
    """
    body = decode_response(request, response)
    try:
        return operation.send(Answer(response.status_code, response.headers, body) if request.full_answer else body)
    except _UNREADABLE_BODY as exc:
        raise _response_error(request, response, _unreadable(body, exc)) from None


def _response_error(request: APIRequest, response: httpx2.Response, reason: str) -> ChatwootResponseError:
    return ChatwootResponseError(response.status_code, reason, method=request.method, path=request.path)


def _unreadable(body: Any, exc: Exception) -> str:
    """A few words on what was wrong with the body, without repeating any of it."""
    if body is None:
        return "an empty body"
    if isinstance(exc, ValidationError):
        return f"JSON that does not fit {exc.title}"
    if isinstance(exc, KeyError) and isinstance(body, dict):
        return f"JSON without the key {exc.args[0]!r}"
    kind = {dict: "object", list: "array", str: "string", bool: "boolean"}.get(type(body), "number")
    return f"a JSON {kind} of an unexpected shape"


def build_error(request: APIRequest, url: str, exc: Exception, *, secrets: Iterable[str] = ()) -> ChatwootRequestError:
    """Why `request` (for `url`, without its query) could not be turned into HTTP; nothing was sent.

    `secrets` (the API token, session headers) are scrubbed from the message, in case the failure was about a header.
    """
    where = f"({request.method} {request.path})"
    if isinstance(exc, httpx2.InvalidURL) and "too long" in str(exc):
        length = len(url) + 1 + len(urlencode(request.query(), quote_via=quote))
        text = f"the request is too large to send (URL of {length} characters); shorten the search text or filters"
    elif isinstance(exc, UnicodeError):
        # Its message would quote a character of the offending text, which may be the token.
        text = f"the request holds text that cannot be encoded ({type(exc).__name__}); check the values and the token"
    else:
        text = f"the request could not be built ({type(exc).__name__}: {exc})"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return ChatwootRequestError(f"{text} {where}", method=request.method, path=request.path)


def error_from_response(request: APIRequest, response: httpx2.Response) -> ChatwootAPIError:
    """Build the typed error for a failed response, reading every body shape Chatwoot sends."""
    status = response.status_code
    body = _json_or_none(response)
    description, errors = _describe(body, response)
    if status >= 500:
        cls: type[ChatwootAPIError] = ChatwootServerError
    else:
        cls = _STATUS_ERRORS.get(status, ChatwootAPIError)
    kwargs: dict[str, Any] = {"method": request.method, "path": request.path, "body": body}
    if cls is ChatwootRateLimitError:
        kwargs["retry_after"] = parse_retry_after(response.headers)
    return cls(status, description, errors, **kwargs)


def _json_or_none(response: httpx2.Response) -> Any:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _describe(body: Any, response: httpx2.Response) -> tuple[str, list[str]]:
    """Chatwoot's error bodies: {"error"}, {"errors": [str]}, {"message", "attributes"}, or text (429, 500)."""
    if isinstance(body, dict):
        errors = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in body.get("errors") or []]
        for key in ("error", "message", "description"):
            if isinstance(body.get(key), str) and body[key]:
                attributes = body.get("attributes")
                if key == "message" and isinstance(attributes, list) and attributes:
                    errors.append("invalid fields: " + ", ".join(map(str, attributes)))
                return body[key], errors
        if errors:
            return errors[0], errors[1:]
    text = response.text.strip()
    if text and "html" not in response.headers.get("content-type", "") and len(text) <= 500:
        return text, []
    return _REASONS.get(response.status_code, response.reason_phrase or "HTTP error"), []


_REASONS = {
    429: "Rate limited by Chatwoot; retry later",
    500: "Chatwoot failed with an internal error (it also does this for invalid values, e.g. an unknown status)",
    502: "Bad gateway in front of Chatwoot",
    503: "Chatwoot is unavailable",
    504: "Gateway timeout in front of Chatwoot",
}
