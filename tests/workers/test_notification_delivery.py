"""Every event the other party cares about reaches them by email, through the real chain.

Service call → outbox → relay → a `celery -A workers worker` process → SMTP (aiosmtpd), with the
in-app notice beside it. Each message arrives once.
"""

from __future__ import annotations

from collections import Counter
from email.message import Message

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.factories import DEFAULT_PASSWORD, FounderFactory, VentureFactory
from tests.webapp.ventures.parties import make_investor
from tests.workers.conftest import (
    Mailbox,
    WorkerPool,
    wait_for,
)
from webapp.models import Notification
from webapp.models.enums import DealStage
from webapp.services.deals import deals
from webapp.services.introductions import introductions
from webapp.services.privacy.account_data import erase_account

pytestmark = [pytest.mark.workers, pytest.mark.slow]


WORKERS = ("notices",)


def _mail_to(mailbox: Mailbox, address: str, subject: str) -> Message:
    def arrived() -> Message | None:
        found = [m for m in mailbox.received() if m["To"] == address and m["Subject"] == subject]
        return found[0] if found else None

    found: Message = wait_for(arrived, 60, f"{subject!r} to {address}")
    return found


def _text(message: Message) -> str:
    """The plain-text part, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no text part in {message['Subject']!r}")


def test_introduction_deal_move_and_closure_reach_the_other_side_once(
    session: Session, pool: WorkerPool, db: Engine, mailbox: Mailbox, waker: None
) -> None:
    founder = FounderFactory(name="Fay Founder", email="fay@tyne.example", phone="0191 000 0000")
    venture = VentureFactory(owner_id=founder.id, name="Tyne Dx")
    investor = make_investor(name="Pennine Angels")
    investor_email = investor.user.email

    intro = introductions.request_introduction(
        session=session, actor=investor.user, venture_id=venture.id,
        investor_id=investor.profile.id, message="Coffee in Newcastle?",
    )  # fmt: skip
    request = _mail_to(mailbox, founder.email, "Introduction request from Pennine Angels")
    assert "Coffee in Newcastle?" in _text(request)

    introductions.accept_introduction(session=session, actor=founder, introduction_id=intro.id)
    to_founder = _text(_mail_to(mailbox, founder.email, "Introduction accepted: Pennine Angels"))
    assert f"Email: {investor_email}" in to_founder
    to_investor = _text(_mail_to(mailbox, investor_email, "Introduction accepted: Tyne Dx"))
    assert "Email: fay@tyne.example" in to_investor
    assert "Phone: 0191 000 0000" in to_investor

    deal_id = introductions.get_introduction(
        session=session, viewer=founder, introduction_id=intro.id
    ).deal_id
    assert deal_id is not None
    deals.move_deal(session=session, actor=investor.user, deal_id=deal_id,
                    stage=DealStage.TERM_SHEET, note="Terms attached")  # fmt: skip
    moved = _text(_mail_to(mailbox, founder.email, "Pennine Angels moved the deal to term sheet"))
    assert "Their note: Terms attached" in moved

    erase_account(session=session, user=founder, password=DEFAULT_PASSWORD)
    closed = _text(_mail_to(mailbox, investor_email, "Deal closed: Tyne Dx and Pennine Angels"))
    assert "The founder erased their account and the venture" in closed

    pool.wait_settled(db)
    received = mailbox.received()
    assert max(Counter(m["Message-ID"] for m in received).values()) == 1
    assert sorted((m["To"], m["Subject"]) for m in received) == sorted(
        [
            (founder.email, "Introduction request from Pennine Angels"),
            (founder.email, "Introduction accepted: Pennine Angels"),
            (investor_email, "Introduction accepted: Tyne Dx"),
            (founder.email, "Pennine Angels moved the deal to term sheet"),
            (investor_email, "Deal closed: Tyne Dx and Pennine Angels"),
        ]
    )
    session.rollback()
    in_app = session.exec(
        select(Notification.kind).where(Notification.user_id == investor.user.id)
    ).all()
    assert sorted(in_app) == ["deal.closed", "introduction.accepted"]


def test_a_declined_request_reaches_the_side_that_asked(
    session: Session, pool: WorkerPool, db: Engine, mailbox: Mailbox, waker: None
) -> None:
    founder = FounderFactory()
    venture = VentureFactory(owner_id=founder.id, name="Wear Robotics")
    investor = make_investor(name="Humber Ventures")
    intro = introductions.request_introduction(
        session=session, actor=founder, venture_id=venture.id, investor_id=investor.profile.id
    )
    _mail_to(mailbox, investor.user.email, "Introduction request from Wear Robotics's founder")
    introductions.decline_introduction(
        session=session, actor=investor.user, introduction_id=intro.id, reason="Too early for us"
    )
    declined = _mail_to(mailbox, founder.email, "Introduction declined by Humber Ventures")
    assert "Too early for us" in _text(declined)
    pool.wait_settled(db)


def test_the_weekly_digest_task_mails_digest_readers(
    session: Session, pool: WorkerPool, db: Engine, mailbox: Mailbox, waker: None
) -> None:
    founder = FounderFactory(email_frequency="digest")
    venture = VentureFactory(owner_id=founder.id, name="Tees Hydrogen")
    investor = make_investor(name="Northern Seed")
    introductions.request_introduction(
        session=session, actor=investor.user, venture_id=venture.id, investor_id=investor.profile.id
    )
    pool.wait_settled(db)
    assert [m for m in mailbox.received() if m["To"] == founder.email] == []  # digest, not now
    pool.app_send("workers.tasks.maintenance.weekly_digests", {})
    digest = _mail_to(
        mailbox, founder.email, "Your week on venturematch: 1 waiting for your answer"
    )
    assert "Northern Seed asked to meet" in _text(digest)
    pool.wait_settled(db)
