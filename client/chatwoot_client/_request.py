"""Requests as plain values, and the one place that turns a Chatwoot response into data or an error.

Nothing here does I/O: the sync and async clients both send `APIRequest`s and hand the response to
`decode_response`, so they cannot disagree about URLs, bodies or error mapping.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx2

from chatwoot_client._exceptions import (
    ChatwootAPIError,
    ChatwootAuthError,
    ChatwootNotFoundError,
    ChatwootPermissionError,
    ChatwootRateLimitError,
    ChatwootServerError,
    ChatwootValidationError,
)
from chatwoot_client._retry import parse_retry_after

__all__ = ["APIRequest", "Operation", "decode_response", "error_from_response"]

T = TypeVar("T")

QueryValue = str | int | bool | list[str] | None


@dataclass(frozen=True)
class APIRequest:
    """One HTTP call to Chatwoot.

    `idempotent` says whether sending it twice has the same effect as once. Only idempotent requests are
    retried after they may have reached the server (5xx, timeouts, dropped connections); the others
    (creating a conversation, sending a message) are retried only when Chatwoot provably did not run them.
    """

    method: str
    path: str
    params: Mapping[str, QueryValue] = field(default_factory=dict)
    json: Any = None
    idempotent: bool = True

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


Operation = Generator[APIRequest, Any, T]
"""A client call written once for both clients: it yields requests and receives each decoded response."""


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
        return response.json()
    raise error_from_response(request, response)


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
