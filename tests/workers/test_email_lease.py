"""A slow SMTP conversation keeps its claim: nobody sends the same email alongside it.

Found by the CI's kill-and-restart test (an email arrived twice): a sender held at RCPT for
longer than the lease let another worker claim the row and send it too.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import FounderFactory
from tests.workers.conftest import Mailbox, SmtpServer, wait_for
from webapp.config import Settings
from webapp.models import EmailDelivery
from webapp.models.enums import EmailStatus
from webapp.services.outbox.mail import Delivery, Outcome, deliver_email, queue_email

LEASE_S = 1.0


def _deliver_in_thread(db: Engine, settings: Settings, email_id: int) -> tuple[Any, list[Delivery]]:
    results: list[Delivery] = []

    def run() -> None:
        with Session(db) as own:
            results.append(
                deliver_email(session=own, settings=settings, email_id=email_id, lease_s=LEASE_S)
            )

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, results


def test_a_sender_held_past_its_lease_keeps_the_email_and_it_arrives_once(
    session: Session,
    db: Engine,
    settings: Settings,
    smtp_server: SmtpServer,
    mailbox: Mailbox,
) -> None:
    smtp = settings.model_copy(update={"smtp_url": smtp_server.url})
    email = queue_email(session=session, user=FounderFactory(), kind="test", subject="Once",
                        text_body="p", html_body="<p>x</p>", dedupe_key="held-lease")  # fmt: skip
    session.commit()
    assert email is not None
    assert email.id is not None

    mailbox.hold.set()  # the server stops answering at RCPT
    first, first_result = _deliver_in_thread(db, smtp, email.id)
    wait_for(mailbox.holding.is_set, 10, "the first sender to be mid-send")
    second = None
    try:
        threading.Event().wait(LEASE_S * 3)  # three leases pass while it is held
        second, second_result = _deliver_in_thread(db, smtp, email.id)
        second.join(10)
        assert not second.is_alive(), "a second sender claimed the email and is sending it too"
        assert second_result[0].outcome is Outcome.BUSY
    finally:
        mailbox.release.set()
        first.join(30)
        if second is not None:
            second.join(30)
    assert first_result[0].outcome is Outcome.SENT
    assert [m["Subject"] for m in mailbox.received()] == ["Once"]
    session.expire_all()
    stored = session.get(EmailDelivery, email.id)
    assert stored is not None
    assert (stored.status, stored.attempts) == (EmailStatus.SENT.value, 1)
