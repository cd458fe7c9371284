"""Checks made once before serving (and before `call`): that the token works and reaches the configured accounts."""

from __future__ import annotations

from collections.abc import Callable

import httpx2

from chatwoot_client import AsyncChatwootClient, ChatwootAuthError, ChatwootConnectionError, ChatwootError
from chatwoot_mcp.config import ConfigError, Settings
from chatwoot_mcp.redaction import redact

__all__ = ["verify_access"]


async def verify_access(settings: Settings, http_client: Callable[[], httpx2.AsyncClient] | None = None) -> str:
    """Ask Chatwoot who the token belongs to; return that user's name, or raise ConfigError saying what is wrong.

    The error's text never contains a secret, even if Chatwoot (or a proxy) echoed the token back.
    """
    try:
        return await _verify_access(settings, http_client)
    except ConfigError as error:
        raise ConfigError(redact(str(error), settings.secrets)) from None


async def _verify_access(settings: Settings, http_client: Callable[[], httpx2.AsyncClient] | None) -> str:
    http = http_client() if http_client is not None else httpx2.AsyncClient()
    async with http, AsyncChatwootClient(settings.base_url, settings.api_token, 15.0, http_client=http) as client:
        try:
            profile = await client.profile.get()
        except ChatwootAuthError as error:
            raise ConfigError(
                f"Chatwoot at {settings.base_url} refused CHATWOOT_API_TOKEN ({error.description}). Copy the access "
                "token from your Chatwoot profile settings into CHATWOOT_API_TOKEN."
            ) from None
        except ChatwootConnectionError as error:
            raise ConfigError(
                f"Could not reach Chatwoot at {settings.base_url}: {error}. Check CHATWOOT_BASE_URL."
            ) from None
        except ChatwootError as error:
            raise ConfigError(f"Chatwoot at {settings.base_url} did not answer the token check: {error}") from None
    member_of = {account.id for account in profile.accounts}
    missing = [a for a in settings.account_ids if a not in member_of]
    if profile.accounts and missing:
        raise ConfigError(
            f"The token's user ({profile.name}) is not a member of account(s) {missing}. Their accounts: "
            + ", ".join(f"{a.id} ({a.name})" for a in profile.accounts)
            + ". Set CHATWOOT_ACCOUNT_ID to one of them."
        )
    return profile.name or str(profile.id)
