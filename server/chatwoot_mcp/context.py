"""What every tool call can reach: the client, the settings, and the state shared across calls."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from mcp.server.mcpserver import Context

from chatwoot_client import AsyncChatwootClient
from chatwoot_client.types import Agent, Inbox, Label, Team
from chatwoot_mcp.config import Settings
from chatwoot_mcp.errors import Refusal
from chatwoot_mcp.identity import Identity
from chatwoot_mcp.locks import WriteLocks

if TYPE_CHECKING:
    from chatwoot_mcp.startup import StartupCheck
    from chatwoot_mcp.toolsets import DynamicToolsets

__all__ = ["DIRECTORY_TTL", "REQUEST_USER", "Directory", "SentReply", "ToolContext", "tool_context"]

T = TypeVar("T")

DIRECTORY_TTL = 60.0

REQUEST_USER = "chatwoot_mcp.user"
"""The ASGI scope key where `--auth chatwoot-token`'s middleware leaves the request's `auth.UserSession`."""


@dataclass
class Directory:
    """Agents, teams, inboxes and labels per account, cached for DIRECTORY_TTL seconds."""

    client: AsyncChatwootClient
    ttl: float = DIRECTORY_TTL
    _entries: dict[tuple[str, int], tuple[float, Any]] = field(default_factory=dict)

    async def _cached(self, kind: str, account_id: int, fetch: Callable[[int], Awaitable[T]]) -> T:
        hit = self._entries.get((kind, account_id))
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        value = await fetch(account_id)
        self._entries[(kind, account_id)] = (time.monotonic(), value)
        return value

    async def agents(self, account_id: int) -> list[Agent]:
        return await self._cached("agents", account_id, self.client.agents.list)

    async def teams(self, account_id: int) -> list[Team]:
        return await self._cached("teams", account_id, self.client.teams.list)

    async def inboxes(self, account_id: int) -> list[Inbox]:
        return await self._cached("inboxes", account_id, self.client.inboxes.list)

    async def labels(self, account_id: int) -> list[Label]:
        return await self._cached("labels", account_id, self.client.labels.list)


@dataclass
class SentReply:
    """A reply in the duplicate window: when it was sent, and whether it is known to have reached Chatwoot."""

    at: float
    """time.time() when it was sent (compared with Chatwoot's created_at, so wall-clock time)."""
    certain: bool
    """False while its outcome is unknown (an error after sending): the next identical reply looks first."""


@dataclass
class ToolContext:
    """Lives as long as the server; handed to every tool call."""

    client: AsyncChatwootClient
    settings: Settings
    directory: Directory
    label_locks: WriteLocks
    conversation_locks: WriteLocks
    recent_replies: dict[tuple[int, int, str], SentReply] = field(default_factory=dict)
    toolsets: DynamicToolsets | None = None
    """With --dynamic-toolsets: which toolsets are listed, and how to add one."""
    startup: StartupCheck | None = None
    """The start-up token check when it runs alongside serving (stdio); calls wait for it."""
    identity: Identity | None = None
    """The Chatwoot user this call acts as, once known (the audit log names them)."""

    @classmethod
    def create(
        cls,
        client: AsyncChatwootClient,
        settings: Settings,
        toolsets: DynamicToolsets | None = None,
        startup: StartupCheck | None = None,
    ) -> ToolContext:
        return cls(
            client=client,
            settings=settings,
            directory=Directory(client),
            toolsets=toolsets,
            startup=startup,
            label_locks=WriteLocks(f"labels|{settings.base_url}"),
            conversation_locks=WriteLocks(f"conversation|{settings.base_url}"),
        )

    def account(self, requested: int | None) -> int:
        """The account a call acts in: the pinned one, or a requested one from the allowlist.

        With per-user tokens the allowlist is narrowed to the accounts the calling user belongs to.
        """
        accounts = self.settings.account_ids
        if self.identity is not None and self.settings.auth == "chatwoot-token":
            accounts = tuple(a for a in accounts if a in self.identity.account_ids) or accounts
        if requested is None:
            return self.settings.default_account_id if self.settings.default_account_id in accounts else accounts[0]
        if requested not in accounts:
            allowed = ", ".join(map(str, accounts))
            if requested in self.settings.account_ids:  # served here, but this user is not a member
                raise Refusal(f"Your Chatwoot user is not a member of account {requested}. Use one of: {allowed}.")
            raise Refusal(f"Account {requested} is not allowed here. Use one of: {allowed} (default: the first).")
        return requested


def tool_context(ctx: Context) -> ToolContext:
    """The ToolContext of the server handling `ctx`'s request, acting as the request's user when it has one."""
    tools = cast(ToolContext, ctx.request_context.lifespan_context)
    scope = getattr(ctx.request_context.request, "scope", None)
    user = scope.get(REQUEST_USER) if isinstance(scope, dict) else None
    if user is None:
        return tools
    # A shallow copy: the locks, reply window and shared state stay the server's; client and identity are theirs.
    return replace(
        tools,
        client=user.client,
        directory=user.directory,
        identity=user.identity,
        settings=replace(tools.settings, api_token=user.token),  # so their token is scrubbed like the server's
    )
