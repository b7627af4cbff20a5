"""A copy of work that another live process holds waits for it, as long as it takes.

Found in Celery's own source: `retry(max_retries=None)` means the task's default (8), not
"no limit", and every wait counted as a retry. A copy waiting out a long run gave up and was
recorded as failed. A copy the outbox relay sent could not wait at all: Celery checks a
re-sent task's arguments, and the relay's `outbox_part` failed that check with a TypeError.
The holder here is a process on another machine whose claim never lapses during the wait
(the test holds it), as a long full refresh or retrain elsewhere would.
"""

from __future__ import annotations

import random

import pytest
import redis
from celery.exceptions import Reject
from kombu.exceptions import OperationalError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.workers.builders import market
from tests.workers.conftest import WorkerPool, wait_for
from webapp.models import AuditLog, OutboxEvent, Venture
from webapp.services.outbox.outbox import VENTURE_CHANGED, record_event
from workers.base import DELIVERY_KEY, VentureTask
from workers.claims import DONE_PREFIX, PREFIX
from workers.tasks.scoring import refresh_venture

pytestmark = [pytest.mark.workers, pytest.mark.slow]

WORKERS = ("waiter",)
ELSEWHERE = "another-machine:4242"  # a live holder this machine cannot see is gone
HELD_MS = 120_000


def _failures(session: Session) -> list[AuditLog]:
    session.rollback()
    found = select(AuditLog).where(col(AuditLog.action) == "task.failed")
    return list(session.exec(found).all())


def _deliveries(client: redis.Redis, task_id: str) -> int:
    """How many times the task with this id (a glob) has been delivered, waits included."""
    return sum(1 for _ in client.scan_iter(match=f"{DELIVERY_KEY}{task_id}:*"))


def _a_venture(session: Session) -> Venture:
    market(random.Random(3), ventures=6, investors=3)
    venture = session.exec(select(Venture)).first()
    assert venture is not None
    return venture


def test_a_copy_waits_past_the_retry_limit_and_runs_once_the_holder_is_done(
    session: Session, pool: WorkerPool, db: Engine
) -> None:
    venture = _a_venture(session)
    task_id = "claim-wait-untracked"
    work = f"task:{task_id}"
    pool.client.set(PREFIX + work, ELSEWHERE, px=HELD_MS)
    pool.app_send(
        "workers.tasks.scoring.refresh_venture", {"venture_id": venture.id}, task_id=task_id
    )
    waits = VentureTask.max_retries + 3  # one look every half lease (1 s here)
    with pool.showing_logs():
        wait_for(lambda: _deliveries(pool.client, task_id) > waits, 60, f"{waits} looks")
        assert _failures(session) == []  # still waiting, not given up
        assert not pool.client.exists(DONE_PREFIX + work)
        pool.client.delete(PREFIX + work)  # the holder finishes
        wait_for(lambda: pool.client.exists(DONE_PREFIX + work), 30, "the copy to run")
        pool.wait_settled(db)
    assert _failures(session) == []


def test_a_copy_sent_by_the_outbox_waits_and_its_event_closes_without_an_error(
    session: Session, pool: WorkerPool, db: Engine, waker: None
) -> None:
    venture = _a_venture(session)
    pool.wait_settled(db)
    event = record_event(session=session, kind=VENTURE_CHANGED, payload={"venture_id": venture.id})
    session.flush()
    work = f"outbox:{event.id}:0"  # the event's one task: refresh the venture
    pool.client.set(PREFIX + work, ELSEWHERE, px=HELD_MS)
    session.commit()  # the relay hands it out now

    def closed() -> OutboxEvent | None:
        session.rollback()
        row = session.get(OutboxEvent, event.id, populate_existing=True)
        return row if row is not None and row.finished_at is not None else None

    task_id = f"outbox-{event.id}-0-*"  # the relay's ids for its hand-outs of that task
    with pool.showing_logs():
        wait_for(lambda: _deliveries(pool.client, task_id) >= 3, 30, "three looks")
        assert _failures(session) == []
        assert closed() is None  # still owed: the holder has not finished
        pool.client.delete(PREFIX + work)
        row = wait_for(closed, 30, "the event to close")
        pool.wait_settled(db)
    assert row.last_error is None
    assert row.handouts == 1  # held while it waited: the relay did not hand it out again
    assert _failures(session) == []


def test_a_wait_that_cannot_be_sent_is_rejected_not_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As Celery's own retry: a copy that cannot be queued again (the broker went away) is
    rejected, not recorded as a failure, which would close its outbox part unrun."""
    task = refresh_venture

    class Unsendable:
        def apply_async(self) -> None:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    sent: list[dict[str, object]] = []

    def signature_from_request(*_args: object, **options: object) -> Unsendable:
        sent.append(options)
        return Unsendable()

    monkeypatch.setattr(task, "signature_from_request", signature_from_request)
    task.push_request(id="wait-unsent", kwargs={"venture_id": 1}, retries=3, args=())
    try:
        with pytest.raises(Reject) as rejected:
            task.wait_again(1.0)
    finally:
        task.pop_request()
    assert rejected.value.requeue is False
    assert sent == [{"countdown": 1.0, "retries": 3}]  # a wait spends no retry
