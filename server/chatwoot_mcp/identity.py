"""Who a tool call acts as: the Chatwoot user behind the token in use."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Identity"]


@dataclass(frozen=True)
class Identity:
    """The Chatwoot user a call acts as, from `/profile` (never the token itself)."""

    user_id: int
    name: str
    account_ids: tuple[int, ...] = ()
    """The accounts the user is a member of (intersected with the configured allowlist where one applies)."""
