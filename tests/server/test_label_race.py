"""Two real server processes adding labels to one conversation at once, over a loopback sandbox with latency.

Chatwoot has no compare-and-set, so this is where a label guard that merely "reads, merges, writes" reports
labels as added that another process's stale write removed a moment later.
"""

from __future__ import annotations

import pytest
from benchmarks.label_race import run_race


@pytest.mark.anyio
async def test_no_label_is_reported_added_unless_it_is_there_at_the_end() -> None:
    result = await run_race(processes=2, calls=10, jitter=0.02)
    assert not result.errors, result.errors
    assert result.false_successes == set(), "reported as added, missing at the end"
    assert result.unreported == set(), "asked for, neither there nor reported as not kept"
    assert len(result.reported_added) + len(result.not_kept) == 20
