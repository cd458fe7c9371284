"""The `chatwoot-mcp` command: serve (default), tools, call, schemas and demo."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import anyio

from chatwoot_mcp import __version__
from chatwoot_mcp.config import ENV_VARS, LOG_LEVELS, ConfigError, Settings, load_settings, log_level
from chatwoot_mcp.edges.redaction import redact
from chatwoot_mcp.launch.gc_pause import collector_paused

if TYPE_CHECKING:
    from chatwoot_mcp.launch.startup import StartupCheck

__all__ = ["main"]

log = logging.getLogger("chatwoot_mcp")


class RedactingFilter(logging.Filter):
    """Scrubs secrets, raw or escaped (`redaction.redact`), from every log record before it is written.

    The message is formatted with its arguments first, so a secret in an argument (`%r` shows it escaped)
    is caught too; tracebacks and stack traces are formatted and scrubbed the same way.
    """

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(_message(record), self.secrets), None
        if record.exc_info:
            # Tracebacks carry exception text too; format them here so the scrubbed text is what gets written.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string must not take the program down, nor skip the scrubbing
        return f"{record.msg} {record.args!r}"


def _setup_logging(level: str, secrets: Sequence[str]) -> None:
    """Log to stderr (stdout may be the MCP channel) at `level`, with every record scrubbed of `secrets`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def _config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Chatwoot (flags override the environment)")
    group.add_argument("--base-url", help="Chatwoot URL [CHATWOOT_BASE_URL]")
    group.add_argument("--account-id", help="account id or comma-separated allowlist [CHATWOOT_ACCOUNT_ID]")
    group.add_argument("--sandbox", action="store_true", default=None, help="use the embedded demo Chatwoot")
    group.add_argument(
        "--read-only", action="store_true", default=None, help="only read tools [CHATWOOT_MCP_READ_ONLY]"
    )
    group.add_argument("--toolsets", help="toolsets to enable, comma-separated [CHATWOOT_MCP_TOOLSETS]")
    group.add_argument("--tools", help="tools to enable, comma-separated [CHATWOOT_MCP_TOOLS]")
    group.add_argument("--exclude-tools", help="tools to disable, comma-separated [CHATWOOT_MCP_EXCLUDE_TOOLS]")
    group.add_argument(
        "--allow-new-labels", action="store_true", default=None, help="allow labels not defined in the account"
    )
    group.add_argument(
        "--dynamic-toolsets",
        action="store_true",
        default=None,
        help="start with the conversation read tools; the model enables more [CHATWOOT_MCP_DYNAMIC_TOOLSETS]",
    )
    _log_level_option(group)


def _log_level_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        help="log level on stderr, default WARNING [CHATWOOT_MCP_LOG_LEVEL]",
    )


def _parser() -> argparse.ArgumentParser:
    env_help = "\n".join(f"  {name:32} {text}" for name, text in ENV_VARS.items())
    parser = argparse.ArgumentParser(
        prog="chatwoot-mcp",
        description="MCP server for Chatwoot support conversations.",
        epilog=f"environment:\n{env_help}\n\nThe API token is read from CHATWOOT_API_TOKEN only (flags show in ps).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"chatwoot-mcp {__version__}")
    commands = parser.add_subparsers(dest="command")

    serve = commands.add_parser("serve", help="run the MCP server (default)")
    _config_options(serve)
    serve.add_argument("--transport", choices=["stdio", "sse", "streamable-http"], default="stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument("--http-token", help="bearer token HTTP clients must send [CHATWOOT_MCP_HTTP_TOKEN]")
    serve.add_argument("--allowed-hosts", help="extra Host names for HTTP clients [CHATWOOT_MCP_ALLOWED_HOSTS]")
    serve.add_argument(
        "--public-url",
        help="URL clients on other machines use, e.g. https://mcp.example.com; its host is allowed "
        "[CHATWOOT_MCP_PUBLIC_URL]",
    )
    serve.add_argument(
        "--i-understand-this-exposes-chatwoot-without-auth",
        dest="allow_unauthenticated_remote",
        action="store_true",
        default=None,
        help="bind beyond loopback without a bearer token (anyone who reaches the port acts as your Chatwoot user)",
    )
    serve.add_argument(
        "--auth",
        choices=["token", "chatwoot-token", "oauth"],
        help="token: act as CHATWOOT_API_TOKEN's user; chatwoot-token: each HTTP request sends its user's own "
        "Chatwoot token as a bearer; oauth: hosts sign users in through this server's OAuth 2.1 consent page "
        "(Claude, ChatGPT custom connectors) [CHATWOOT_MCP_AUTH]",
    )
    serve.add_argument(
        "--stateless",
        action="store_true",
        default=None,
        help="stateless streamable HTTP, for several workers or replicas [CHATWOOT_MCP_STATELESS]",
    )
    serve.add_argument(
        "--max-sessions-per-user",
        type=int,
        help="open MCP sessions one user may hold; beyond it their longest-idle one is closed (50; 0: no limit) "
        "[CHATWOOT_MCP_MAX_SESSIONS_PER_USER]",
    )

    serve.add_argument("--state", help="redis://host:6379/0: locks and caches shared by workers [CHATWOOT_MCP_STATE]")
    serve.add_argument(
        "--state-lease", type=float, help="seconds a dead worker's Redis lock lasts (15) [CHATWOOT_MCP_STATE_LEASE]"
    )
    serve.add_argument(
        "--audit-log", help="record every write call: a path, - for stderr, or redis [CHATWOOT_MCP_AUDIT_LOG]"
    )
    serve.add_argument(
        "--webhook-secret",
        help="secret of the Chatwoot webhook that posts to /webhooks/chatwoot (HTTP only; comma-separated to rotate; "
        "the environment keeps it out of ps) [CHATWOOT_MCP_WEBHOOK_SECRET]",
    )

    tools = commands.add_parser("tools", help="list the tools this configuration exposes")
    _config_options(tools)
    tools.add_argument("--markdown", action="store_true", help="print README's tool table")

    call = commands.add_parser("call", help="call one tool through an MCP client session and print the result")
    _config_options(call)
    call.add_argument("tool")
    call.add_argument("arguments", nargs="?", default="{}", help="tool arguments as a JSON object")
    call.add_argument("--json", action="store_true", help="print the structured result as JSON")

    schemas = commands.add_parser("schemas", help="write or check tool_schemas/")
    mode = schemas.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")

    demo = commands.add_parser("demo", help="a scripted triage run against the sandbox, over stdio")
    _log_level_option(demo)
    return parser


def _settings(args: argparse.Namespace, *, need_chatwoot: bool = True) -> Settings:
    flags = {
        key: getattr(args, key, None)
        for key in (
            "base_url",
            "account_id",
            "sandbox",
            "read_only",
            "toolsets",
            "tools",
            "exclude_tools",
            "allow_new_labels",
            "dynamic_toolsets",
            "transport",
            "host",
            "port",
            "http_token",
            "allowed_hosts",
            "public_url",
            "allow_unauthenticated_remote",
            "log_level",
            "state",
            "state_lease",
            "audit_log",
            "auth",
            "stateless",
            "max_sessions_per_user",
            "webhook_secret",
        )
    }
    return load_settings(need_chatwoot=need_chatwoot, **flags)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code.

    A reader that stops early (`chatwoot-mcp tools | head -1`) ends it quietly with 141, as SIGPIPE would.
    """
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # now, while a closed pipe can still be handled, not at interpreter exit
    except BrokenPipeError:
        _stdout_to_devnull()
        return 141


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so the flush at interpreter exit does not fail (and print) a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file (tests capture it): nothing will flush it later
        pass


def _main(argv: Sequence[str] | None) -> int:
    given = list(argv if argv is not None else sys.argv[1:])
    commands = {"serve", "tools", "call", "schemas", "demo"}
    if not any(word in commands for word in given[:1]) and not {"-h", "--help", "--version"} & set(given[:1]):
        given = ["serve", *given]  # serve is the default: `chatwoot-mcp --sandbox` means `chatwoot-mcp serve --sandbox`
    args = _parser().parse_args(given)
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "tools":
            return _tools(args)
        if args.command == "call":
            return anyio.run(_call, args)
        if args.command == "schemas":
            return anyio.run(_schemas, args)
        from chatwoot_mcp.launch.demo import run_demo

        _setup_logging(log_level(args.log_level), [])
        return anyio.run(run_demo)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _serve(args: argparse.Namespace) -> int:
    # Reading the settings imports the tool rows and with them the MCP SDK, most of a start-up: with the collector
    # paused for all of it (gc_pause).
    with collector_paused():
        settings = _settings(args)
        sandbox = None
        if settings.sandbox and settings.transport != "stdio":
            from chatwoot_mcp.launch.sandbox import sandbox_with_webhook

            sandbox, secret = sandbox_with_webhook(settings.host, settings.port)
            # The sandbox's webhook secret joins the settings' before logging starts, so it is redacted everywhere.
            settings = replace(settings, webhook_secrets=(*settings.webhook_secrets, secret))
        _setup_logging(settings.log_level, settings.secrets)
        if settings.sandbox or settings.per_user:
            run, check = _server_without_check(settings, sandbox), None
        else:
            run, check = _server_with_check(settings)
    anyio.run(run)
    if check is not None and check.error is not None:
        raise check.error
    return 0


def _server_with_check(settings: Settings) -> tuple[Callable[[], Awaitable[None]], StartupCheck]:
    """The server with its token checked: over stdio alongside the handshake, over HTTP before binding."""
    import httpx2

    from chatwoot_mcp.http.transports import serve
    from chatwoot_mcp.launch.startup import ANSWER_TIME, HANDSHAKE_GRACE, DeferredTransport, StartupCheck, verify_access
    from chatwoot_mcp.server import create_server

    check = StartupCheck()
    # One connection pool and TLS context for the check and every tool call, built on the first request (building
    # a TLS context takes ~50 ms, which the host's handshake should not wait for).
    http = httpx2.AsyncClient(transport=DeferredTransport())
    server = create_server(settings, startup=check, shared_http=http)

    async def verify() -> None:
        user = await verify_access(settings, shared=http)
        log.info("token belongs to %s; accounts %s", user, settings.account_ids)

    async def run() -> None:
        async with http:
            await run_with(http)

    async def run_with(http: httpx2.AsyncClient) -> None:
        if settings.transport != "stdio":
            await check.run(verify())  # an HTTP server is not spawned per session: check first, then bind
            await serve(server, settings, http)
            return
        # stdio: a host spawns the server and waits for `initialize`, which needs no Chatwoot; the check runs
        # alongside, tool calls wait for it, and a failed check ends the server with its paragraph.
        async with anyio.create_task_group() as group:

            async def checked() -> None:
                # Let the handshake (initialize, tools/list) go first: the check's first request builds the TLS
                # context and its work would otherwise hold up the answers the host is waiting for.
                with anyio.move_on_after(HANDSHAKE_GRACE):
                    while not server.tools_listed:
                        await anyio.sleep(0.005)
                    # tools/list was asked; its answer is still to be written, and the check's first step (importing
                    # the client) would hold it up.
                    await anyio.sleep(ANSWER_TIME)
                await check.run(verify())
                if check.error is not None:
                    group.cancel_scope.cancel()

            # When the host closes stdin first, the check still finishes, so a wrong configuration is reported.
            group.start_soon(checked)
            group.start_soon(serve, server, settings)

    return run, check


def _server_without_check(settings: Settings, sandbox: Any = None) -> Callable[[], Awaitable[None]]:
    """The sandbox (`sandbox`: its state, when built already), or per-user tokens (no token of the server's own to
    check; /readyz asks Chatwoot)."""
    import httpx2

    from chatwoot_mcp.http.transports import serve
    from chatwoot_mcp.launch.startup import DeferredTransport
    from chatwoot_mcp.server import create_server

    if settings.sandbox:
        from chatwoot_mcp.launch.sandbox import sandbox_http_client

        http = sandbox_http_client(sandbox)
    else:
        http = httpx2.AsyncClient(transport=DeferredTransport())
    server = create_server(settings, shared_http=http)

    async def run() -> None:
        async with http:
            await serve(server, settings, http)

    return run


def _tools(args: argparse.Namespace) -> int:
    from chatwoot_mcp.server import enabled_tools

    # Listing needs no Chatwoot, but every filter (flags and environment) applies, and unknown names fail.
    specs = enabled_tools(_settings(args, need_chatwoot=False))
    if args.markdown:
        print("| Tool | Toolset | What it does | Kind |\n|---|---|---|---|")
        for spec in specs:
            kind = "read-only" if spec.read_only else ("destructive" if spec.destructive else "write")
            print(f"| `{spec.name}` | {spec.toolset} | {spec.title} | {kind} |")
        return 0
    rows = [["tool", "toolset", "read-only", "destructive", "idempotent", "title"]]
    for spec in specs:
        flags = [("yes" if value else "-") for value in (spec.read_only, spec.destructive, spec.idempotent)]
        rows.append([spec.name, spec.toolset, *flags, spec.title])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


async def _call(args: argparse.Namespace) -> int:
    from mcp import Client

    from chatwoot_mcp.server import create_server

    try:
        arguments = json.loads(args.arguments)
    except json.JSONDecodeError as error:
        raise ConfigError(f"arguments must be a JSON object, e.g. '{{\"conversation_id\": 1}}' ({error})") from None
    if not isinstance(arguments, dict):
        raise ConfigError("arguments must be a JSON object, e.g. '{\"conversation_id\": 1}'")
    settings = _settings(args)
    _setup_logging(settings.log_level, settings.secrets)
    if not settings.sandbox:
        from chatwoot_mcp.launch.startup import verify_access

        # As `serve` does: a wrong token or account is a configuration error, not a failed call.
        await verify_access(settings)
    async with Client(create_server(settings)) as client:
        known = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool(args.tool, arguments) if args.tool in known else None
    if result is None:
        # Raised outside the client's task group, which would wrap it in an ExceptionGroup main() cannot catch.
        raise ConfigError(f"no tool {args.tool!r} in this configuration (see `chatwoot-mcp tools`)")
    if args.json and result.structured_content is not None:
        print(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
    else:
        print("\n".join(getattr(block, "text", "") for block in result.content))
    return 1 if result.is_error else 0


async def _schemas(args: argparse.Namespace) -> int:
    from chatwoot_mcp.surface.schemas import check_schemas, outside_checkout, write_schemas

    if (problem := outside_checkout()) is not None:
        raise ConfigError(problem)
    if args.write:
        for line in await write_schemas():
            print(line)
        return 0
    problems = await check_schemas()
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0
