"""Progress of long jobs (full refresh, retraining, imports) that the UI and the CLI show.

Each function commits, so give it a session that holds no unfinished work of your own.
Several workers may report chunks of the same run: `advance` is one atomic increment.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select, update

from webapp.models import JobRun, User, utcnow
from webapp.models.enums import JobKind, JobStatus
from webapp.services.common.locks import begin_write

OPEN_STATUSES = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


def create(
    *,
    session: Session,
    kind: JobKind | str,
    params: dict[str, Any] | None = None,
    actor: User | None = None,
    total: int = 0,
) -> JobRun:
    """Record a queued run (commits) so the UI shows it before any worker picks it up."""
    job = JobRun(
        kind=JobKind(kind).value,
        status=JobStatus.QUEUED.value,
        params=params or {},
        triggered_by=actor.id if actor else None,
        total=total,
    )
    session.add(job)
    session.commit()
    return job


def start(
    *, session: Session, job_id: int, total: int | None = None, message: str | None = None
) -> JobRun | None:
    """Mark a run as running (idempotent: a redelivered task may start it again)."""
    begin_write(session=session, name="jobs")
    job = session.get(JobRun, job_id, populate_existing=True)
    if job is None:
        return None
    if job.status == JobStatus.QUEUED.value or job.started_at is None:
        job.started_at = utcnow()
    if job.status in OPEN_STATUSES:
        job.status = JobStatus.RUNNING.value
    if total is not None:
        job.total = total
    if message is not None:
        job.message = message[:500]
    session.commit()
    return job


def advance(*, session: Session, job_id: int, by: int = 1, message: str | None = None) -> None:
    """Add `by` to the run's done count in one statement (safe from concurrent workers)."""
    values: dict[str, Any] = {"done": col(JobRun.done) + by}
    if message is not None:
        values["message"] = message[:500]
    session.exec(update(JobRun).where(col(JobRun.id) == job_id).values(**values))
    session.commit()


def finish(
    *,
    session: Session,
    job_id: int,
    result: dict[str, Any] | None = None,
    message: str | None = None,
) -> JobRun | None:
    """Mark a run as succeeded with its result figures."""
    begin_write(session=session, name="jobs")
    job = session.get(JobRun, job_id, populate_existing=True)
    if job is None:
        return None
    job.status = JobStatus.SUCCEEDED.value
    job.finished_at = utcnow()
    job.done = max(job.done, job.total)
    job.result = result or {}
    if message is not None:
        job.message = message[:500]
    session.commit()
    return job


def fail(*, session: Session, job_id: int, error: str) -> JobRun | None:
    """Mark a run as failed, keeping the error for the people watching it."""
    begin_write(session=session, name="jobs")
    job = session.get(JobRun, job_id, populate_existing=True)
    if job is None:
        return None
    job.status = JobStatus.FAILED.value
    job.finished_at = utcnow()
    job.error = error[:4000]
    session.commit()
    return job


def get(*, session: Session, job_id: int) -> JobRun | None:
    """One run, freshly read."""
    return session.get(JobRun, job_id, populate_existing=True)


def latest(*, session: Session, kind: JobKind | str) -> JobRun | None:
    """The newest run of a kind, whatever its status."""
    return session.exec(
        select(JobRun)
        .where(col(JobRun.kind) == JobKind(kind).value)
        .order_by(col(JobRun.created_at).desc(), col(JobRun.id).desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()


def active(*, session: Session, kind: JobKind | str) -> JobRun | None:
    """A queued or running run of this kind, so a second request can join it."""
    return session.exec(
        select(JobRun)
        .where(col(JobRun.kind) == JobKind(kind).value)
        .where(col(JobRun.status).in_(OPEN_STATUSES))
        .order_by(col(JobRun.id).desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()


def progress(job: JobRun) -> float:
    """Fraction done, for a progress bar (0 when the total is not known yet)."""
    if job.status == JobStatus.SUCCEEDED.value:
        return 1.0
    return min(1.0, job.done / job.total) if job.total else 0.0
