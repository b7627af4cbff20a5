"""The whole chain with real processes: outbox → relay → Celery on Redis → worker → database.

Two `celery -A workers worker` nodes serve this module; SMTP is a real aiosmtpd server.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.workers.builders import (
    change_investor,
    change_venture,
    expected_lists,
    investor_values,
    market,
    matching_values,
    stored_lists,
    venture_values,
)
from tests.workers.conftest import (
    SmtpServer,
    WorkerPool,
    wait_for,
)
from webapp.config import Settings
from webapp.models import AuditLog, EmailDelivery, JobRun, OutboxEvent
from webapp.models.enums import EmailStatus
from webapp.services.outbox.mail import queue_email
from webapp.services.outbox.outbox import (
    EMAIL_QUEUED,
    INTRODUCTION_REQUESTED,
    VENTURE_CHANGED,
    record_event,
)
from webapp.services.ranking import refresh

pytestmark = [pytest.mark.workers, pytest.mark.slow]
TOP_K = 5


@pytest.fixture(scope="module")
def small_k(settings: Settings) -> Settings:
    """Lists of five, so a few dozen ventures fill them and entries really get pushed out."""
    return settings.model_copy(update={"match_top_k": TOP_K})


WORKERS = ("alpha", "beta")


@pytest.fixture(scope="module")
def pool_settings(small_k: Settings) -> Settings:
    return small_k


def _full_refresh(session: Session, pool: WorkerPool, engine: Engine) -> JobRun:
    job = refresh.request_full_refresh(session=session, reason="test")

    def done() -> JobRun | None:
        current = session.get(JobRun, job.id, populate_existing=True)
        session.rollback()
        return current if current and current.status in ("succeeded", "failed") else None

    finished: JobRun = wait_for(done, 60, "the full refresh")
    pool.wait_settled(engine)
    return finished


def test_full_refresh_is_shared_by_chunks_and_matches_the_reference(
    session: Session, pool: WorkerPool, db: Engine, small_k: Settings, waker: None
) -> None:
    rng = random.Random(11)
    market(rng, ventures=60, investors=12)
    job = _full_refresh(session, pool, db)
    assert job.status == "succeeded", job.error
    assert job.params["chunks"] == 3  # 60 ventures in chunks of 25
    assert job.done == job.total == 60
    assert stored_lists(session) == expected_lists(session, small_k)


def test_a_venture_change_reaches_the_investor_list(
    session: Session, pool: WorkerPool, db: Engine, small_k: Settings, waker: None
) -> None:
    rng = random.Random(5)
    ventures, investors, _ = market(rng, ventures=30, investors=6)
    _full_refresh(session, pool, db)
    target = investors[0]
    venture = next(v for v in ventures if (v.id, target.id) not in stored_lists(session)
                   or stored_lists(session)[(v.id, target.id)][1] is None)  # fmt: skip
    change_venture(session, venture.id, matching_values(target))  # what it looks for

    def listed() -> bool:
        session.rollback()
        rank = stored_lists(session).get((venture.id, target.id), (None, None))[1]
        return rank is not None

    wait_for(listed, 30, "the venture in the investor's list")
    pool.wait_settled(db)
    assert stored_lists(session) == expected_lists(session, small_k)


def test_two_workers_and_200_concurrent_changes_end_in_the_full_refresh_lists(
    session: Session,
    pool: WorkerPool,
    db: Engine,
    small_k: Settings,
    mailbox: object,
    smtp_server: SmtpServer,
    waker: None,
) -> None:
    rng = random.Random(23)
    ventures, investors, _ = market(rng, ventures=50, investors=10)
    _full_refresh(session, pool, db)
    venture_ids = [v.id for v in ventures]
    investor_ids = [i.id for i in investors]
    plans = []
    for n in range(200):
        if n % 10 == 9:
            plans.append(("investor", rng.choice(investor_ids), investor_values(rng)))
        else:
            values = venture_values(rng)
            if n % 17 == 0:
                values["visibility"] = rng.choice(["draft", "published"])
            plans.append(("venture", rng.choice(venture_ids), values))

    def run(part: list[tuple[str, int, dict[str, object]]]) -> None:
        with Session(db, expire_on_commit=False) as own:
            for kind, object_id, values in part:
                if kind == "venture":
                    change_venture(own, object_id, values)
                else:
                    change_investor(own, object_id, values)

    threads = [threading.Thread(target=run, args=(plans[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pool.wait_settled(db, timeout=120)
    assert stored_lists(session) == expected_lists(session, small_k)

    # New strong matches were emailed; each (recipient, dedupe key) at most once.
    def all_sent() -> bool:
        session.rollback()
        statuses = session.exec(select(EmailDelivery.status)).all()
        return bool(statuses) and all(s == EmailStatus.SENT.value for s in statuses)

    wait_for(all_sent, 60, "every queued email to be sent")
    received = smtp_server.mailbox.received()
    ids = Counter(str(m["Message-ID"]) for m in received)
    assert ids
    assert max(ids.values()) == 1
    assert len(received) == len(session.exec(select(EmailDelivery)).all())


def test_smtp_down_retries_then_delivers_once(
    session: Session, pool: WorkerPool, db: Engine, mailbox: object, smtp_server: SmtpServer,
    waker: None,
) -> None:  # fmt: skip
    from tests.factories import FounderFactory

    founder = FounderFactory()
    smtp_server.down()
    email = queue_email(
        session=session, user=founder, kind="test", subject="Hello",
        text_body="plain", html_body="<p>html</p>", dedupe_key="smtp-down",
    )  # fmt: skip
    session.commit()
    assert email is not None

    def failed_twice() -> bool:
        row = session.get(EmailDelivery, email.id, populate_existing=True)
        session.rollback()
        return bool(row and row.attempts >= 2 and row.last_error)

    wait_for(failed_twice, 30, "two failed attempts while SMTP is down")
    row = session.get(EmailDelivery, email.id, populate_existing=True)
    assert row is not None
    assert row.status == EmailStatus.PENDING.value
    smtp_server.up()

    def sent() -> bool:
        current = session.get(EmailDelivery, email.id, populate_existing=True)
        session.rollback()
        return bool(current and current.status == EmailStatus.SENT.value)

    wait_for(sent, 30, "the delivery once SMTP is back")
    pool.wait_settled(db)
    subjects = [m["Subject"] for m in smtp_server.mailbox.received()]
    assert subjects == ["Hello"]


def test_poison_work_ends_as_a_recorded_failure_not_a_loop(
    session: Session, pool: WorkerPool, db: Engine, waker: None
) -> None:
    unreadable = record_event(session=session, kind=VENTURE_CHANGED, payload={"venture_id": "x"})
    missing = record_event(session=session, kind=EMAIL_QUEUED, payload={"email_id": 987654})
    session.commit()

    def recorded() -> bool:
        session.rollback()
        failures = session.exec(
            select(AuditLog).where(
                col(AuditLog.action).in_(["task.failed", "outbox.undeliverable"])
            )
        ).all()
        return len(failures) >= 2

    wait_for(recorded, 30, "both failures to be recorded")
    pool.wait_settled(db)
    dead = session.get(OutboxEvent, unreadable.id, populate_existing=True)
    assert dead is not None
    assert dead.dispatched_at is not None
    assert "undeliverable" in (dead.last_error or "")
    lost = session.get(OutboxEvent, missing.id, populate_existing=True)
    assert lost is not None
    assert "email 987654 does not exist" in (lost.last_error or "")
    failures = session.exec(select(AuditLog).where(col(AuditLog.action) == "task.failed")).all()
    assert len(failures) == 1  # failed once, acknowledged, not retried
    assert failures[0].after
    assert failures[0].after["task"].endswith("send_email")


def test_a_request_announced_after_its_acceptance_still_emails_the_request_once(
    session: Session, pool: WorkerPool, db: Engine, smtp_server: SmtpServer, mailbox: object,
    waker: None,
) -> None:  # fmt: skip
    from datetime import timedelta

    from tests.factories import (
        FounderFactory,
        IntroductionFactory,
        InvestorProfileFactory,
        InvestorUserFactory,
        OrganisationFactory,
        VentureFactory,
    )
    from webapp.models import utcnow
    from webapp.services.common.locks import take_write_lock
    from webapp.services.introductions.introductions import accept_introduction

    organisation = OrganisationFactory()
    member = InvestorUserFactory(organisation_id=organisation.id)
    profile = InvestorProfileFactory(organisation_id=organisation.id)
    founder = FounderFactory()
    venture = VentureFactory(owner_id=founder.id, visibility="published")
    intro = IntroductionFactory(venture_id=venture.id, investor_id=profile.id,
                                requested_by=member.id, requested_by_role="investor")  # fmt: skip
    # The request's event got stuck (its worker died): it comes round after the acceptance.
    stuck = record_event(session=session, kind=INTRODUCTION_REQUESTED,
                         payload={"introduction_id": intro.id})  # fmt: skip
    stuck.available_at = utcnow() + timedelta(seconds=3)
    session.commit()
    take_write_lock(session=session, name="test-accept")  # as the web's POST transaction does
    accept_introduction(session=session, actor=founder, introduction_id=intro.id)

    def both_sent() -> bool:
        session.rollback()
        rows = session.exec(select(EmailDelivery)).all()
        kinds = sorted(r.kind for r in rows if r.status == EmailStatus.SENT.value)
        return kinds == ["introduction.accepted", "introduction.accepted",
                         "introduction.requested"]  # fmt: skip

    wait_for(both_sent, 60, "the acceptance emails and the late request email")
    pool.wait_settled(db)
    subjects = Counter(str(m["Subject"]) for m in smtp_server.mailbox.received())
    assert subjects[f"Introduction request from {profile.name}"] == 1
    assert sum(subjects.values()) == 3
    request = session.exec(
        select(EmailDelivery).where(col(EmailDelivery.kind) == "introduction.requested")
    ).one()
    assert "This request has since been accepted." in request.text_body
