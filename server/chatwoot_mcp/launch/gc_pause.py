"""The garbage collector paused while a server starts, and its start-up objects kept out of later collections.

Importing the MCP SDK builds a few thousand pydantic models and validators; with the collector running, Python
walks that growing heap again and again while nothing in it is garbage (about a tenth of the import time here).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the collector off; when it succeeds, freeze what it built; then turn the collector back on.

    What start-up builds (modules, classes, schemas) lives as long as the process, so `gc.freeze` moves it to the
    permanent generation: later full collections in a long-running server skip it instead of walking it each time.
    A collector that was already off (an embedding application's choice) stays off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if was_enabled:
            gc.freeze()  # only a start-up that succeeded built what lives as long as the process
    finally:
        if was_enabled:
            gc.enable()
