"""The outbox relay: each event handed out once per lease even with two relays; work stays owed
until its tasks finish; failures are kept."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import redis
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from webapp.models import AuditLog, OutboxEvent, utcnow
from webapp.services.outbox.outbox import (
    VENTURE_CHANGED,
    finish_part,
    hold_until,
    part_owed,
    record_event,
)
from webapp.services.outbox.relay import (
    WAKE_KEY,
    Undeliverable,
    install_outbox_waker,
    owed_count,
    pending_count,
    relay_pending,
    remove_outbox_waker,
)


def _events(session: Session, n: int) -> list[int]:
    made = [
        record_event(session=session, kind=VENTURE_CHANGED, payload={"venture_id": i})
        for i in range(n)
    ]
    session.commit()
    return [e.id for e in made if e.id is not None]


def test_two_relays_at_once_dispatch_every_event_exactly_once(session: Session, db: Engine) -> None:
    ids = _events(session, 60)
    seen: list[int] = []
    lock = threading.Lock()

    def dispatch(event: OutboxEvent) -> int:
        time.sleep(0.002)  # long enough for the relays to overlap
        with lock:
            seen.append(int(event.id or 0))
        return 1

    def relay() -> None:
        with Session(db) as own:
            while relay_pending(session=own, dispatch=dispatch, batch=7).claimed:
                pass

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == sorted(ids)
    assert pending_count(session=session) == 0


def test_a_failed_dispatch_keeps_the_event_with_backoff(session: Session) -> None:
    (event_id,) = _events(session, 1)

    def broken(event: OutboxEvent) -> int:
        raise ConnectionError("broker unreachable")

    result = relay_pending(session=session, dispatch=broken)
    assert result.failed == [event_id]
    event = session.get(OutboxEvent, event_id, populate_existing=True)
    assert event is not None
    assert event.dispatched_at is None
    assert event.attempts == 1
    assert "broker unreachable" in (event.last_error or "")
    assert event.available_at > utcnow()
    assert relay_pending(session=session, dispatch=broken).claimed == 0  # not due yet
    later = utcnow() + timedelta(minutes=10)
    assert relay_pending(session=session, dispatch=lambda e: 1, now=later).dispatched == [event_id]


def test_an_undeliverable_event_is_closed_and_recorded(session: Session) -> None:
    (event_id,) = _events(session, 1)

    def refuse(event: OutboxEvent) -> int:
        raise Undeliverable("payload field 'venture_id' is 'x'")

    assert relay_pending(session=session, dispatch=refuse).dead == [event_id]
    assert owed_count(session=session) == 0
    audit = session.exec(
        select(AuditLog).where(col(AuditLog.action) == "outbox.undeliverable")
    ).all()
    assert [a.object_id for a in audit] == [str(event_id)]


def test_a_commit_with_events_leaves_a_wake_up_and_one_without_does_not(
    session: Session, redis_client: redis.Redis, redis_url: str
) -> None:
    install_outbox_waker(redis_url)
    session.add(AuditLog(action="nothing", object_type="test"))
    session.commit()
    assert redis_client.llen(WAKE_KEY) == 0
    _events(session, 3)
    assert redis_client.llen(WAKE_KEY) == 1  # bursts coalesce into one token


def test_a_commit_succeeds_when_redis_is_unreachable(session: Session) -> None:
    nowhere = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    install_outbox_waker(nowhere)
    try:
        ids = _events(session, 1)
    finally:
        remove_outbox_waker(nowhere)
    assert ids
    assert pending_count(session=session) == 1


def test_a_handed_out_event_stays_owed_until_its_tasks_finish(session: Session) -> None:
    (event_id,) = _events(session, 1)
    assert relay_pending(session=session, dispatch=lambda e: 2, lease_s=60).dispatched == [event_id]
    assert pending_count(session=session) == 0  # handed out…
    assert owed_count(session=session) == 1  # …but not done
    finish_part(session=session, event_id=event_id, part=0)
    assert not part_owed(session=session, event_id=event_id, part=0)
    assert part_owed(session=session, event_id=event_id, part=1)
    assert owed_count(session=session) == 1
    finish_part(session=session, event_id=event_id, part=1)
    assert owed_count(session=session) == 0
    event = session.get(OutboxEvent, event_id, populate_existing=True)
    assert event is not None
    assert event.finished_at is not None


def test_work_whose_worker_died_is_handed_out_again_after_the_lease(session: Session) -> None:
    (event_id,) = _events(session, 1)
    sent: list[tuple[int, int]] = []

    def dispatch(event: OutboxEvent) -> int:
        sent.append((int(event.id or 0), event.handouts))
        return 1

    relay_pending(session=session, dispatch=dispatch, lease_s=60)
    assert relay_pending(session=session, dispatch=dispatch).claimed == 0  # within the lease
    soon = utcnow() + timedelta(seconds=61)
    assert relay_pending(session=session, dispatch=dispatch, now=soon, lease_s=60).dispatched == [
        event_id
    ]
    assert sent == [(event_id, 0), (event_id, 1)]


def test_a_running_task_holds_its_event_and_the_relay_waits(session: Session) -> None:
    (event_id,) = _events(session, 1)
    relay_pending(session=session, dispatch=lambda e: 1, lease_s=5)
    hold_until(session=session, event_ids=[event_id], until=utcnow() + timedelta(minutes=5))
    later = utcnow() + timedelta(seconds=30)
    assert relay_pending(session=session, dispatch=lambda e: 1, now=later).claimed == 0


def test_an_event_handed_out_too_often_is_abandoned_and_recorded(session: Session) -> None:
    (event_id,) = _events(session, 1)
    now = utcnow()
    for n in range(3):
        moment = now + timedelta(seconds=10 * n)
        relay_pending(session=session, dispatch=lambda e: 1, now=moment, lease_s=1, max_handouts=2)
    assert owed_count(session=session) == 0
    event = session.get(OutboxEvent, event_id, populate_existing=True)
    assert event is not None
    assert "handed out 2 times without finishing" in (event.last_error or "")
    audit = session.exec(select(AuditLog).where(col(AuditLog.action) == "outbox.abandoned")).all()
    assert [a.object_id for a in audit] == [str(event_id)]
