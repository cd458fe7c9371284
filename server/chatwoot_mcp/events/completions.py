"""Completions (`completion/complete`): what a prompt or resource-template argument can be, as the user types it.

An argument is completed by its name, whichever prompt or template it belongs to: `conversation_id` (the
account's conversations, most recent activity first), `account_id` (the accounts the user may act in), `label` /
`labels`, `agent` / `assignee`, `team`, `inbox` (names from the directory), `canned_response` / `short_code`
(canned short codes). Values are plain strings (the protocol has no label field), so a conversation is offered
as its number alone: no customer name, nothing a customer wrote. Matching is by prefix, case-insensitive; at
most 100 values, with `total` and `hasMore` saying how many matched.

Every list comes from the directory cache (`context.Directory`, DIRECTORY_TTL seconds, per user under per-user
auth), so typing a name asks Chatwoot once a minute at most; recent conversations are kept for
CONVERSATIONS_TTL seconds the same way. A completion never fails the request: when Chatwoot cannot answer, it
offers nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from mcp.server.context import ServerRequestContext
from mcp.types import CompleteRequestParams, CompleteResult, Completion

if TYPE_CHECKING:
    from mcp.server import MCPServer

    from chatwoot_mcp.context import ToolContext

__all__ = ["ARGUMENT_KINDS", "CONVERSATIONS_TTL", "MAX_VALUES", "complete", "install_completions"]

MAX_VALUES = 100
"""The most values one completion answers (the protocol's limit)."""
CONVERSATIONS_TTL = 15.0
"""Seconds the recent-conversations list is reused (it changes faster than the directory)."""

Lister = Callable[["ToolContext", int], Awaitable[list[str]]]


async def _conversations(tools: ToolContext, account_id: int) -> list[str]:
    key = f"completion:conversations:{account_id}"
    cache = tools.directory.state
    kept = await cache.cache_get(key)
    if isinstance(kept, list):
        return [str(value) for value in kept]
    page = await tools.client.conversations.list(account_id, status="all", sort_by="last_activity_at_desc")
    numbers = [str(conversation.id) for conversation in page]
    await cache.cache_set(key, numbers, CONVERSATIONS_TTL)
    return numbers


async def _labels(tools: ToolContext, account_id: int) -> list[str]:
    return [label.title for label in await tools.directory.labels(account_id)]


async def _agents(tools: ToolContext, account_id: int) -> list[str]:
    return [agent.name for agent in await tools.directory.agents(account_id)]


async def _teams(tools: ToolContext, account_id: int) -> list[str]:
    return [team.name for team in await tools.directory.teams(account_id)]


async def _inboxes(tools: ToolContext, account_id: int) -> list[str]:
    return [inbox.name for inbox in await tools.directory.inboxes(account_id)]


async def _canned(tools: ToolContext, account_id: int) -> list[str]:
    kept = await tools.directory.cached_canned_responses(account_id, "")
    found = kept if kept is not None else await tools.directory.canned_responses(account_id, "")
    return [canned.short_code for canned in found]


async def _accounts(tools: ToolContext, account_id: int) -> list[str]:
    accounts = tools.settings.account_ids
    if tools.identity is not None and tools.settings.per_user:
        accounts = tuple(a for a in accounts if a in tools.identity.account_ids)
    return [str(account) for account in accounts]


ARGUMENT_KINDS: dict[str, Lister] = {
    "conversation_id": _conversations,
    "account_id": _accounts,
    "label": _labels,
    "labels": _labels,
    "agent": _agents,
    "assignee": _agents,
    "team": _teams,
    "inbox": _inboxes,
    "canned_response": _canned,
    "short_code": _canned,
}
"""Argument name -> what it can be."""


async def complete(tools: ToolContext, name: str, typed: str, context: dict[str, str] | None = None) -> Completion:
    """The values argument `name` can take that start with `typed` (the account from `context`'s account_id)."""
    from chatwoot_client import ChatwootError
    from chatwoot_mcp.edges.errors import Refusal

    lister = ARGUMENT_KINDS.get(name)
    if lister is None:
        return Completion(values=[], total=0, has_more=False)
    requested = (context or {}).get("account_id", "").strip()
    try:
        account_id = tools.account(int(requested) if requested.isdigit() and len(requested) < 10 else None)
        values = await lister(tools, account_id)
    except (Refusal, ChatwootError):
        return Completion(values=[], total=0, has_more=False)
    prefix = typed.strip().removeprefix("#").casefold() if name == "conversation_id" else typed.strip().casefold()
    matches = list(dict.fromkeys(value for value in values if value.casefold().startswith(prefix)))
    return Completion(values=matches[:MAX_VALUES], total=len(matches), has_more=len(matches) > MAX_VALUES)


async def _handle(ctx: ServerRequestContext[Any, Any], params: CompleteRequestParams) -> CompleteResult:
    from chatwoot_mcp.events.notify import request_tools

    context = params.context.arguments if params.context is not None else None
    completion = await complete(request_tools(ctx), params.argument.name, params.argument.value, context)
    return CompleteResult(completion=completion)


def install_completions(server: MCPServer[Any]) -> None:
    """Serve `completion/complete` (which declares the `completions` capability).

    Registered on the low-level server rather than with `@server.completion()`, whose handlers get no request
    context: a completion acts as the request's user, with their client and directory.
    """
    server._lowlevel_server.add_request_handler(  # pyright: ignore[reportPrivateUsage]
        "completion/complete", CompleteRequestParams, _handle
    )
