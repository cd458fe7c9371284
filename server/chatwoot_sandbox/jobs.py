"""Background jobs: work Chatwoot hands to Sidekiq and answers before it is done (macros, bulk actions).

A job is queued with a due time `delay` seconds after the request that queued it and runs when the sandbox next
handles a request at or after that time (every request first runs the jobs that are due, as a worker would have by
then). Nobody can tell the difference through the API: the only way to see a job's effect is another request. Tests
run jobs deterministically with `run_all`, and can lose the next jobs (`drop_next`) the way a crashed worker would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["DEFAULT_JOB_DELAY", "Job", "JobQueue"]

log = logging.getLogger("chatwoot_sandbox")

DEFAULT_JOB_DELAY = 0.3
"""Seconds between a request that queues a job and the job's run: long enough that the answer comes first."""


@dataclass
class Job:
    name: str
    due: float
    run: Callable[[], None] = field(repr=False)


@dataclass
class JobQueue:
    """The jobs waiting to run, in the order they were queued, and what became of the others."""

    delay: float = DEFAULT_JOB_DELAY
    pending: list[Job] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    """Names of the jobs that ran (a job that raised counts: Sidekiq logs the error, the job is over)."""
    failed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    drop_next: int = 0
    """How many of the next queued jobs are lost instead (a test hook: the worker died, nothing happens)."""

    def enqueue(self, name: str, now: float, run: Callable[[], None]) -> None:
        if self.drop_next > 0:
            self.drop_next -= 1
            self.dropped.append(name)
            return
        self.pending.append(Job(name, now + self.delay, run))

    def run_due(self, now: float) -> None:
        """Run, oldest first, every job due at `now`."""
        while True:
            job = next((job for job in self.pending if job.due <= now), None)
            if job is None:
                return
            self._run(job)

    def run_all(self) -> None:
        """Run every pending job now, whatever its due time (a test's "the worker caught up")."""
        while self.pending:
            self._run(self.pending[0])

    def _run(self, job: Job) -> None:
        self.pending.remove(job)
        try:
            job.run()
        except Exception:  # a job's failure goes to the error tracker; the request that queued it got 200 long ago
            log.debug("sandbox job %s failed", job.name, exc_info=True)
            self.failed.append(job.name)
        self.done.append(job.name)
