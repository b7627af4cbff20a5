"""Beat's schedule names real tasks, and each scheduled task runs through a real worker."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.workers.builders import market
from tests.workers.conftest import WorkerPool, settled, wait_for
from webapp.config import Settings
from webapp.models import JobRun
from webapp.models.enums import JobKind
from workers.factory import beat_schedule, create_app
from workers.tuning import WorkerTuning

pytestmark = [pytest.mark.workers, pytest.mark.slow]

WORKERS = ("keeper",)
SCHEDULED = sorted({str(entry["task"]) for entry in beat_schedule(WorkerTuning()).values()})


def test_every_beat_entry_names_a_registered_task(settings: Settings) -> None:
    app = create_app(settings, WorkerTuning())
    app.loader.import_default_modules()
    registered = set(app.tasks)
    assert SCHEDULED
    assert [name for name in SCHEDULED if name not in registered] == []


def test_each_scheduled_task_runs_once_through_a_worker(
    session: Session, pool: WorkerPool, db: Engine
) -> None:
    market(random.Random(13), ventures=4, investors=2)  # something to refresh and train on
    for name in SCHEDULED:
        pool.app_send(name, {})

    def all_succeeded() -> bool:
        log = pool.workers[0].log()
        return all(re.search(rf"Task {re.escape(name)}\[[^\]]+\] succeeded", log)
                   for name in SCHEDULED)  # fmt: skip

    with pool.showing_logs():
        wait_for(all_succeeded, 60, "every scheduled task to succeed in the worker")
        wait_for(lambda: settled(db, pool.client), 60, "the work they queued to settle")
    assert "Traceback" not in pool.workers[0].log()
    kinds = {job.kind for job in session.exec(select(JobRun)).all()}
    # The nightly refresh and the weekly retraining open their jobs (run by the same worker).
    assert {JobKind.FULL_REFRESH.value, JobKind.RETRAIN.value} <= kinds
    refreshes = session.exec(
        select(JobRun).where(col(JobRun.kind) == JobKind.FULL_REFRESH.value)
    ).all()
    assert [job.status for job in refreshes] == ["succeeded"]
    retrains = session.exec(select(JobRun).where(col(JobRun.kind) == JobKind.RETRAIN.value)).all()
    assert all(job.status in ("succeeded", "failed") for job in retrains)
