"""Checks made once before serving (and before `call`): that the token works and reaches the configured accounts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import httpx2

from chatwoot_mcp.config import ConfigError, Settings
from chatwoot_mcp.edges.redaction import redact

__all__ = [
    "ANSWER_TIME",
    "HANDSHAKE_GRACE",
    "ChatwootUnreachable",
    "DeferredTransport",
    "StartupCheck",
    "verify_access",
]


HANDSHAKE_GRACE = 1.0
"""Seconds the stdio token check waits for the host's tools/list before it starts anyway."""
ANSWER_TIME = 0.05
"""Seconds the check then leaves for the tools/list answer to be written (a tool call waits for the check)."""


class DeferredTransport(httpx2.AsyncBaseTransport):
    """httpx2's default transport (TLS context, connection pool), built when the first request is sent."""

    def __init__(self) -> None:
        self._transport: httpx2.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._transport is None:
            self._transport = httpx2.AsyncHTTPTransport()
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()


class ChatwootUnreachable(ConfigError):
    """The token check got no verdict: Chatwoot did not answer, or answered with a server error. Nothing says the
    configuration is wrong; a server that lives long (the HTTP workers) serves on and lets tool calls report it."""


class StartupCheck:
    """The start-up token check, run alongside serving: tool calls wait for it; a failure is kept for the CLI."""

    def __init__(self) -> None:
        self._done = anyio.Event()
        self.error: ConfigError | None = None

    async def run(self, check: Awaitable[None]) -> None:
        try:
            await check
        except ConfigError as error:
            self.error = error
        finally:
            self._done.set()

    async def wait(self) -> None:
        """Return once the check passed; raise its ConfigError if it failed."""
        await self._done.wait()
        if self.error is not None:
            raise self.error


async def verify_access(
    settings: Settings,
    http_client: Callable[[], httpx2.AsyncClient] | None = None,
    *,
    shared: httpx2.AsyncClient | None = None,
) -> str:
    """Ask Chatwoot who the token belongs to; return that user's name, or raise ConfigError saying what is wrong.

    `shared` is an HTTP client the server goes on using (left open); otherwise one is made (`http_client`) and
    closed. The error's text never contains a secret, even if Chatwoot (or a proxy) echoed the token back.
    """
    try:
        if shared is not None:
            return await _verify_access(settings, shared)
        async with http_client() if http_client is not None else httpx2.AsyncClient() as http:
            return await _verify_access(settings, http)
    except ConfigError as error:
        raise type(error)(redact(str(error), settings.secrets)) from None


async def _verify_access(settings: Settings, http: httpx2.AsyncClient) -> str:
    # Imported here: over stdio the check runs after tools/list is answered, which should not wait for the client.
    from chatwoot_client import (
        AsyncChatwootClient,
        ChatwootAPIError,
        ChatwootAuthError,
        ChatwootConnectionError,
        ChatwootError,
    )

    async with AsyncChatwootClient(settings.base_url, settings.api_token, 15.0, http_client=http) as client:
        try:
            profile = await client.profile.get()
        except ChatwootAuthError as error:
            raise ConfigError(
                f"Chatwoot at {settings.base_url} refused CHATWOOT_API_TOKEN ({error.description}). Copy the access "
                "token from your Chatwoot profile settings into CHATWOOT_API_TOKEN."
            ) from None
        except ChatwootConnectionError as error:
            detail = str(error).split("): ", 1)[-1]  # the client's own words after "(GET /api/v1/profile): "
            raise ChatwootUnreachable(
                f"Could not reach Chatwoot at {settings.base_url} ({detail}). Check CHATWOOT_BASE_URL and that "
                "Chatwoot is up."
            ) from None
        except ChatwootError as error:
            verdict = isinstance(error, ChatwootAPIError) and error.status_code < 500 and error.status_code != 429
            problem = ConfigError if verdict else ChatwootUnreachable
            raise problem(f"Chatwoot at {settings.base_url} did not answer the token check: {error}") from None
    member_of = {account.id for account in profile.accounts}
    missing = [a for a in settings.account_ids if a not in member_of]
    if profile.accounts and missing:
        raise ConfigError(
            f"The token's user ({profile.name}) is not a member of account(s) {missing}. Their accounts: "
            + ", ".join(f"{a.id} ({a.name})" for a in profile.accounts)
            + ". Set CHATWOOT_ACCOUNT_ID to one of them."
        )
    return profile.name or str(profile.id)
