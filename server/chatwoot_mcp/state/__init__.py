"""The state shared across tool calls (locks, duplicate-reply window, caches), behind one interface."""

from __future__ import annotations

from chatwoot_mcp.config import Settings
from chatwoot_mcp.state.base import LOCK_LEASE, LOCK_TIMEOUT, SentReply, State, StateUnavailable
from chatwoot_mcp.state.memory import MemoryState

__all__ = ["LOCK_LEASE", "LOCK_TIMEOUT", "MemoryState", "SentReply", "State", "StateUnavailable", "open_state"]


def open_state(settings: Settings) -> State:
    """The backend `settings` name: Redis for `--state redis://...`, else in-process (the default)."""
    if settings.state_url:
        from chatwoot_mcp.state.redis import RedisState  # the redis package loads only when chosen

        return RedisState(settings.state_url, settings.base_url, settings.state_lease)
    return MemoryState(settings.base_url)
