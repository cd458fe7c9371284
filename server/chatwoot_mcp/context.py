"""What every tool call can reach: the client, the settings, and the state shared across calls."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from mcp.server.mcpserver import Context
from pydantic import TypeAdapter

from chatwoot_client import AsyncChatwootClient
from chatwoot_client.types import Agent, CannedResponse, Inbox, Label, Team
from chatwoot_mcp.config import Settings
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.identity import Identity
from chatwoot_mcp.state import MemoryState, SentReply, State

if TYPE_CHECKING:
    from chatwoot_mcp.launch.startup import StartupCheck

__all__ = [
    "DIRECTORY_TTL",
    "REQUEST_NARROWING",
    "REQUEST_SCOPES",
    "REQUEST_USER",
    "Directory",
    "SentReply",
    "ToolContext",
    "tool_context",
]

T = TypeVar("T")

DIRECTORY_TTL = 60.0

REQUEST_USER = "chatwoot_mcp.user"
"""The ASGI scope key where `--auth chatwoot-token`'s middleware leaves the request's `auth.UserSession`."""
REQUEST_SCOPES = "chatwoot_mcp.scopes"
"""The ASGI scope key where OAuth leaves the scopes the request's token grants (a frozenset of str). Absent: the
request is not OAuth-authorized, and no scope narrows the tools it sees (`surface.visibility`)."""
REQUEST_NARROWING = "chatwoot_mcp.narrowing"
"""The ASGI scope key where `http.narrowing` leaves what the request's URL narrows the tools to (a
`surface.visibility.Narrowing`), e.g. for /mcp/readonly or /mcp/x/labels."""


def _private_state() -> State:
    return MemoryState("directory")


_AGENTS, _TEAMS = TypeAdapter(list[Agent]), TypeAdapter(list[Team])
_INBOXES, _LABELS = TypeAdapter(list[Inbox]), TypeAdapter(list[Label])
_CANNED = TypeAdapter(list[CannedResponse])


@dataclass
class Directory:
    """Agents, teams, inboxes and labels per account, cached for DIRECTORY_TTL seconds in the state's cache.

    Without a state of its own (a per-user directory) the cache is private to this object. When a shared state
    cannot be reached, every call fetches.
    """

    client: AsyncChatwootClient
    state: State = field(default_factory=_private_state)
    ttl: float = DIRECTORY_TTL

    async def _cached(
        self, kind: str, account_id: int, fetch: Callable[[int], Awaitable[list[Any]]], model: TypeAdapter[list[T]]
    ) -> list[T]:
        key = _key(kind, account_id)
        hit = await self._kept(key, model)
        return hit if hit is not None else await self._keep(key, await fetch(account_id))

    async def _kept(self, key: str, model: TypeAdapter[list[T]]) -> list[T] | None:
        hit = await self.state.cache_get(key)
        return None if hit is None else model.validate_python(hit)

    async def _keep(self, key: str, value: list[Any]) -> list[Any]:
        await self.state.cache_set(key, [item.model_dump(mode="json") for item in value], self.ttl)
        return value

    async def agents(self, account_id: int) -> list[Agent]:
        return await self._cached("agents", account_id, self.client.agents.list, _AGENTS)

    async def teams(self, account_id: int) -> list[Team]:
        return await self._cached("teams", account_id, self.client.teams.list, _TEAMS)

    async def inboxes(self, account_id: int) -> list[Inbox]:
        return await self._cached("inboxes", account_id, self.client.inboxes.list, _INBOXES)

    async def labels(self, account_id: int) -> list[Label]:
        return await self._cached("labels", account_id, self.client.labels.list, _LABELS)

    async def canned_responses(self, account_id: int, search: str) -> list[CannedResponse]:
        """The canned responses Chatwoot finds for `search`, in its order, asked now and kept for the next lookup
        (a reply's preview, shown twice, and the reply itself look the same short code up)."""
        key = _canned_key(account_id, search)
        return await self._keep(key, await self.client.canned_responses.list(account_id, search))

    async def cached_canned_responses(self, account_id: int, search: str) -> list[CannedResponse] | None:
        """What `canned_responses` answered for `search` within the last DIRECTORY_TTL seconds, if anything."""
        return await self._kept(_canned_key(account_id, search), _CANNED)


def _key(kind: str, account_id: int) -> str:
    return f"directory:{kind}:{account_id}"


def _canned_key(account_id: int, search: str) -> str:
    return _key("canned:" + hashlib.sha256(search.encode()).hexdigest()[:32], account_id)  # no model-written text


@dataclass
class ToolContext:
    """Lives as long as the server; handed to every tool call."""

    client: AsyncChatwootClient
    settings: Settings
    directory: Directory
    state: State
    """Write locks, the duplicate-reply window and caches, shared as far as the backend reaches."""
    startup: StartupCheck | None = None
    """The start-up token check when it runs alongside serving (stdio); calls wait for it."""
    identity: Identity | None = None
    """The Chatwoot user this call acts as, once known (the audit log names them)."""
    recheck_user: Callable[[], Awaitable[None]] | None = None
    """Per-user auth: make the next request check the user's Chatwoot token again (a call got Chatwoot's 401)."""

    @classmethod
    def create(
        cls,
        client: AsyncChatwootClient,
        settings: Settings,
        startup: StartupCheck | None = None,
        state: State | None = None,
    ) -> ToolContext:
        state = state or MemoryState(settings.base_url)
        return cls(
            client=client,
            settings=settings,
            directory=Directory(client, state),
            state=state,
            startup=startup,
        )

    async def who(self) -> Identity | None:
        """The Chatwoot user this call acts as: the request's user, else the token's, asked of Chatwoot once and
        remembered; None if Chatwoot cannot say."""
        if self.identity is not None:
            return self.identity
        try:
            profile = await self.client.profile.get()
        except Exception:  # the caller goes on without a name (the audit line) or refuses (a reply's token)
            return None
        self.identity = Identity(profile.id, profile.name or str(profile.id), tuple(a.id for a in profile.accounts))
        return self.identity

    def account(self, requested: int | None) -> int:
        """The account a call acts in: the pinned one, or a requested one from the allowlist.

        With per-user tokens the allowlist is narrowed to the accounts the calling user belongs to.
        """
        accounts = self.settings.account_ids
        if self.identity is not None and self.settings.per_user:
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
        recheck_user=user.recheck,
        settings=replace(tools.settings, api_token=user.token),  # so their token is scrubbed like the server's
    )
