"""Finding the agent or team a caller means, by id, email or name, and never guessing.

Chatwoot silently unassigns a conversation when asked to assign it to an id that is not an agent of the
account, so every assignment goes through here first.
"""

from __future__ import annotations

import difflib

from chatwoot_client.types import Agent, Team
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal

__all__ = ["resolve_agent", "resolve_team"]


def _is_id(ref: int | str) -> bool:
    # ASCII digits only: "٣" or "３" are not ids (str.isdigit() would say they are).
    return isinstance(ref, int) or (ref.strip().lstrip("#").isascii() and ref.strip().lstrip("#").isdigit())


def _as_id(ref: int | str) -> int:
    return ref if isinstance(ref, int) else int(ref.strip().lstrip("#"))


def _agent_line(agent: Agent) -> str:
    return f"{agent.id} {agent.name}" + (f" <{agent.email}>" if agent.email else "")


async def resolve_agent(tools: ToolContext, account_id: int, ref: int | str) -> Agent:
    """The one agent `ref` names: an id, an email, a full name, or a unique part of a name (case-insensitive)."""
    agents = await tools.directory.agents(account_id)
    if _is_id(ref):
        found = [a for a in agents if a.id == _as_id(ref)]
    else:
        text = str(ref).strip().lower()
        found = [a for a in agents if (a.email or "").lower() == text or a.name.lower() == text]
        if not found:
            found = [a for a in agents if text in a.name.lower().split() or a.name.lower().startswith(text)]
    if len(found) == 1:
        return found[0]
    if found:
        raise Refusal(
            f"{ref!r} matches several agents: {'; '.join(map(_agent_line, found))}. Nothing was written. "
            "Call again with the agent's id or email."
        )
    close = difflib.get_close_matches(str(ref).lower(), [a.name.lower() for a in agents], n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise Refusal(
        f"No agent {ref!r} in account {account_id} (Chatwoot would silently unassign instead).{hint} Nothing was "
        f"written. Agents: {'; '.join(map(_agent_line, agents))}."
    )


async def resolve_team(tools: ToolContext, account_id: int, ref: int | str) -> Team:
    """The one team `ref` names: an id or a name (case-insensitive)."""
    teams = await tools.directory.teams(account_id)
    if _is_id(ref):
        found = [t for t in teams if t.id == _as_id(ref)]
    else:
        text = str(ref).strip().lower()
        found = [t for t in teams if t.name.lower() == text] or [t for t in teams if text in t.name.lower()]
    if len(found) == 1:
        return found[0]
    listing = "; ".join(f"{t.id} {t.name}" for t in teams)
    if found:
        raise Refusal(f"{ref!r} matches several teams ({listing}). Nothing was written. Call again with the team id.")
    raise Refusal(f"No team {ref!r} in account {account_id}. Nothing was written. Teams: {listing or 'none'}.")
