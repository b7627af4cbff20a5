"""A worker killed with SIGKILL mid-task loses nothing and sends nothing twice.

One worker node serves this module so that the killed task is surely the one on it. Its
message stays unacknowledged in Redis; after a restart it is delivered again once the
visibility timeout (4 s here) has passed.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import FounderFactory
from tests.workers.builders import (
    expected_lists,
    matching_values,
    outsider_pair,
    stored_lists,
)
from tests.workers.conftest import (
    Mailbox,
    WorkerPool,
    kill_mid_refresh,
    settled,
    wait_for,
)
from webapp.config import Settings
from webapp.models import EmailDelivery
from webapp.models.enums import EmailStatus
from webapp.services.outbox.mail import queue_email

pytestmark = [pytest.mark.workers, pytest.mark.slow]
REDELIVERY_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def small_k(settings: Settings) -> Settings:
    return settings.model_copy(update={"match_top_k": 5})


WORKERS = ("gamma",)


@pytest.fixture(scope="module")
def pool_settings(small_k: Settings) -> Settings:
    return small_k


def test_killed_in_the_middle_of_a_refresh_the_refresh_completes_after_restart(
    session: Session, pool: WorkerPool, db: Engine, small_k: Settings
) -> None:
    chosen, target = outsider_pair(session, small_k, 3, ventures=30, investors=8)

    kill_mid_refresh(pool, db, target.id, matching_values(chosen))
    assert stored_lists(session) != expected_lists(session, small_k)

    pool.restart(pool.workers[0])

    def refreshed() -> bool:
        session.rollback()
        return stored_lists(session) == expected_lists(session, small_k)

    with pool.showing_logs():
        wait_for(refreshed, REDELIVERY_TIMEOUT_S, "the redelivered refresh", every=1.0)
        wait_for(lambda: settled(db, pool.client), 30, "the worker to go idle")


def test_killed_in_the_middle_of_an_email_send_exactly_one_email_arrives(
    session: Session, pool: WorkerPool, db: Engine, mailbox: Mailbox, waker: None
) -> None:
    founder = FounderFactory()
    mailbox.hold.set()  # the SMTP server stops answering at RCPT: the sender is mid-send
    email = queue_email(
        session=session, user=founder, kind="test", subject="Only once",
        text_body="plain", html_body="<p>html</p>", dedupe_key="sigkill-mid-send",
    )  # fmt: skip
    session.commit()
    assert email is not None
    wait_for(mailbox.holding.is_set, 30, "the worker to be in the middle of the SMTP session")
    pool.workers[0].kill()
    mailbox.hold.clear()
    mailbox.release.set()
    assert mailbox.received() == []

    pool.restart(pool.workers[0])

    def sent() -> bool:
        row = session.get(EmailDelivery, email.id, populate_existing=True)
        session.rollback()
        return bool(row and row.status == EmailStatus.SENT.value)

    with pool.showing_logs():
        wait_for(sent, REDELIVERY_TIMEOUT_S, "the email to be sent after the restart", every=0.5)
        wait_for(lambda: settled(db, pool.client), 30, "the worker to go idle")
    assert [m["Subject"] for m in mailbox.received()] == ["Only once"]
    row = session.get(EmailDelivery, email.id, populate_existing=True)
    assert row is not None
    assert row.attempts == 2  # the killed attempt, then the one that went through
