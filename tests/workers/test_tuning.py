"""Worker limits set through the environment change what a real worker does.

The workers here run with limits far below the defaults; each test shows the worker acting
on the low limit where the default would have it do something else.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.factories import FounderFactory
from tests.webapp.ventures.factories import FeedbackFactory
from tests.workers.conftest import SmtpServer, WorkerPool, wait_for
from webapp.models import EmailDelivery, JobRun
from webapp.models.enums import EmailStatus, JobKind
from webapp.services.common.health import WORKER_HEARTBEAT_TTL_S
from webapp.services.outbox.mail import queue_email
from workers.lifecycle import heartbeat_ttl
from workers.tuning import WorkerTuning

pytestmark = [pytest.mark.workers, pytest.mark.slow]

WORKERS = ("tuned",)
WORKER_TUNING = {
    "VENTUREMATCH_WORKER_RETRAIN_AFTER_OUTCOMES": "1",
    "VENTUREMATCH_WORKER_EMAIL_MAX_ATTEMPTS": "2",
}
DEFAULTS = WorkerTuning()


def test_retraining_is_due_after_the_configured_number_of_outcomes(
    session: Session, pool: WorkerPool, db: Engine
) -> None:
    assert DEFAULTS.retrain_after_outcomes > 1  # by default one outcome would not be enough
    FeedbackFactory()
    pool.app_send("workers.tasks.maintenance.retrain_if_due", {})

    def retrain_opened() -> bool:
        session.rollback()
        return bool(
            session.exec(select(JobRun).where(col(JobRun.kind) == JobKind.RETRAIN.value)).all()
        )

    wait_for(retrain_opened, 30, "a retraining job after one outcome")
    pool.wait_settled(db)


def test_an_email_fails_for_good_after_the_configured_number_of_attempts(
    session: Session, pool: WorkerPool, db: Engine, mailbox: object, smtp_server: SmtpServer,
    waker: None,
) -> None:  # fmt: skip
    assert DEFAULTS.email_max_attempts > 2  # by default it would still be pending
    smtp_server.down()
    email = queue_email(
        session=session, user=FounderFactory(), kind="test", subject="Hello",
        text_body="plain", html_body="<p>html</p>", dedupe_key="max-attempts",
    )  # fmt: skip
    session.commit()
    assert email is not None

    def failed() -> EmailDelivery | None:
        session.rollback()
        row = session.get(EmailDelivery, email.id, populate_existing=True)
        return row if row is not None and row.status == EmailStatus.FAILED.value else None

    row = wait_for(failed, 60, "the email to fail for good")
    assert row.attempts == 2
    pool.wait_settled(db)


def test_a_slow_heartbeat_outlives_its_interval() -> None:
    """Beats further apart than the key's 30 s would let /healthz see no worker between them."""
    assert heartbeat_ttl(10) == WORKER_HEARTBEAT_TTL_S
    assert heartbeat_ttl(600) == 1800
    assert heartbeat_ttl(12.5) == 38
