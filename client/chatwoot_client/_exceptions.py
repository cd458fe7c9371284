"""Every error the client raises, rooted at one class so callers can catch them all.

    ChatwootError                      anything this client raises on purpose
    ├── ChatwootRequestError           the request could not be built (e.g. too large); nothing was sent
    ├── ChatwootConnectionError        the request never got a response (DNS, refused, reset, TLS)
    │   └── ChatwootTimeoutError       ... because a connect/read/write timeout expired
    ├── ChatwootAPIError               the server answered with a non-2xx status
    │   ├── ChatwootValidationError    400, 422: the request was understood and refused
    │   ├── ChatwootAuthError          401: bad or missing token, or no access (Chatwoot uses 401 for authz too)
    │   ├── ChatwootPermissionError    403
    │   ├── ChatwootNotFoundError      404: unknown account, conversation, message, team
    │   ├── ChatwootRateLimitError     429: throttled by rack-attack (or a proxy in front of it)
    │   └── ChatwootServerError        5xx: also what Chatwoot sends for an invalid enum value
    └── ChatwootResponseError          2xx, but with a body Chatwoot never sends (not JSON, or the wrong shape)

Every error raised for a request says which one (`method`, `path`) and whether it may have reached Chatwoot
(`sent`): False only when it provably did not (the connection was never made, or the request could not even be
built), so a write that failed with `sent=True` may have been applied. Messages name the method and path, never
the API token, and never repeat a response body that was not an error message.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ChatwootAPIError",
    "ChatwootAttachmentError",
    "ChatwootAttachmentTooLargeError",
    "ChatwootAuthError",
    "ChatwootConnectionError",
    "ChatwootError",
    "ChatwootNotFoundError",
    "ChatwootPermissionError",
    "ChatwootRateLimitError",
    "ChatwootRequestError",
    "ChatwootResponseError",
    "ChatwootServerError",
    "ChatwootTimeoutError",
    "ChatwootValidationError",
]


class ChatwootError(Exception):
    """Base class of every error raised by chatwoot_client.

    Attributes:
        method, path: the request that failed (without the host or token); empty for errors not about a request.
        sent: False only when the request provably never reached Chatwoot; True when it may have (and so, for a
            write, may have been applied).
    """

    def __init__(self, *args: object, method: str = "", path: str = "", sent: bool = True) -> None:
        super().__init__(*args)
        self.method = method
        self.path = path
        self.sent = sent


class ChatwootRequestError(ChatwootError):
    """The request could not be built, for example a URL too long to send; nothing reached Chatwoot."""

    def __init__(self, *args: object, method: str = "", path: str = "") -> None:
        super().__init__(*args, method=method, path=path, sent=False)


class ChatwootConnectionError(ChatwootError):
    """The request got no HTTP response: the server could not be reached or the connection broke.

    `sent` tells the two apart: False when no connection was made, True when the request may have arrived.
    """


class ChatwootTimeoutError(ChatwootConnectionError):
    """The request timed out before a response arrived (`sent` is False only for a connect timeout)."""


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
        self.body = body
        self.method = method
        self.path = path
        super().__init__(self._format(), method=method, path=path, sent=True)

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


class ChatwootResponseError(ChatwootError):
    """Chatwoot answered 2xx, but with a body it never sends: not JSON, or JSON the client cannot read.

    Usually a proxy or a login page in front of Chatwoot. The request was sent and may have been applied. The body
    itself is not repeated (it could hold anything, secrets included).

    Attributes:
        status_code: the HTTP status.
        reason: what was wrong with the body, in a few words.
    """

    def __init__(self, status_code: int, reason: str, *, method: str = "", path: str = "") -> None:
        self.status_code = status_code
        self.reason = reason
        where = f" to {method} {path}" if method else ""
        super().__init__(
            f"Chatwoot answered {status_code}{where} with a body that is not what Chatwoot sends ({reason})",
            method=method,
            path=path,
            sent=True,
        )


class ChatwootAttachmentError(ChatwootError):
    """An attachment download was refused: its URL (or a redirect) leaves the Chatwoot host, or it is too large."""


class ChatwootAttachmentTooLargeError(ChatwootAttachmentError):
    """The attachment is larger than `max_bytes`; `size` is its declared size in bytes, or None if undeclared."""

    def __init__(self, *args: object, size: int | None, max_bytes: int, method: str = "", path: str = "") -> None:
        super().__init__(*args, method=method, path=path)
        self.size = size
        self.max_bytes = max_bytes
