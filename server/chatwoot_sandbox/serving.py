"""Serving the sandbox on a real socket: the listening socket, the start-up banner, and a loopback server in a thread.

Imported by `python -m chatwoot_sandbox` and by tests and benchmarks that need real TCP; `import chatwoot_sandbox`
does not import it (nor uvicorn).

Why the socket is made here with care: asyncio disables Nagle's algorithm on accepted connections only when the
listening socket was created with `proto=IPPROTO_TCP`, which `socket.socket(AF_INET, SOCK_STREAM)` is not (its
proto is 0). uvicorn, given a pre-bound socket, leaves it to asyncio, so every keep-alive request waited for the
peer's delayed ACK (~40 ms on Linux). `listening_socket` names the protocol and also sets TCP_NODELAY on the
listening socket, which Linux copies to every accepted one.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatwoot_sandbox.state import SandboxState

if TYPE_CHECKING:
    import uvicorn

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]

__all__ = ["LoopbackServer", "banner", "listening_socket", "loopback_server"]


def listening_socket(host: str = "127.0.0.1", port: int = 0, backlog: int = 2048) -> socket.socket:
    """A TCP socket bound to `host:port` (0: a free port) and listening, with Nagle's algorithm off.

    The backlog is large so that connections made right after start-up wait instead of being refused.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """The http:// URL a listening socket serves."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if sock.family == socket.AF_INET6 else f"http://{host}:{port}"


def banner(state: SandboxState, url: str) -> str:
    """What `python -m chatwoot_sandbox` prints on start: where it serves, and who can sign in to which account.

    The first line names the URL and the admin token (scripts read it); the rest lists the accounts, the tokens
    and the sign-in credentials, one short block.
    """
    from chatwoot_sandbox.seed import (
        ADMIN_EMAIL,
        ADMIN_TOKEN,
        AGENT_EMAIL,
        AGENT_TOKEN,
        BOT_TOKEN,
        DEMO_PASSWORD,
        MFA_BACKUP_CODE,
        MFA_CODE,
        MFA_EMAIL,
    )

    def memberships(user_id: int) -> str:
        user = state.users[user_id]
        roles: dict[str, list[str]] = {}
        for account_id, membership in sorted(user.memberships.items()):
            roles.setdefault(membership.role, []).append(str(account_id))
        return "; ".join(f"{role} in account {', '.join(ids)}" for role, ids in roles.items())

    def user_with(token: str) -> str:
        user = next((u for u in state.users.values() if u.access_token == token), None)
        return f"user {user.id} {user.name}, {memberships(user.id)}" if user else "(no such user)"

    accounts = ", ".join(
        f"{account.id} {account.name} ({len(state.account_conversations(account.id))} conversations)"
        for account in sorted(state.accounts.values(), key=lambda a: a.id)
    )
    bot = next((b for b in state.agent_bots.values() if b.access_token == BOT_TOKEN), None)
    named = {ADMIN_TOKEN, AGENT_TOKEN}
    others = sorted((u for u in state.users.values() if u.access_token not in named), key=lambda u: u.id)
    other_ids = ", ".join(str(u.id) for u in others)
    width = max(len(ADMIN_TOKEN), len(AGENT_TOKEN), len(BOT_TOKEN), len("sandbox-user-<id>-token"))
    lines = [
        f"chatwoot_sandbox serving {url} (api_access_token: {ADMIN_TOKEN})",
        f"  accounts  {accounts}",
        f"  tokens    {ADMIN_TOKEN:{width}}  {user_with(ADMIN_TOKEN)}",
        f"            {AGENT_TOKEN:{width}}  {user_with(AGENT_TOKEN)}",
    ]
    if bot is not None:
        lines.append(f"            {BOT_TOKEN:{width}}  agent bot {bot.id} {bot.name}, account {bot.account_id}")
    if others:
        lines.append(f"            {'sandbox-user-<id>-token':{width}}  users {other_ids} (agents)")
    log = state.requests.maxlen
    lines.append(f"  request log keeps the last {log:,} requests" if log is not None else "  request log unbounded")
    lines.append(f"  sign in   password {DEMO_PASSWORD} for every user ({ADMIN_EMAIL}, {AGENT_EMAIL}, ...)")
    lines.append(f"            MFA on for {MFA_EMAIL}: code {MFA_CODE} (backup code {MFA_BACKUP_CODE} works once)")
    return "\n".join(lines)


@dataclass
class LoopbackServer:
    url: str
    server: uvicorn.Server
    sock: socket.socket


@contextmanager
def loopback_server(
    state: SandboxState | None = None, *, app: ASGIApp | None = None, host: str = "127.0.0.1"
) -> Iterator[LoopbackServer]:
    """Serve `app` (default: the sandbox app over `state`) with uvicorn on a free port, in a thread, for the block."""
    import uvicorn

    from chatwoot_sandbox.app import create_app

    sock = listening_socket(host, 0)
    server = uvicorn.Server(uvicorn.Config(app or create_app(state), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the loopback sandbox did not start")
            time.sleep(0.01)
        yield LoopbackServer(url_of(sock), server, sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
