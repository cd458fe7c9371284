"""The server's configuration: one typed object, built from environment variables and CLI flags.

Flags win over the environment. Every problem is reported at once, as one paragraph that says what to set,
and never repeats a token's value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from urllib.parse import urlparse

__all__ = ["ENV_VARS", "LOG_LEVELS", "ConfigError", "Settings", "config_error", "load_settings", "log_level"]

Transport = Literal["stdio", "sse", "streamable-http"]
AuthMode = Literal["token", "chatwoot-token", "oauth"]
AUTH_MODES = ("token", "chatwoot-token", "oauth")

ENV_VARS = {
    "CHATWOOT_BASE_URL": "Chatwoot URL, e.g. https://app.chatwoot.com",
    "CHATWOOT_API_TOKEN": "access token of the Chatwoot user the agent acts as (Profile settings > Access Token)",
    "CHATWOOT_ACCOUNT_ID": "the account to work in, or a comma-separated allowlist (the first is the default)",
    "CHATWOOT_MCP_READ_ONLY": "1/true: only read tools are listed and callable",
    "CHATWOOT_MCP_TOOLSETS": "comma-separated toolsets to enable (default: all)",
    "CHATWOOT_MCP_TOOLS": "comma-separated tool names to enable (narrows the toolsets)",
    "CHATWOOT_MCP_EXCLUDE_TOOLS": "comma-separated tool names to disable (wins over every include)",
    "CHATWOOT_MCP_DYNAMIC_TOOLSETS": "1/true: start with the conversation read tools; the model enables more toolsets",
    "CHATWOOT_MCP_ALLOW_NEW_LABELS": "1/true: label tools may add labels not defined in the account",
    "CHATWOOT_MCP_HTTP_TOKEN": "bearer token HTTP clients must send (required to bind beyond loopback)",
    "CHATWOOT_MCP_ALLOWED_HOSTS": "extra Host names HTTP clients may use, comma-separated (Host/Origin checks)",
    "CHATWOOT_MCP_PUBLIC_URL": "URL other machines' clients use, e.g. https://mcp.example.com: its host is allowed",
    "CHATWOOT_MCP_LOG_LEVEL": "log level on stderr: DEBUG, INFO, WARNING (default), ERROR or CRITICAL",
    "CHATWOOT_MCP_STATE": "redis://host:6379/0 to share locks, reply window and caches (default: in-process)",
    "CHATWOOT_MCP_STATE_LEASE": "seconds a Redis write lock outlives a worker that died holding it (default 15)",
    "CHATWOOT_MCP_AUDIT_LOG": "write-call audit log: a file path, - for stderr, or redis (a stream; needs the state)",
    "CHATWOOT_MCP_AUTH": "token (the server's own CHATWOOT_API_TOKEN), chatwoot-token (each HTTP user's own), oauth",
    "CHATWOOT_MCP_STATELESS": "1/true: stateless streamable HTTP (any request may reach any worker or replica)",
    "CHATWOOT_MCP_STATE_KEY": "secret sealing request state, the same on every worker (comma-separated to rotate)",
    "CHATWOOT_MCP_MAX_SESSIONS_PER_USER": "open MCP sessions one HTTP user may hold (default 50; 0: no per-user limit)",
    "CHATWOOT_MCP_WEBHOOK_SECRET": "Chatwoot webhook secret for POST /webhooks/chatwoot (comma-separated to rotate)",
}

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_PLACEHOLDERS = {"base_url": "https://chatwoot.example", "api_token": "unused", "account_id": "1"}
"""What `load_settings(need_chatwoot=False)` uses for connection settings that are not given."""
_WRONG_PATH_SEGMENTS = {"app", "api"}


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
    dynamic_toolsets: bool = False
    transport: Transport = "stdio"
    host: str = "127.0.0.1"
    port: int = 8000
    http_token: str | None = field(default=None, repr=False)
    allowed_hosts: tuple[str, ...] = ()
    public_url: str | None = None
    """The URL clients on other machines use (behind a proxy, the proxy's); its host is among `allowed_hosts`."""
    allow_unauthenticated_remote: bool = False
    sandbox: bool = False
    verify_token: bool = True
    log_level: str = "WARNING"
    state_url: str | None = field(default=None, repr=False)
    """redis://... for the shared state (may hold a password: never shown); None for in-process."""
    state_lease: float = 15.0
    audit_log: str | None = None
    """Where write calls are recorded: a path, "-" (stderr) or "redis"; None for nowhere."""
    auth: AuthMode = "token"
    """"chatwoot-token": no token of the server's own; each HTTP request carries its user's Chatwoot token.
    "oauth": the server is an OAuth 2.1 authorization server; each request carries a token of ours, behind which
    the server keeps (encrypted) the Chatwoot token its user signed in with."""
    stateless: bool = False
    state_keys: tuple[str, ...] = field(default=(), repr=False)
    max_sessions_per_user: int = 50
    """Stateful MCP sessions one user (the request's principal) may hold open at once; 0: no per-user limit."""
    webhook_secrets: tuple[str, ...] = field(default=(), repr=False)
    """The secrets of Chatwoot webhooks whose signed deliveries POST /webhooks/chatwoot accepts (HTTP transports);
    empty: no such route, and the event feed polls."""

    @property
    def default_account_id(self) -> int:
        return self.account_ids[0]

    @property
    def pinned_account(self) -> bool:
        """One account: tools do not take an account_id at all."""
        return len(self.account_ids) == 1

    @property
    def per_user(self) -> bool:
        """Each request acts as its own Chatwoot user (the server holds no token of its own)."""
        return self.auth in ("chatwoot-token", "oauth")

    @property
    def issuer(self) -> str:
        """The OAuth issuer and resource origin: the public URL, else (on loopback) where this server listens."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @cached_property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in output or logs (read on every call's output: worked out once)."""
        return tuple(
            s
            for s in (self.api_token, self.http_token, *self.state_keys, *self.webhook_secrets, self._state_password)
            if s
        )

    @property
    def webhooks(self) -> bool:
        """Whether signed Chatwoot webhooks can reach this server (an HTTP transport with a webhook secret)."""
        return bool(self.webhook_secrets) and self.transport != "stdio"

    @property
    def _state_password(self) -> str | None:
        """The shared state URL's password (redis://:PASSWORD@host), which is a credential like the tokens."""
        if not self.state_url:
            return None
        password = urlparse(self.state_url).password
        # A password of a few characters would blank out common words everywhere; such a password is no secret
        # worth the name, and no code path prints the URL anyway.
        return password if password and len(password) >= MIN_SECRET_LENGTH else None


MIN_SECRET_LENGTH = 8
"""Shorter passwords in the state URL are not redacted from output (they would match ordinary words)."""

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


def config_error(problems: list[str]) -> ConfigError:
    """The one-paragraph error for `problems`: each said once, then how to fix them."""
    return ConfigError(
        "chatwoot-mcp is not configured: "
        + "; ".join(dict.fromkeys(problems))
        + ". Set these as environment variables or flags (see `chatwoot-mcp serve --help`), "
        "or try it without a Chatwoot at all: `chatwoot-mcp serve --sandbox`."
    )


def _base_url_problem(base_url: str) -> str | None:
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return f"CHATWOOT_BASE_URL must be an http(s) URL such as https://app.chatwoot.com, got {base_url!r}"
    segments = parsed.path.split("/")
    wrong = next((i for i, segment in enumerate(segments) if segment.lower() in _WRONG_PATH_SEGMENTS), None)
    if wrong is None:
        return None  # a path of another kind may be a sub-path install (https://example.com/chatwoot)
    # A page or API address copied from the browser: requests would go to /app/accounts/1/api/v1/...
    root = f"{parsed.scheme}://{parsed.netloc}{'/'.join(segments[:wrong])}"
    return f"CHATWOOT_BASE_URL must be the site root, not a page or API address: use {root}, not {base_url!r}"


def _header_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be sent as an HTTP header value, in words that do not show it."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        kind = "a control character (such as a line break)"
    elif not value.isascii():
        kind = "a non-ASCII character"
    else:
        return None
    return f"{name} contains {kind}, which an HTTP header cannot carry; copy the token again (its value is not shown)"


def _log_level(value: str | None, problems: list[str]) -> str:
    level = (value or "WARNING").strip().upper()
    if level not in LOG_LEVELS:
        problems.append(f"CHATWOOT_MCP_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
        return "WARNING"
    return level


def log_level(flag: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The log level from `flag`, else CHATWOOT_MCP_LOG_LEVEL, else WARNING (for commands without Settings).

    Raises:
        ConfigError: when the environment names no level.
    """
    problems: list[str] = []
    level = _log_level(flag or (os.environ if env is None else env).get("CHATWOOT_MCP_LOG_LEVEL"), problems)
    if problems:
        raise config_error(problems)
    return level


def _unknown_names(
    toolsets: frozenset[str] | None, tools: frozenset[str] | None, exclude: frozenset[str] | None
) -> list[str]:
    from chatwoot_mcp.tools import ALL_TOOLS, TOOLSETS  # here: the tools import this module

    problems = []
    unknown_sets = (toolsets or frozenset()) - TOOLSETS.keys()
    if unknown_sets:
        problems.append(f"unknown toolsets {sorted(unknown_sets)} (known: {sorted(TOOLSETS)})")
    unknown_tools = ((tools or frozenset()) | (exclude or frozenset())) - {spec.name for spec in ALL_TOOLS}
    if unknown_tools:
        problems.append(f"unknown tools {sorted(unknown_tools)} (see `chatwoot-mcp tools`)")
    return problems


def load_settings(env: Mapping[str, str] | None = None, *, need_chatwoot: bool = True, **flags: object) -> Settings:
    """Build Settings from `env` (default os.environ) overridden by non-None `flags` (CLI options).

    With `need_chatwoot=False` (for listing tools), a missing URL, token or account gets a placeholder; what
    is given is still checked.

    Raises:
        ConfigError: with one paragraph naming every missing or invalid setting and how to fix it.
    """
    env = os.environ if env is None else env
    given = {k: v for k, v in flags.items() if v is not None}
    problems: list[str] = []
    sandbox = bool(given.get("sandbox", False))

    def pick(flag: str, var: str) -> str | None:
        value = given.get(flag)
        value = str(value) if value is not None else env.get(var)
        if not need_chatwoot and not (value or "").strip():
            return _PLACEHOLDERS.get(flag, value)
        return value

    base_url = (pick("base_url", "CHATWOOT_BASE_URL") or "").strip()
    api_token = (pick("api_token", "CHATWOOT_API_TOKEN") or "").strip()
    accounts_raw = (pick("account_id", "CHATWOOT_ACCOUNT_ID") or "").strip()
    if sandbox:
        from chatwoot_mcp.launch.sandbox import SANDBOX_ACCOUNT, SANDBOX_TOKEN, SANDBOX_URL

        base_url, api_token = SANDBOX_URL, api_token or SANDBOX_TOKEN
        accounts_raw = accounts_raw or str(SANDBOX_ACCOUNT)

    if not base_url:
        problems.append("CHATWOOT_BASE_URL (or --base-url) is not set")
    else:
        problems += filter(None, [_base_url_problem(base_url)])
    auth = (_str(given.get("auth")) or env.get("CHATWOOT_MCP_AUTH") or "token").strip().lower()
    if auth not in AUTH_MODES:
        problems.append(f"CHATWOOT_MCP_AUTH must be one of {', '.join(AUTH_MODES)}, got {auth!r}")
    if auth in ("chatwoot-token", "oauth"):
        api_token = ""  # the server holds no token: every request acts as its own user
    elif not api_token:
        problems.append("CHATWOOT_API_TOKEN is not set (a user access token from Chatwoot's Profile settings)")
    else:
        problems += filter(None, [_header_problem("CHATWOOT_API_TOKEN", api_token)])
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
    dynamic = bool(given.get("dynamic_toolsets")) or _flag(
        "CHATWOOT_MCP_DYNAMIC_TOOLSETS", env.get("CHATWOOT_MCP_DYNAMIC_TOOLSETS"), problems
    )
    transport = str(given.get("transport", "stdio"))
    host = str(given.get("host", "127.0.0.1"))
    port = int(given.get("port", 8000))  # type: ignore[arg-type]
    http_token = (pick("http_token", "CHATWOOT_MCP_HTTP_TOKEN") or "").strip() or None
    if http_token:
        problems += filter(None, [_header_problem("CHATWOOT_MCP_HTTP_TOKEN", http_token)])
    insecure = bool(given.get("allow_unauthenticated_remote", False))
    public_url = (pick("public_url", "CHATWOOT_MCP_PUBLIC_URL") or "").strip() or None
    public_host = _public_host(public_url, problems)
    problems += _auth_problems(auth, transport, http_token, host, public_url) if need_chatwoot else []
    per_user = auth in ("chatwoot-token", "oauth")
    if transport != "stdio" and not _is_loopback(host) and not http_token and not insecure and not per_user:
        problems.append(
            f"binding {host} exposes Chatwoot beyond this machine: set CHATWOOT_MCP_HTTP_TOKEN (or --http-token) so "
            "clients must send it as a bearer token, or have each user send their own Chatwoot token "
            "(--auth chatwoot-token), or pass --i-understand-this-exposes-chatwoot-without-auth"
        )

    toolsets = _names(_str(given.get("toolsets")) or env.get("CHATWOOT_MCP_TOOLSETS"))
    tools = _names(_str(given.get("tools")) or env.get("CHATWOOT_MCP_TOOLS"))
    exclude_tools = _names(_str(given.get("exclude_tools")) or env.get("CHATWOOT_MCP_EXCLUDE_TOOLS")) or frozenset()
    problems += _unknown_names(toolsets, tools, exclude_tools)
    level = _log_level(pick("log_level", "CHATWOOT_MCP_LOG_LEVEL"), problems)
    state_url, state_lease, audit_log = _state_settings(given, env, problems)
    stateless = bool(given.get("stateless")) or _flag(
        "CHATWOOT_MCP_STATELESS", env.get("CHATWOOT_MCP_STATELESS"), problems
    )
    # Order matters: the first key seals, every key unseals (rotation).
    state_keys = tuple(dict.fromkeys(k.strip() for k in env.get("CHATWOOT_MCP_STATE_KEY", "").split(",") if k.strip()))
    if auth == "oauth" and state_url and not state_keys and need_chatwoot:
        problems.append(
            "--auth oauth with a shared state needs CHATWOOT_MCP_STATE_KEY (the same on every replica): the users' "
            "Chatwoot tokens are kept encrypted under it, and a replica without it could not read them"
        )
    if any(len(key.encode()) < 32 for key in state_keys):
        problems.append(
            "CHATWOOT_MCP_STATE_KEY must be at least 32 bytes of random (each key, if several): make one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )

    max_sessions = _max_sessions(_str(given.get("max_sessions_per_user")), env, problems)
    webhook_secrets = _webhook_secrets(pick("webhook_secret", "CHATWOOT_MCP_WEBHOOK_SECRET"), problems)

    if problems:
        raise config_error(problems)

    return Settings(
        base_url=base_url.rstrip("/"),
        api_token=api_token,
        account_ids=tuple(dict.fromkeys(account_ids)),
        read_only=read_only,
        toolsets=toolsets,
        tools=tools,
        exclude_tools=exclude_tools,
        allow_new_labels=allow_new,
        dynamic_toolsets=dynamic,
        transport=transport,  # type: ignore[arg-type]
        host=host,
        port=port,
        http_token=http_token,
        allowed_hosts=tuple(
            sorted(
                (_names(_str(given.get("allowed_hosts")) or env.get("CHATWOOT_MCP_ALLOWED_HOSTS")) or frozenset())
                | ({public_host} if public_host else set())
            )
        ),
        public_url=public_url.rstrip("/") if public_url else None,
        allow_unauthenticated_remote=insecure,
        sandbox=sandbox,
        verify_token=bool(given.get("verify_token", True)),
        log_level=level,
        state_url=state_url,
        state_lease=state_lease,
        audit_log=audit_log,
        auth=auth,  # type: ignore[arg-type]
        stateless=stateless,
        state_keys=state_keys,
        max_sessions_per_user=max_sessions,
        webhook_secrets=webhook_secrets,
    )


MIN_WEBHOOK_SECRET = 16
"""Chatwoot's webhook secrets are 24 characters (32 for webhooks made before 4.12); a short one is a guessable one."""


def _webhook_secrets(value: str | None, problems: list[str]) -> tuple[str, ...]:
    """The webhook secrets, in order (any of them verifies a delivery: rotation), checked without showing them."""
    secrets = tuple(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))
    if any(len(secret) < MIN_WEBHOOK_SECRET for secret in secrets):
        problems.append(
            f"CHATWOOT_MCP_WEBHOOK_SECRET must be the webhook's secret as Chatwoot shows it (at least "
            f"{MIN_WEBHOOK_SECRET} characters each; the value is not shown)"
        )
    return secrets


def _auth_problems(auth: str, transport: str, http_token: str | None, host: str, public_url: str | None) -> list[str]:
    if auth not in ("chatwoot-token", "oauth"):
        return []
    if transport == "stdio":
        return [f"--auth {auth} needs an HTTP transport (--transport streamable-http): stdio has no requests"]
    if http_token:
        return [
            f"CHATWOOT_MCP_HTTP_TOKEN and --auth {auth} both use the Authorization header: unset "
            "CHATWOOT_MCP_HTTP_TOKEN (every user already signs in as themselves)"
        ]
    if auth == "oauth" and public_url is None and not _is_loopback(host):
        return [
            "--auth oauth needs CHATWOOT_MCP_PUBLIC_URL (or --public-url), the https URL hosts reach this server at: "
            "it is the OAuth issuer and the resource tokens are minted for"
        ]
    if auth == "oauth" and public_url is not None:
        parsed = urlparse(public_url)
        if parsed.scheme != "https" and not _is_loopback(parsed.hostname or ""):
            return [
                f"--auth oauth needs an https CHATWOOT_MCP_PUBLIC_URL, got {public_url!r}: tokens and the sign-in "
                "page must not cross the network in clear text (http is accepted only on 127.0.0.1/localhost)"
            ]
        if parsed.path.rstrip("/") or parsed.query or parsed.fragment:
            return [
                f"--auth oauth needs CHATWOOT_MCP_PUBLIC_URL to be the server's origin (https://host[:port]), got "
                f"{public_url!r}: the OAuth endpoints and /mcp live at its root"
            ]
    return []


MAX_SESSIONS_LIMIT = 10_000
"""The highest per-user session limit: the SDK opens no more sessions than this per process, for all users."""


def _max_sessions(flag: str | None, env: Mapping[str, str], problems: list[str]) -> int:
    raw = (flag or env.get("CHATWOOT_MCP_MAX_SESSIONS_PER_USER") or "50").strip()
    if raw.isdigit() and int(raw) <= MAX_SESSIONS_LIMIT:
        return int(raw)
    problems.append(
        f"CHATWOOT_MCP_MAX_SESSIONS_PER_USER must be a whole number from 0 (no per-user limit) to "
        f"{MAX_SESSIONS_LIMIT}, got {raw!r}"
    )
    return 50


def _state_settings(
    given: Mapping[str, object], env: Mapping[str, str], problems: list[str]
) -> tuple[str | None, float, str | None]:
    """The shared state's URL and lease, and the audit log's destination, checked."""
    state_url = (_str(given.get("state")) or env.get("CHATWOOT_MCP_STATE") or "").strip() or None
    if state_url is not None:
        problems += filter(None, [_state_url_problem(state_url)])
    lease_raw = (_str(given.get("state_lease")) or env.get("CHATWOOT_MCP_STATE_LEASE") or "15").strip()
    try:
        lease = float(lease_raw)
    except ValueError:
        lease = 0.0
    if not 0.5 <= lease <= 3600:
        problems.append(f"CHATWOOT_MCP_STATE_LEASE must be seconds between 0.5 and 3600, got {lease_raw!r}")
        lease = 15.0
    audit_log = (_str(given.get("audit_log")) or env.get("CHATWOOT_MCP_AUDIT_LOG") or "").strip() or None
    if audit_log == "redis" and state_url is None:
        problems.append("CHATWOOT_MCP_AUDIT_LOG=redis writes to the shared state's Redis: set CHATWOOT_MCP_STATE too")
    elif audit_log not in (None, "-", "redis") and not _appendable(audit_log):
        problems.append(f"CHATWOOT_MCP_AUDIT_LOG {audit_log!r} cannot be appended to (no such directory, or read-only)")
    return state_url, lease, audit_log


def _appendable(path: str) -> bool:
    """Whether this process may append to `path` (creating it if it is not there yet)."""
    if os.path.exists(path):
        return os.path.isfile(path) and os.access(path, os.W_OK)
    directory = os.path.dirname(path) or "."
    return os.path.isdir(directory) and os.access(directory, os.W_OK)


def _state_url_problem(url: str) -> str | None:
    """What is wrong with a Redis URL, in words that show neither its password nor the rest of it."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss", "unix"):
        return (
            f"CHATWOOT_MCP_STATE must be a Redis URL such as redis://localhost:6379/0 (scheme "
            f"{parsed.scheme or 'missing'!r} is not redis, rediss or unix)"
        )
    try:
        parsed.port  # noqa: B018 (raises for a port that is not a number)
    except ValueError:
        return "CHATWOOT_MCP_STATE has a port that is not a number (e.g. redis://localhost:6379/0)"
    if parsed.scheme != "unix" and not parsed.hostname:
        return "CHATWOOT_MCP_STATE names no host (e.g. redis://localhost:6379/0)"
    return None


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _public_host(url: str | None, problems: list[str]) -> str | None:
    """The host name of CHATWOOT_MCP_PUBLIC_URL (what clients send as Host), or None; a bad URL is a problem."""
    if url is None:
        return None
    parsed = urlparse(url)
    try:
        parsed.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        parsed = parsed._replace(netloc="")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        problems.append(
            f"CHATWOOT_MCP_PUBLIC_URL (or --public-url) must be the http(s) URL clients use to reach this server, "
            f"e.g. https://mcp.example.com, got {url!r}"
        )
        return None
    return f"[{parsed.hostname}]" if ":" in parsed.hostname else parsed.hostname


def _is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
