"""What every tool call can reach: the client, the settings, and the state shared across calls."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
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

__all__ = ["DIRECTORY_TTL", "Directory", "SentReply", "ToolContext", "tool_context"]

T = TypeVar("T")

DIRECTORY_TTL = 60.0


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
        """The account a call acts in: the pinned one, or a requested one from the allowlist."""
        if requested is None:
            return self.settings.default_account_id
        if requested not in self.settings.account_ids:
            allowed = ", ".join(map(str, self.settings.account_ids))
            raise Refusal(f"Account {requested} is not allowed here. Use one of: {allowed} (default: the first).")
        return requested


def tool_context(ctx: Context) -> ToolContext:
    """The ToolContext of the server handling `ctx`'s request."""
    return cast(ToolContext, ctx.request_context.lifespan_context)
