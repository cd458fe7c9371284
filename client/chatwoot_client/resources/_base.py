"""What every resource shares: a handle on its client, and checks on ids before they enter a URL path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chatwoot_client._base_client import AsyncAPIClient, SyncAPIClient

__all__ = ["AsyncResource", "SyncResource", "docs_from", "path_id"]

F = TypeVar("F", bound=Callable[..., Any])


class SyncResource:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client


class AsyncResource:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client


def path_id(name: str, value: object) -> int:
    """An id that is safe to put in a URL path: a positive integer, never a string that could add segments."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def docs_from(documented: Callable[..., Any]) -> Callable[[F], F]:
    """Give a sync method the docstring of its async twin, which is where the API is documented."""

    def decorate(method: F) -> F:
        method.__doc__ = documented.__doc__
        return method

    return decorate
