"""`chatwoot-mcp webhooks register | list | delete`: the account webhook that sends Chatwoot's events to this server.

Registering needs an administrator's token (CHATWOOT_API_TOKEN; Chatwoot answers an agent's with 401). It creates
one account webhook for the events the server's event feed reads and prints the webhook's signing secret once, as
the CHATWOOT_MCP_WEBHOOK_SECRET line to give the server. `list` masks the secrets; nothing here prints the API token.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx2

from chatwoot_mcp.config import LOG_LEVELS, ConfigError, Settings
from chatwoot_mcp.edges.redaction import redact

if TYPE_CHECKING:
    from chatwoot_client import AsyncChatwootClient

__all__ = ["FEED_EVENTS", "RECEIVER_PATH", "add_webhook_commands", "run_webhooks_command"]

FEED_EVENTS = ("conversation_created", "conversation_status_changed", "conversation_updated", "message_created")
"""The Chatwoot events the event feed turns into events (status, assignment, labels, messages, notes)."""
RECEIVER_PATH = "/webhooks/chatwoot"
"""Where the HTTP transports receive them."""
WEBHOOK_NAME = "chatwoot-mcp"
ADMIN_HINT = (
    "webhooks are an administrator's setting: set CHATWOOT_API_TOKEN to an administrator's access token (Profile "
    "settings > Access Token of an administrator of the account)"
)


def add_webhook_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `webhooks` command and its three subcommands, each with the Chatwoot options it needs."""
    webhooks = commands.add_parser("webhooks", help="register the account webhook that sends events to this server")
    actions = webhooks.add_subparsers(dest="webhooks_command", required=True)
    register = actions.add_parser(
        "register",
        help="create the account webhook (administrator token) and print its signing secret once",
        description="Create the Chatwoot account webhook that posts events to this server's receiver, and print "
        "the secret to configure as CHATWOOT_MCP_WEBHOOK_SECRET. The token comes from CHATWOOT_API_TOKEN only.",
    )
    register.add_argument(
        "--url", required=True, help=f"the server's public receiver, e.g. https://mcp.example.com{RECEIVER_PATH}"
    )
    register.add_argument(
        "--events",
        help=f"comma-separated Chatwoot events (default: {','.join(FEED_EVENTS)})",
    )
    register.add_argument(
        "--name", default=WEBHOOK_NAME, help=f"the webhook's name in Chatwoot (default {WEBHOOK_NAME})"
    )
    listing = actions.add_parser("list", help="list the account's webhooks (secrets masked)")
    delete = actions.add_parser("delete", help="delete one of the account's webhooks")
    delete.add_argument("webhook_id", type=int, metavar="ID", help="the webhook's id (see `webhooks list`)")
    for parser in (register, listing, delete):
        group = parser.add_argument_group("Chatwoot (flags override the environment)")
        group.add_argument("--base-url", help="Chatwoot URL [CHATWOOT_BASE_URL]")
        group.add_argument("--account-id", help="the account [CHATWOOT_ACCOUNT_ID]")
        group.add_argument("--sandbox", action="store_true", default=None, help="use the embedded demo Chatwoot")
        group.add_argument(
            "--log-level", type=str.upper, choices=LOG_LEVELS, help="log level on stderr [CHATWOOT_MCP_LOG_LEVEL]"
        )


async def run_webhooks_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run `webhooks register|list|delete`: 0 done, 1 refused or failed (said on stderr, without any secret)."""
    if not settings.api_token:
        raise ConfigError("webhooks commands need CHATWOOT_API_TOKEN: " + ADMIN_HINT)
    if len(settings.account_ids) != 1:
        raise ConfigError("webhooks belong to one account: pick it with --account-id (or CHATWOOT_ACCOUNT_ID)")
    events = _events(args.events) if args.webhooks_command == "register" else []
    if args.webhooks_command == "register":
        _check_url(args.url)
    from chatwoot_client import AsyncChatwootClient, ChatwootError

    async with (
        _http(settings) as http,
        AsyncChatwootClient(settings.base_url, settings.api_token, http_client=http) as client,
    ):
        try:
            if args.webhooks_command == "register":
                return await _register(client, settings.default_account_id, args.url, events, args.name)
            if args.webhooks_command == "list":
                return await _list(client, settings.default_account_id)
            return await _delete(client, settings.default_account_id, args.webhook_id)
        except ChatwootError as error:
            _fail(_refusal(error, args.webhooks_command), settings)
            return 1


def _http(settings: Settings) -> httpx2.AsyncClient:
    if settings.sandbox:
        from chatwoot_mcp.launch import sandbox

        return sandbox.sandbox_http_client()
    return httpx2.AsyncClient()


def _events(given: str | None) -> list[str]:
    from chatwoot_client.types.webhook import WEBHOOK_EVENTS

    if given is None:
        return list(FEED_EVENTS)
    events = list(dict.fromkeys(part.strip() for part in given.split(",") if part.strip()))
    unknown = [event for event in events if event not in WEBHOOK_EVENTS]
    if unknown or not events:
        raise ConfigError(
            f"--events: {', '.join(unknown) or 'none given'} is not a Chatwoot webhook event; choose from "
            + ", ".join(WEBHOOK_EVENTS)
        )
    return events


def _check_url(url: str) -> None:
    """Chatwoot accepts any text containing `http:`; refuse here what could never receive anything."""
    try:
        parsed = httpx2.URL(url)
    except Exception:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"--url must be an absolute http(s) URL such as https://mcp.example.com{RECEIVER_PATH}")


def _warnings(url: str) -> list[str]:
    parsed = httpx2.URL(url)
    notes = []
    if parsed.path.rstrip("/") != RECEIVER_PATH:
        notes.append(f"the server receives webhooks at {RECEIVER_PATH}; this URL's path is {parsed.path or '/'}")
    if parsed.scheme != "https":
        notes.append("the URL is not https: the events (customer messages) would cross the network in clear")
    if _private(parsed.host):
        notes.append(
            "Chatwoot 4.14+ does not deliver to loopback or private addresses unless its environment sets "
            "SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true (the deliveries fail silently)"
        )
    return notes


def _private(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


async def _register(client: AsyncChatwootClient, account_id: int, url: str, events: Sequence[str], name: str) -> int:
    webhook = await client.webhooks.create(account_id, url, events, name)
    print(f"Created webhook {webhook.id} in account {account_id}: {webhook.url}")
    print(f"Events: {', '.join(webhook.subscriptions)}")
    for note in _warnings(url):
        print(f"warning: {note}", file=sys.stderr)
    if not webhook.secret:
        print(
            "error: this Chatwoot did not give the webhook a secret (signing needs Chatwoot 4.12 or later), so the "
            f"server cannot verify its deliveries and will refuse them. Remove it with `chatwoot-mcp webhooks delete "
            f"{webhook.id}` after upgrading Chatwoot.",
            file=sys.stderr,
        )
        return 1
    print()
    print("Give the server this signing secret (printed only this once; store it like a password):")
    print()
    print(f"    CHATWOOT_MCP_WEBHOOK_SECRET={webhook.secret}")
    print()
    print("Set it where the server runs over HTTP (every replica), or pass it as --webhook-secret.")
    return 0


async def _list(client: AsyncChatwootClient, account_id: int) -> int:
    webhooks = await client.webhooks.list(account_id)
    if not webhooks:
        print(f"No webhooks in account {account_id}.")
        return 0
    for webhook in webhooks:
        secret = f"{webhook.secret[:4]}…" if webhook.secret else "(none: unsigned)"
        name = f" ({webhook.name})" if webhook.name else ""
        print(f"{webhook.id}{name}: {webhook.url}")
        print(f"    events: {', '.join(webhook.subscriptions)}")
        print(f"    secret: {secret}")
    return 0


async def _delete(client: AsyncChatwootClient, account_id: int, webhook_id: int) -> int:
    await client.webhooks.delete(account_id, webhook_id)
    print(f"Deleted webhook {webhook_id} from account {account_id}.")
    return 0


def _refusal(error: Exception, command: str) -> str:
    """What went wrong, in words; for a write whose fate is unknown, that it may have been applied."""
    from chatwoot_client import (
        ChatwootAPIError,
        ChatwootAuthError,
        ChatwootConnectionError,
        ChatwootNotFoundError,
        ChatwootServerError,
        ChatwootValidationError,
    )

    if command != "list" and (
        isinstance(error, ChatwootServerError) or (isinstance(error, ChatwootConnectionError) and error.sent)
    ):
        done = "created" if command == "register" else "deleted"
        return (
            f"no clear answer from Chatwoot ({error}); the webhook may have been {done}: check with "
            "`chatwoot-mcp webhooks list`"
        )

    if isinstance(error, ChatwootAuthError):
        return f"Chatwoot refused (401: {error.description}): {ADMIN_HINT}"
    if isinstance(error, ChatwootValidationError):
        hint = ""
        if "taken" in error.description:
            hint = " A webhook with this URL exists already: `chatwoot-mcp webhooks list` shows it."
        return f"Chatwoot refused the webhook ({error.status_code}: {error.description}).{hint}"
    if isinstance(error, ChatwootNotFoundError):
        return "Chatwoot answered 404: no such account or webhook (see `chatwoot-mcp webhooks list`)"
    if isinstance(error, ChatwootAPIError):
        return f"Chatwoot answered {error.status_code}: {error.description}"
    if isinstance(error, ChatwootConnectionError):
        return f"could not reach Chatwoot: {error}"
    return str(error)


def _fail(message: str, settings: Settings) -> None:
    print(f"error: {redact(message, settings.secrets)}", file=sys.stderr)
