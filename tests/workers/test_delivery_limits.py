"""The outbox's hand-out cap and the broker's delivery cap, set through the environment as an
operator would (`VENTUREMATCH_WORKER_OUTBOX_MAX_HANDOUTS`, `VENTUREMATCH_WORKER_MAX_DELIVERIES`),
change what a real worker does.

Both caps are 1 here. Each test brings about the second hand-out or delivery of one piece of
work, which the defaults would let through, and shows the worker giving up on it instead.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.workers.builders import (
    expected_lists,
    market,
    matching_values,
    outsider_pair,
    stored_lists,
)
from tests.workers.conftest import WorkerPool, kill_mid_refresh, wait_for
from webapp.config import Settings
from webapp.models import AuditLog, OutboxEvent, Venture, utcnow
from webapp.services.outbox.outbox import VENTURE_CHANGED, record_event
from webapp.services.outbox.relay import relay_pending
from workers.tuning import WorkerTuning

pytestmark = [pytest.mark.workers, pytest.mark.slow]

WORKERS = ("capped",)
WORKER_TUNING = {
    "VENTUREMATCH_WORKER_OUTBOX_MAX_HANDOUTS": "1",
    "VENTUREMATCH_WORKER_MAX_DELIVERIES": "1",
}
DEFAULTS = WorkerTuning()


@pytest.fixture(scope="module")
def small_k(settings: Settings) -> Settings:
    return settings.model_copy(update={"match_top_k": 5})


@pytest.fixture(scope="module")
def pool_settings(small_k: Settings) -> Settings:
    return small_k


def _audits(session: Session, action: str) -> list[AuditLog]:
    session.rollback()
    return list(session.exec(select(AuditLog).where(col(AuditLog.action) == action)).all())


def test_an_event_whose_message_was_lost_is_abandoned_at_the_configured_hand_out_cap(
    session: Session, pool: WorkerPool, db: Engine
) -> None:
    assert DEFAULTS.outbox_max_handouts > 1  # by default the relay would hand it out again
    market(random.Random(5), ventures=3, investors=2)
    venture = session.exec(select(Venture)).first()
    assert venture is not None
    event = record_event(session=session, kind=VENTURE_CHANGED, payload={"venture_id": venture.id})
    later = utcnow() + timedelta(hours=1)
    event.available_at = later  # out of the workers' reach until its first hand-out is lost
    session.commit()
    # The first hand-out's message never reaches a worker (Redis lost it); its lease is 1 s.
    first = relay_pending(session=session, dispatch=lambda e: 1, now=later, lease_s=1)
    assert first.dispatched == [event.id]

    def closed() -> OutboxEvent | None:
        session.rollback()
        row = session.get(OutboxEvent, event.id, populate_existing=True)
        return row if row is not None and row.finished_at is not None else None

    with pool.showing_logs():
        row = wait_for(closed, 30, "the worker's relay to close the event")
    assert row.handouts == 1  # not handed out a second time
    assert "handed out 1 times without finishing; abandoned" in (row.last_error or "")
    assert [a.object_id for a in _audits(session, "outbox.abandoned")] == [str(event.id)]
    pool.wait_settled(db)


def test_a_message_delivered_again_after_its_worker_died_is_refused_at_the_configured_cap(
    session: Session, pool: WorkerPool, db: Engine, small_k: Settings
) -> None:
    assert DEFAULTS.max_deliveries > 1  # by default the redelivered refresh would run
    chosen, target = outsider_pair(session, small_k, 7, ventures=20, investors=5)

    kill_mid_refresh(pool, db, target.id, matching_values(chosen))

    pool.restart(pool.workers[0])  # Redis delivers the message again after 4 s

    def refused() -> list[AuditLog]:
        return [
            a
            for a in _audits(session, "task.failed")
            if a.after and "delivered 2 times without finishing" in str(a.after.get("error"))
        ]

    with pool.showing_logs():
        (failure,) = wait_for(refused, 60, "the redelivered refresh to be refused", every=0.5)
        pool.wait_settled(db)
    assert failure.after is not None
    assert failure.after["task"].endswith("refresh_venture")
    assert stored_lists(session) != expected_lists(session, small_k)  # the refresh never ran
