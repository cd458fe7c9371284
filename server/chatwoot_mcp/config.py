"""The server's configuration: one typed object, built from environment variables and CLI flags.

Flags win over the environment. Every problem is reported at once, as one paragraph that says what to set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlparse

__all__ = ["ENV_VARS", "ConfigError", "Settings", "load_settings"]

Transport = Literal["stdio", "sse", "streamable-http"]

ENV_VARS = {
    "CHATWOOT_BASE_URL": "Chatwoot URL, e.g. https://app.chatwoot.com",
    "CHATWOOT_API_TOKEN": "access token of the Chatwoot user the agent acts as (Profile settings > Access Token)",
    "CHATWOOT_ACCOUNT_ID": "the account to work in, or a comma-separated allowlist (the first is the default)",
    "CHATWOOT_MCP_READ_ONLY": "1/true: only read tools are listed and callable",
    "CHATWOOT_MCP_TOOLSETS": "comma-separated toolsets to enable (default: all)",
    "CHATWOOT_MCP_TOOLS": "comma-separated tool names to enable (narrows the toolsets)",
    "CHATWOOT_MCP_EXCLUDE_TOOLS": "comma-separated tool names to disable (wins over every include)",
    "CHATWOOT_MCP_ALLOW_NEW_LABELS": "1/true: label tools may add labels not defined in the account",
    "CHATWOOT_MCP_HTTP_TOKEN": "bearer token HTTP clients must send (required to bind beyond loopback)",
    "CHATWOOT_MCP_ALLOWED_HOSTS": "extra Host names HTTP clients may use, comma-separated (Host/Origin checks)",
}


class ConfigError(Exception):
    """The configuration is missing or wrong; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know, validated."""

    base_url: str
    api_token: str = field(repr=False)
    account_ids: tuple[int, ...]
    read_only: bool = False
    toolsets: frozenset[str] | None = None
    tools: frozenset[str] | None = None
    exclude_tools: frozenset[str] = frozenset()
    allow_new_labels: bool = False
    transport: Transport = "stdio"
    host: str = "127.0.0.1"
    port: int = 8000
    http_token: str | None = field(default=None, repr=False)
    allowed_hosts: tuple[str, ...] = ()
    allow_unauthenticated_remote: bool = False
    sandbox: bool = False
    verify_token: bool = True

    @property
    def default_account_id(self) -> int:
        return self.account_ids[0]

    @property
    def pinned_account(self) -> bool:
        """One account: tools do not take an account_id at all."""
        return len(self.account_ids) == 1

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in output or logs."""
        return tuple(s for s in (self.api_token, self.http_token) if s)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(name: str, value: str | None, problems: list[str]) -> bool:
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered not in _FALSE:
        problems.append(f"{name} must be true or false, got {value!r}")
    return False


def _names(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(n.strip() for n in value.split(",") if n.strip())


def load_settings(env: Mapping[str, str] | None = None, **flags: object) -> Settings:
    """Build Settings from `env` (default os.environ) overridden by non-None `flags` (CLI options).

    Raises:
        ConfigError: with one paragraph naming every missing or invalid setting and how to fix it.
    """
    env = os.environ if env is None else env
    given = {k: v for k, v in flags.items() if v is not None}
    problems: list[str] = []
    sandbox = bool(given.get("sandbox", False))

    def pick(flag: str, var: str) -> str | None:
        value = given.get(flag)
        return str(value) if value is not None else env.get(var)

    base_url = (pick("base_url", "CHATWOOT_BASE_URL") or "").strip()
    api_token = (pick("api_token", "CHATWOOT_API_TOKEN") or "").strip()
    accounts_raw = (pick("account_id", "CHATWOOT_ACCOUNT_ID") or "").strip()
    if sandbox:
        from chatwoot_mcp.sandbox import SANDBOX_ACCOUNT, SANDBOX_TOKEN, SANDBOX_URL

        base_url, api_token = SANDBOX_URL, api_token or SANDBOX_TOKEN
        accounts_raw = accounts_raw or str(SANDBOX_ACCOUNT)

    if not base_url:
        problems.append("CHATWOOT_BASE_URL (or --base-url) is not set")
    elif urlparse(base_url).scheme not in ("http", "https") or not urlparse(base_url).netloc:
        problems.append(f"CHATWOOT_BASE_URL must be an http(s) URL such as https://app.chatwoot.com, got {base_url!r}")
    if not api_token:
        problems.append("CHATWOOT_API_TOKEN is not set (a user access token from Chatwoot's Profile settings)")
    account_ids: list[int] = []
    if not accounts_raw:
        problems.append("CHATWOOT_ACCOUNT_ID (or --account-id) is not set (the number in /app/accounts/<id>/ URLs)")
    else:
        for part in accounts_raw.split(","):
            part = part.strip()
            if part.isdigit() and int(part) > 0:
                account_ids.append(int(part))
            else:
                problems.append(f"CHATWOOT_ACCOUNT_ID must be positive integers separated by commas, got {part!r}")

    read_only = bool(given.get("read_only")) or _flag(
        "CHATWOOT_MCP_READ_ONLY", env.get("CHATWOOT_MCP_READ_ONLY"), problems
    )
    allow_new = bool(given.get("allow_new_labels")) or _flag(
        "CHATWOOT_MCP_ALLOW_NEW_LABELS", env.get("CHATWOOT_MCP_ALLOW_NEW_LABELS"), problems
    )
    transport = str(given.get("transport", "stdio"))
    host = str(given.get("host", "127.0.0.1"))
    port = int(given.get("port", 8000))  # type: ignore[arg-type]
    http_token = pick("http_token", "CHATWOOT_MCP_HTTP_TOKEN") or None
    insecure = bool(given.get("allow_unauthenticated_remote", False))
    if transport != "stdio" and not _is_loopback(host) and not http_token and not insecure:
        problems.append(
            f"binding {host} exposes Chatwoot beyond this machine: set CHATWOOT_MCP_HTTP_TOKEN (or --http-token) so "
            "clients must send it as a bearer token, or pass --i-understand-this-exposes-chatwoot-without-auth"
        )

    if problems:
        raise ConfigError(
            "chatwoot-mcp is not configured: "
            + "; ".join(problems)
            + ". Set these as environment variables or flags (see `chatwoot-mcp serve --help`), "
            "or try it without a Chatwoot at all: `chatwoot-mcp serve --sandbox`."
        )

    return Settings(
        base_url=base_url.rstrip("/"),
        api_token=api_token,
        account_ids=tuple(dict.fromkeys(account_ids)),
        read_only=read_only,
        toolsets=_names(_str(given.get("toolsets")) or env.get("CHATWOOT_MCP_TOOLSETS")),
        tools=_names(_str(given.get("tools")) or env.get("CHATWOOT_MCP_TOOLS")),
        exclude_tools=_names(_str(given.get("exclude_tools")) or env.get("CHATWOOT_MCP_EXCLUDE_TOOLS")) or frozenset(),
        allow_new_labels=allow_new,
        transport=transport,  # type: ignore[arg-type]
        host=host,
        port=port,
        http_token=http_token,
        allowed_hosts=tuple(
            sorted(_names(_str(given.get("allowed_hosts")) or env.get("CHATWOOT_MCP_ALLOWED_HOSTS")) or ())
        ),
        allow_unauthenticated_remote=insecure,
        sandbox=sandbox,
        verify_token=bool(given.get("verify_token", True)),
    )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
