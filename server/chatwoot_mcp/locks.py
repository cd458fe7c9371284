"""Per-conversation write locks that hold across every chatwoot-mcp process on this machine.

Chatwoot has no compare-and-set: its label and custom-attribute writes replace the whole set, so two writers that
read, merge and write at the same time lose one another's change. Within a process an anyio lock serialises them;
across processes (Claude Desktop and Claude Code each running a server, several stdio servers of an agent fleet)
an advisory file lock does, keyed by Chatwoot URL, account and conversation. The operating system releases a file
lock when its process dies, so a crashed server never blocks the others. Servers on other machines share no file
system: they need the shared state of the team server.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio

from chatwoot_mcp.errors import Refusal

try:
    import fcntl
except ImportError:  # Windows: process-local locks only
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_TIMEOUT", "WriteLocks"]

LOCK_TIMEOUT = 30.0
"""Seconds to wait for another writer of the same conversation before refusing."""
_POLL = 0.005


class WriteLocks:
    """`async with locks(key):` holds `key` against this process's other tasks and other processes on this host."""

    def __init__(self, scope: str, directory: Path | None = None) -> None:
        self._scope = scope
        self._directory = directory or Path(tempfile.gettempdir()) / "chatwoot-mcp-locks"
        self._local: dict[Hashable, anyio.Lock] = {}

    @asynccontextmanager
    async def __call__(self, key: Hashable) -> AsyncIterator[None]:
        local = self._local.setdefault(key, anyio.Lock())
        with anyio.move_on_after(LOCK_TIMEOUT) as waiting:
            await local.acquire()
        if waiting.cancelled_caught:
            raise _busy()
        try:
            descriptor = await self._lock_file(key)
            try:
                yield
            finally:
                if descriptor is not None:
                    os.close(descriptor)  # closing releases the lock
        finally:
            local.release()

    async def _lock_file(self, key: Hashable) -> int | None:
        if fcntl is None:
            return None
        try:
            self._directory.mkdir(mode=0o700, exist_ok=True)
            name = hashlib.sha256(f"{self._scope}|{key!r}".encode()).hexdigest()[:32]
            descriptor = os.open(self._directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return None  # no writable temp directory: the process lock still holds
        with anyio.move_on_after(LOCK_TIMEOUT):
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return descriptor
                except BlockingIOError:
                    await anyio.sleep(_POLL)
        os.close(descriptor)
        raise _busy()


def _busy() -> Refusal:
    return Refusal(
        f"Another writer has held this conversation for over {LOCK_TIMEOUT:.0f} s, so nothing was written. "
        "Try again in a minute."
    )
