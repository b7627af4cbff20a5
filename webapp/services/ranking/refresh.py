"""Asking the workers for a full refresh or a retraining, with progress people can watch.

The CLI, the staff buttons and beat's schedule call these; each commits, and joins a run of
the same kind already queued or running instead of starting a second one. Progress and results
are on the returned `JobRun` (see `webapp.services.outbox.jobs`).
"""

from __future__ import annotations

from sqlmodel import Session

from webapp.models import JobRun, User
from webapp.models.enums import JobKind, JobStatus
from webapp.services.common.audit import record_audit
from webapp.services.common.locks import begin_write
from webapp.services.outbox import jobs
from webapp.services.outbox.outbox import FULL_REFRESH_REQUESTED, RETRAIN_REQUESTED, record_event

_EVENT = {JobKind.FULL_REFRESH: FULL_REFRESH_REQUESTED, JobKind.RETRAIN: RETRAIN_REQUESTED}


def _request(session: Session, kind: JobKind, actor: User | None, reason: str) -> JobRun:
    begin_write(session=session, name="jobs")
    running = jobs.active(session=session, kind=kind)
    if running is not None:
        return running
    job = JobRun(
        kind=kind.value,
        status=JobStatus.QUEUED.value,
        params={"reason": reason},
        triggered_by=actor.id if actor else None,
        message="waiting for a worker",
    )
    session.add(job)
    session.flush()
    record_event(session=session, kind=_EVENT[kind], payload={"job_id": job.id})
    if actor is not None:
        record_audit(
            session=session,
            actor=actor,
            action=f"matching.{kind.value}_requested",
            object_type="job_run",
            object_id=job.id,
            after={"reason": reason},
        )
    session.commit()
    return job


def request_full_refresh(
    *, session: Session, actor: User | None = None, reason: str = "requested"
) -> JobRun:
    """Queue a full refresh of every list (or return the one already queued or running)."""
    return _request(session, JobKind.FULL_REFRESH, actor, reason)


def request_retrain(
    *, session: Session, actor: User | None = None, reason: str = "requested"
) -> JobRun:
    """Queue a retraining of the ranker (or return the one already queued or running)."""
    return _request(session, JobKind.RETRAIN, actor, reason)
