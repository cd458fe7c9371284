"""Every error the client raises, rooted at one class so callers can catch them all.

    ChatwootError                      anything this client raises on purpose
    ├── ChatwootConnectionError        the request never got a response (DNS, refused, reset, TLS)
    │   └── ChatwootTimeoutError       ... because a connect/read/write timeout expired
    └── ChatwootAPIError               the server answered with a non-2xx status
        ├── ChatwootValidationError    400, 422: the request was understood and refused
        ├── ChatwootAuthError          401: bad or missing token, or no access (Chatwoot uses 401 for authz too)
        ├── ChatwootPermissionError    403
        ├── ChatwootNotFoundError      404: unknown account, conversation, message, team
        ├── ChatwootRateLimitError     429: throttled by rack-attack
        └── ChatwootServerError        5xx: also what Chatwoot sends for an invalid enum value

Messages name the method and path, never the API token.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ChatwootAPIError",
    "ChatwootAuthError",
    "ChatwootConnectionError",
    "ChatwootError",
    "ChatwootNotFoundError",
    "ChatwootPermissionError",
    "ChatwootRateLimitError",
    "ChatwootServerError",
    "ChatwootTimeoutError",
    "ChatwootValidationError",
]


class ChatwootError(Exception):
    """Base class of every error raised by chatwoot_client."""


class ChatwootConnectionError(ChatwootError):
    """The request got no HTTP response: the server could not be reached or the connection broke."""


class ChatwootTimeoutError(ChatwootConnectionError):
    """The request timed out before a response arrived."""


class ChatwootAPIError(ChatwootError):
    """Chatwoot answered with an error status.

    Attributes:
        status_code: the HTTP status.
        description: the server's own words, read from whichever error body shape it sent.
        errors: any further messages the body listed.
        method, path: the request that failed (without the host or token).
    """

    def __init__(
        self,
        status_code: int,
        description: str,
        errors: list[str] | None = None,
        *,
        method: str = "",
        path: str = "",
        body: Any = None,
    ) -> None:
        self.status_code = status_code
        self.description = description
        self.errors = errors or []
        self.method = method
        self.path = path
        self.body = body
        super().__init__(self._format())

    def _format(self) -> str:
        text = f"[{self.status_code}] {self.description}"
        extra = [e for e in self.errors if e != self.description]
        if extra:
            text += " - " + "; ".join(extra)
        if self.method:
            text += f" ({self.method} {self.path})"
        return text


class ChatwootValidationError(ChatwootAPIError):
    """400 or 422: Chatwoot refused the request's content (see `description` and `errors`)."""


class ChatwootAuthError(ChatwootAPIError):
    """401: the token is unknown or missing, the user is not in the account, or lacks access to the record."""


class ChatwootPermissionError(ChatwootAPIError):
    """403: the action is not allowed for this record (e.g. message status updates outside API inboxes)."""


class ChatwootNotFoundError(ChatwootAPIError):
    """404: the account, conversation, team or message does not exist."""


class ChatwootRateLimitError(ChatwootAPIError):
    """429: Chatwoot throttled the request. `retry_after` holds the server's hint in seconds, if it sent one."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ChatwootServerError(ChatwootAPIError):
    """5xx: Chatwoot failed. It also answers 500 for invalid enum values, such as an unknown status."""
