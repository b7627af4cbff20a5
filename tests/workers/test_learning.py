"""Learning, proven end to end: feedback → retraining in a real worker → promotion → lists.

Investors whose mandate names offshore wind pass every hydrogen venture (a sector of the same
family, so the hand-set weights rank them fairly high) and shortlist offshore wind ones. After
the worker retrains and promotes, a fresh hydrogen venture nobody has seen falls in those
investors' lists, below offshore wind ventures that miss their stage and ticket.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

import matching
from tests.workers.builders import (
    KEPT_SECTOR,
    PASSED_SECTOR,
    lesson_venture,
    preference_market,
    stored_lists,
)
from tests.workers.conftest import (
    WorkerPool,
    settled,
    wait_for,
)
from webapp.config import Settings
from webapp.models import JobRun, Match, ModelVersion, utcnow
from webapp.models.enums import JobKind
from webapp.services.ranking import refresh
from webapp.services.ranking.model_registry import PRIOR_VERSION, active_model

pytestmark = [pytest.mark.workers, pytest.mark.slow]


WORKERS = ("learner",)
WORKERS_SEND_MAIL = False


def _finished(session: Session, pool: WorkerPool, job_id: int, timeout: float) -> JobRun:
    def done() -> JobRun | None:
        session.rollback()
        job = session.get(JobRun, job_id, populate_existing=True)
        return job if job and job.status in ("succeeded", "failed") else None

    with pool.showing_logs():
        return wait_for(done, timeout, f"job {job_id}")  # type: ignore[no-any-return]


def _ranks(session: Session, investor_ids: list[int], venture_id: int) -> dict[int, int | None]:
    lists = stored_lists(session)
    return {i: lists.get((venture_id, i), (None, None))[1] for i in investor_ids}


def test_passes_on_a_sector_push_a_fresh_venture_of_it_down_after_retraining(
    session: Session, pool: WorkerPool, db: Engine, settings: Settings, waker: None
) -> None:
    lesson = preference_market(random.Random(7), utcnow())
    fresh = lesson_venture(PASSED_SECTOR, name="Fresh Hydrogen Ltd")
    twin = lesson_venture(KEPT_SECTOR, name="Fresh Offshore Wind Ltd")
    first = refresh.request_full_refresh(session=session, reason="before learning")
    assert _finished(session, pool, first.id or 0, 90).status == "succeeded"
    before = _ranks(session, lesson.group, fresh.id)
    fillers_before = {f: _ranks(session, lesson.group, f) for f in lesson.fillers}
    assert all(rank is not None for rank in before.values())
    # Under the hand-set weights the fresh hydrogen venture beats every filler.
    assert all(before[i] < fillers_before[f][i] for f in lesson.fillers for i in lesson.group)

    job = refresh.request_retrain(session=session, reason="learning test")
    trained = _finished(session, pool, job.id or 0, 180)
    assert trained.status == "succeeded", trained.error
    assert trained.result["promoted"], trained.result["reason"]
    version = trained.result["version"]

    def rescored() -> bool:
        session.rollback()
        jobs = session.exec(
            select(JobRun)
            .where(col(JobRun.kind) == JobKind.FULL_REFRESH.value)
            .where(col(JobRun.id) > job.id)
        ).all()
        return any(j.status == "succeeded" for j in jobs) and settled(db, pool.client)

    wait_for(rescored, 120, "the full refresh with the new model")
    session.rollback()
    assert set(session.exec(select(Match.model_version)).all()) == {version}
    row = session.exec(select(ModelVersion).where(col(ModelVersion.version) == version)).one()
    assert row.active
    assert row.promoted_at is not None

    # What it learned: the sector counts for more, against stage and ticket, than by hand.
    model = active_model(session=session, settings=settings)
    assert model.version == version != PRIOR_VERSION
    learned, prior = model.model.coef, matching.PRIOR_WEIGHTS
    assert learned["sector_fit"] > prior["sector_fit"]
    assert learned["sector_fit"] / learned["stage_fit"] > prior["sector_fit"] / prior["stage_fit"]
    assert learned["sector_fit"] / learned["ticket_fit"] > prior["sector_fit"] / prior["ticket_fit"]

    after = _ranks(session, lesson.group, fresh.id)
    fillers_after = {f: _ranks(session, lesson.group, f) for f in lesson.fillers}
    for investor_id in lesson.group:
        assert after[investor_id] is None or after[investor_id] > before[investor_id]
        below = [f for f in lesson.fillers if after[investor_id] is None
                 or fillers_after[f][investor_id] < after[investor_id]]  # fmt: skip
        assert below, f"investor {investor_id}: the fresh hydrogen venture still beats every filler"
    # The offshore wind twin, the group's own sector, stays ahead of the hydrogen venture.
    twin_after = _ranks(session, lesson.group, twin.id)
    assert all(twin_after[i] is not None for i in lesson.group)
    assert all(after[i] is None or twin_after[i] < after[i] for i in lesson.group)
