"""What every task that works on a job run does first, and how it fails the run.

A job task is given the id of a run it (or the relay) opened: the run must exist, and a task
whose run has moved on (finished, failed, or not started yet for a chunk) has nothing to do.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from webapp.models import JobRun
from webapp.services.outbox import jobs
from workers.base import VentureTask

STARTABLE = ("queued", "running")
RUNNING = ("running",)


def job_or_skip(
    session: Session, job_id: int, statuses: Collection[str]
) -> JobRun | dict[str, Any]:
    """The run if its status is one of `statuses`, else the task's result saying why it skips.

    Runs are never deleted, so a run that does not exist is a failure to record, not a skip.
    """
    job = jobs.get(session=session, job_id=job_id)
    if job is None:
        raise LookupError(f"job {job_id} does not exist")
    if job.status not in statuses:
        return {"skipped": f"job is {job.status}"}
    return job


@contextmanager
def failing_job(task: VentureTask, job_id: int) -> Iterator[None]:
    """Mark the job failed when the work fails for good (not when it will be retried)."""
    try:
        yield
    except Exception as exc:
        will_retry = isinstance(exc, task.autoretry_for) and task.request.retries < task.max_retries
        if not will_retry:
            with task.runtime.session() as session:
                jobs.fail(session=session, job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
