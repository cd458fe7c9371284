"""Turning failures into tool errors the model can act on, with secrets scrubbed from every word."""

from __future__ import annotations

from collections.abc import Iterable

from chatwoot_client import (
    ChatwootAPIError,
    ChatwootAuthError,
    ChatwootConnectionError,
    ChatwootError,
    ChatwootNotFoundError,
    ChatwootPermissionError,
    ChatwootRateLimitError,
    ChatwootRequestError,
    ChatwootResponseError,
    ChatwootServerError,
    ChatwootTimeoutError,
    ChatwootValidationError,
)

__all__ = ["Refusal", "describe_error", "redact"]


class Refusal(Exception):
    """A guard said no. The message says why, shows the state that matters and what to call next.

    Nothing has been written when a Refusal is raised.
    """


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in `text` with a placeholder."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def describe_error(error: ChatwootError) -> str:
    """A one-paragraph explanation of a client error, ending with what to do about it."""
    if isinstance(error, ChatwootNotFoundError):
        return (
            f"Chatwoot could not find that record ({error.description}; {error.method} {error.path}). "
            "Check the id: list_conversations shows conversation ids; the directory tools show agents, teams, inboxes."
        )
    if isinstance(error, ChatwootAuthError):
        return (
            f"Chatwoot refused access ({error.description}). The API token may be wrong or lack access to this "
            "account, inbox or conversation; this is a configuration problem, not something a retry fixes."
        )
    if isinstance(error, ChatwootPermissionError):
        return f"Chatwoot does not allow this action here ({error.description}; {error.method} {error.path})."
    if isinstance(error, ChatwootRateLimitError):
        return f"Chatwoot answered 429 (rate limited; {error.method} {error.path}); wait a minute before calling again."
    if isinstance(error, ChatwootValidationError):
        return f"Chatwoot rejected the request: {error.description}" + (
            f" ({'; '.join(error.errors)})" if error.errors else ""
        )
    if isinstance(error, ChatwootServerError):
        return (
            f"Chatwoot failed with {error.status_code} ({error.method} {error.path}). It also does this for invalid "
            "values; check them."
        )
    if isinstance(error, ChatwootAPIError):
        return f"Chatwoot answered {error.status_code}: {error.description}"
    if isinstance(error, ChatwootResponseError):
        return f"Chatwoot's answer was not readable: {error.reason} ({error.method} {error.path})."
    if isinstance(error, ChatwootRequestError):
        return f"The request could not be sent: {error}."
    if isinstance(error, ChatwootTimeoutError):
        return f"Chatwoot did not answer in time ({error.method} {error.path})."
    if isinstance(error, ChatwootConnectionError):
        if not error.sent:
            return f"Could not reach Chatwoot: {error}. Check CHATWOOT_BASE_URL and the network."
        return f"The connection to Chatwoot broke before its answer arrived ({error.method} {error.path})."
    return str(error)
