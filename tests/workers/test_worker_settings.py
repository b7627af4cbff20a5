"""Worker timings set through the environment change what a real worker does: the relay's
sweep, the /healthz heartbeat, the lease of a running task's claim and the email backoff.

The worker here runs with each of them far from its default; each test shows the worker
acting on the configured value where the default would have it do something else.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import FounderFactory
from tests.workers.builders import market
from tests.workers.conftest import SmtpServer, WorkerPool, wait_for
from webapp.models import EmailDelivery, OutboxEvent, utcnow
from webapp.services.common.health import WORKER_HEARTBEAT_PREFIX, WORKER_HEARTBEAT_TTL_S
from webapp.services.common.locks import take_write_lock
from webapp.services.outbox.mail import queue_email
from webapp.services.outbox.outbox import VENTURE_CHANGED, record_event
from webapp.services.outbox.relay import wake
from workers.claims import PREFIX as CLAIM_PREFIX
from workers.tuning import WorkerTuning

pytestmark = [pytest.mark.workers, pytest.mark.slow]

WORKERS = ("timed",)
SWEEP_S = 600.0
HEARTBEAT_S = 600.0
TASK_LEASE_S = 50.0
EMAIL_BACKOFF_BASE_S = 400.0
WORKER_TUNING = {
    "VENTUREMATCH_WORKER_SWEEP_INTERVAL_S": str(SWEEP_S),
    "VENTUREMATCH_WORKER_HEARTBEAT_INTERVAL_S": str(HEARTBEAT_S),
    "VENTUREMATCH_WORKER_TASK_LEASE_S": str(TASK_LEASE_S),
    "VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S": str(TASK_LEASE_S * 2),  # a lease fits in it
    "VENTUREMATCH_WORKER_EMAIL_BACKOFF_BASE_S": str(EMAIL_BACKOFF_BASE_S),
}
DEFAULTS = WorkerTuning()


def _venture_id() -> int:
    """A venture in a small market (the relay and the claim need real work to hand out)."""
    (venture, *_), _, _ = market(random.Random(13), ventures=3, investors=2)
    assert venture.id is not None
    return venture.id


def test_the_relay_sweeps_at_the_configured_interval(
    session: Session, pool: WorkerPool, db: Engine
) -> None:
    """An event that nobody announces waits for the sweep; only a wake-up hands it out."""
    assert DEFAULTS.sweep_interval_s < SWEEP_S
    venture_id = _venture_id()
    due_in_s = 2.0  # due after any wake-up its own commit may send: only a sweep finds it
    event = record_event(session=session, kind=VENTURE_CHANGED, payload={"venture_id": venture_id})
    event.available_at = utcnow() + timedelta(seconds=due_in_s)
    session.commit()
    committed = time.monotonic()

    def handouts() -> int:
        session.rollback()
        row = session.get(OutboxEvent, event.id, populate_existing=True)
        assert row is not None
        return row.handouts

    # By default a sweep would hand it out within 10 s of becoming due.
    quiet_until = committed + due_in_s + DEFAULTS.sweep_interval_s + 5
    while time.monotonic() < quiet_until:
        assert handouts() == 0, "handed out before the configured sweep"
        time.sleep(0.5)
    wake(pool.client)
    with pool.showing_logs():
        wait_for(handouts, 20, "a woken relay to hand the event out")
    pool.wait_settled(db)


def test_the_heartbeat_is_renewed_at_the_configured_interval(
    pool: WorkerPool, redis_client: redis.Redis
) -> None:
    """The heartbeat key (gone with the flush before the test) is not written again soon."""
    assert DEFAULTS.heartbeat_interval_s + 5 < HEARTBEAT_S
    assert DEFAULTS.heartbeat_interval_s < WORKER_HEARTBEAT_TTL_S
    key = f"{WORKER_HEARTBEAT_PREFIX}{pool.workers[0].hostname}"
    redis_client.delete(key)
    # By default it would be back within 10 s.
    quiet_until = time.monotonic() + DEFAULTS.heartbeat_interval_s + 5
    while time.monotonic() < quiet_until:
        assert not redis_client.exists(key), "heartbeat written before the configured interval"
        time.sleep(0.5)
    assert pool.workers[0].alive()


def test_a_running_task_holds_its_claim_for_the_configured_lease(
    session: Session, pool: WorkerPool, db: Engine
) -> None:
    """The claim that keeps copies of running work waiting lapses a lease after its holder
    stops renewing it (`workers.claims`); Redis shows the lease as the claim's time to live."""
    assert DEFAULTS.task_lease_s < TASK_LEASE_S - TASK_LEASE_S / 3  # renewed every third
    venture_id = _venture_id()
    pool.wait_settled(db)  # the market's own events are done: their claims are gone
    with Session(db) as holder:
        take_write_lock(session=holder, name="ranking")
        pool.app_send("workers.tasks.scoring.refresh_venture", {"venture_id": venture_id})

        def claim() -> list[bytes]:
            return list(pool.client.scan_iter(match=f"{CLAIM_PREFIX}*"))

        with pool.showing_logs():
            (key,) = wait_for(claim, 30, "the refresh to claim its work")
        ttl_ms = pool.client.pttl(key)
        holder.rollback()
    assert DEFAULTS.task_lease_s * 1000 < ttl_ms <= TASK_LEASE_S * 1000
    pool.wait_settled(db)


def test_a_failed_email_is_tried_again_after_the_configured_backoff(
    session: Session, pool: WorkerPool, mailbox: object, smtp_server: SmtpServer, waker: None
) -> None:
    """The first retry comes at least half the base later (at most the base by default)."""
    assert DEFAULTS.email_backoff_base_s < EMAIL_BACKOFF_BASE_S / 2
    smtp_server.down()
    email = queue_email(
        session=session, user=FounderFactory(), kind="test", subject="Later",
        text_body="plain", html_body="<p>html</p>", dedupe_key="backoff",
    )  # fmt: skip
    session.commit()
    assert email is not None

    def failed_once() -> EmailDelivery | None:
        session.rollback()
        row = session.get(EmailDelivery, email.id, populate_existing=True)
        return row if row is not None and row.last_error else None

    with pool.showing_logs():
        row = wait_for(failed_once, 30, "the first attempt to fail")
    assert row.attempts == 1
    delay_s = (row.next_attempt_at - utcnow()).total_seconds()
    assert DEFAULTS.email_backoff_base_s < delay_s <= EMAIL_BACKOFF_BASE_S
