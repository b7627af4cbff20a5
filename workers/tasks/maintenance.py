"""Queue `maintenance`: the outbox and email sweeps, full refresh, retraining, digests, alerts."""

from __future__ import annotations

from typing import Any

from celery import group

from webapp.models import utcnow
from webapp.models.enums import JobKind
from webapp.services.notices import digests, match_news
from webapp.services.outbox import jobs, outbox
from webapp.services.outbox.mail import due_email_ids
from webapp.services.ranking import model_registry, refresh
from webapp.services.ranking.scoring_full import plan_chunks
from workers import parts
from workers.base import VentureTask, venture_task
from workers.dispatch import relay_due
from workers.job_runs import STARTABLE, job_or_skip


@venture_task()
def relay_outbox(self: VentureTask) -> int:
    """Beat's sweep: hand out any event the after-commit wake-up missed, or whose lease ran
    out (its worker died), when no worker's own relay did already."""
    with self.runtime.session() as session:
        return relay_due(self.app, session)


@venture_task()
def sweep_emails(self: VentureTask) -> int:
    """Re-enqueue pending emails whose next attempt is due (a lost task never strands one)."""
    with self.runtime.session() as session:
        due = due_email_ids(session=session)
    for email_id in due:
        self.app.send_task("workers.tasks.notifications.send_email", kwargs={"email_id": email_id})
    return len(due)


@venture_task(soft_time_limit=120, time_limit=150)
def full_refresh_start(
    self: VentureTask,
    job_id: int,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> dict[str, Any]:
    """Split a requested full refresh into chunks that every worker can take a share of."""
    rt = self.runtime
    with rt.session() as session:
        job = job_or_skip(session, job_id, STARTABLE)
        if isinstance(job, dict):
            return job
        snapshot = utcnow()
        chunks = plan_chunks(session=session, chunk_size=rt.tuning.full_refresh_chunk)
        parts.record_plan(job, chunks, snapshot)
        session.add(job)
        session.commit()
        jobs.start(session=session, job_id=job_id, total=sum(len(c) for c in chunks),
                   message=f"scoring {len(chunks)} chunks")  # fmt: skip
    if not chunks:
        self.app.send_task("workers.tasks.scoring.full_refresh_finish", kwargs={"job_id": job_id})
    else:
        chunk_task = self.app.signature("workers.tasks.scoring.full_refresh_chunk")
        group(
            chunk_task.clone(kwargs={"job_id": job_id, "index": i, "venture_ids": ids})
            for i, ids in enumerate(chunks)
        ).apply_async()
    return {"job_id": job_id, "chunks": len(chunks)}


@venture_task(soft_time_limit=3600, time_limit=3700)
def retrain(
    self: VentureTask,
    job_id: int,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> dict[str, Any]:
    """Train; promote only if no worse; rescore everything when a new model is promoted."""
    rt = self.runtime
    with rt.session() as session:
        job = job_or_skip(session, job_id, STARTABLE)
        if isinstance(job, dict):
            return job
        jobs.start(session=session, job_id=job_id, total=1, message="training")
        outcome = model_registry.train_and_promote(session=session, settings=rt.settings)
        result = {"version": outcome.version, "promoted": outcome.promoted,
                  "reason": outcome.reason, "metrics": dict(outcome.metrics)}  # fmt: skip
        if outcome.version is None:
            jobs.fail(session=session, job_id=job_id, error=outcome.reason)
            return result
        jobs.finish(session=session, job_id=job_id, result=result, message=outcome.reason)
        if outcome.promoted:
            refresh.request_full_refresh(session=session, reason=f"model {outcome.version}")
    return result


@venture_task()
def retrain_if_due(
    self: VentureTask,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> bool:
    """Retrain once enough new outcomes have arrived since the last training."""
    with self.runtime.session() as session:
        if (
            model_registry.retrain_due(
                session=session, threshold=self.runtime.tuning.retrain_after_outcomes
            )
            and jobs.active(session=session, kind=JobKind.RETRAIN) is None
        ):
            refresh.request_retrain(session=session, reason="new outcomes")
            return True
    return False


@venture_task()
def open_job(
    self: VentureTask,
    kind: str,
    reason: str,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> int:
    """An event asked for a full refresh or retraining without a job: open (or join) one."""
    with self.runtime.session() as session:
        if kind == outbox.RETRAIN_REQUESTED:
            return int(refresh.request_retrain(session=session, reason=reason).id or 0)
        return int(refresh.request_full_refresh(session=session, reason=reason).id or 0)


@venture_task()
def history_changed(
    self: VentureTask,
    deal_id: int,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> int:
    """An investment changes every investor's track record: rescore everything."""
    with self.runtime.session() as session:
        job = refresh.request_full_refresh(session=session, reason=f"deal {deal_id} invested")
        return int(job.id or 0)


@venture_task()
def nightly_full_refresh(self: VentureTask) -> int:
    """Beat, nightly: rescore every pair."""
    with self.runtime.session() as session:
        return int(refresh.request_full_refresh(session=session, reason="nightly").id or 0)


@venture_task()
def weekly_retrain(self: VentureTask) -> int:
    """Beat, weekly: retrain on everything learnt so far."""
    with self.runtime.session() as session:
        return int(refresh.request_retrain(session=session, reason="weekly").id or 0)


@venture_task()
def weekly_digests(self: VentureTask) -> int:
    """Beat, weekly: one digest email per digest subscriber with news."""
    with self.runtime.session() as session:
        return digests.queue_weekly_digests(session=session)


@venture_task()
def stalled_deal_alerts(self: VentureTask) -> int:
    """Beat, daily: tell staff about deals with no event for 30 days."""
    with self.runtime.session() as session:
        return match_news.announce_stalled_deals(session=session)
