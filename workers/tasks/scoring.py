"""Queue `scoring`: incremental refreshes and the chunks of a full refresh."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, select

from webapp.models import Venture
from webapp.services.notices.match_news import announce_new_matches
from webapp.services.outbox import jobs
from webapp.services.ranking import scoring, scoring_full
from workers import parts
from workers.base import VentureTask, venture_task
from workers.job_runs import RUNNING, failing_job, job_or_skip


def _exists(session: Session, venture_id: int) -> bool:
    return session.exec(select(Venture.id).where(Venture.id == venture_id)).first() is not None


@venture_task(soft_time_limit=240, time_limit=300)
def refresh_venture(
    self: VentureTask,
    venture_id: int,
    announce: bool = True,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> dict[str, Any]:
    """Rescore one venture; tell investors it entered near the top of their list."""
    if not isinstance(venture_id, int) or isinstance(venture_id, bool):
        raise TypeError(f"venture_id={venture_id!r}; expected an integer id")
    rt = self.runtime
    with rt.session() as session:
        result = scoring.refresh_venture(
            session=session, settings=rt.settings, venture_id=venture_id, announce=announce
        )
        if not _exists(session, venture_id):
            scoring.repair_lists(session=session, settings=rt.settings)
            raise LookupError(f"venture {venture_id} does not exist")
        told = 0
        if result.entered:
            told = announce_new_matches(
                session=session, venture_id=venture_id, entered=result.entered
            )
    return {"lists": result.lists, "refilled": result.refilled, "notified": told}


@venture_task(soft_time_limit=600, time_limit=660)
def refresh_investor(
    self: VentureTask,
    investor_id: int,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> dict[str, Any]:
    """Rescore one investor against every venture."""
    if not isinstance(investor_id, int) or isinstance(investor_id, bool):
        raise TypeError(f"investor_id={investor_id!r}; expected an integer id")
    rt = self.runtime
    with rt.session() as session:
        result = scoring.refresh_investor(
            session=session, settings=rt.settings, investor_id=investor_id
        )
    return {"lists": result.lists, "refilled": result.refilled}


@venture_task(soft_time_limit=600, time_limit=660)
def repair_lists(
    self: VentureTask,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> dict[str, Any]:
    """Refill lists that lost a member to a deletion."""
    rt = self.runtime
    with rt.session() as session:
        result = scoring.repair_lists(session=session, settings=rt.settings)
    return {"lists": result.lists}


@venture_task(soft_time_limit=900, time_limit=960)
def full_refresh_chunk(
    self: VentureTask,
    job_id: int,
    index: int,
    venture_ids: list[int],
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> dict[str, Any]:
    """Score one chunk, park its lists in Redis, and start the merge after the last chunk."""
    rt = self.runtime
    with rt.session() as session:
        job = job_or_skip(session, job_id, RUNNING)
        if isinstance(job, dict):
            return job
        chunks = parts.chunk_count(job)
        with failing_job(self, job_id):
            part = scoring_full.compute_chunk(
                session=session, settings=rt.settings, venture_ids=venture_ids, index=index
            )
    complete = parts.store(rt.redis, job_id, part, chunks)
    with rt.session() as session:
        jobs.advance(session=session, job_id=job_id, by=len(venture_ids),
                     message=f"scored chunk {index + 1} of {chunks}")  # fmt: skip
    if complete:
        self.app.send_task(
            "workers.tasks.scoring.full_refresh_finish",
            kwargs={"job_id": job_id},
            task_id=f"full-refresh-finish-{job_id}",
        )
    return {"job_id": job_id, "index": index, "ventures": len(venture_ids)}


def _every_part(
    session: Session, rt: Any, job_id: int, chunks: int, plan: list[list[int]]
) -> Iterator[scoring_full.ChunkResult]:
    """The parked chunk results one at a time, then any chunk lost with Redis, scored here."""
    seen = set()
    for part in parts.load(rt.redis, job_id, chunks):
        seen.add(part.index)
        yield part
    for index in range(chunks):
        if index not in seen:
            yield scoring_full.compute_chunk(
                session=session, settings=rt.settings, venture_ids=plan[index], index=index
            )


@venture_task(soft_time_limit=1500, time_limit=1600)
def full_refresh_finish(
    self: VentureTask,
    job_id: int,
    event_id: int | None = None,  # noqa: ARG001 - read by VentureTask.record_failure
) -> dict[str, Any]:
    """Merge the chunks, replace every stored list, then refresh what changed meanwhile."""
    rt = self.runtime
    with rt.session() as session:
        job = job_or_skip(session, job_id, RUNNING)
        if isinstance(job, dict):
            return job
        chunks = parts.chunk_count(job)
        with failing_job(self, job_id):
            snapshot = parts.snapshot_of(job)
            plan = parts.plan_of(job)
            jobs.start(session=session, job_id=job_id, message="saving the lists")
            stats = scoring_full.write_full_refresh(
                session=session,
                settings=rt.settings,
                parts=_every_part(session, rt, job_id, chunks, plan),
                snapshot_at=snapshot,
            )
            result = {"ventures": stats.ventures, "investors": stats.investors, "rows": stats.rows,
                      "model_version": stats.model_version,
                      "written": stats.written.__dict__ if stats.written else None}  # fmt: skip
            jobs.finish(session=session, job_id=job_id, result=result,
                        message=f"{stats.rows} list entries saved")  # fmt: skip
    parts.clear(rt.redis, job_id, chunks)
    for venture_id in stats.changed_ventures:
        refresh_venture.apply_async(kwargs={"venture_id": venture_id, "announce": False})
    for investor_id in stats.changed_investors:
        refresh_investor.apply_async(kwargs={"investor_id": investor_id})
    return result
