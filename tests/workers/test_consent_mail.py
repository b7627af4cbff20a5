"""The consent emails travel the ordinary way: outbox → relay → Celery worker → real SMTP.

An invitation reaches an investor account's inbox exactly once and reaches nobody when the
address has no investor account; a programme's request reaches the draft's founder once.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import FounderFactory, InvestorUserFactory, StaffFactory, VentureFactory
from tests.webapp.staff.factories import ProgrammeFactory
from tests.webapp.ventures.parties import make_investor
from tests.workers.conftest import (
    SmtpServer,
    WorkerPool,
    wait_for,
)
from webapp.models import User
from webapp.services.investors import member_invitations
from webapp.services.ventures import programme_enrolment

pytestmark = [pytest.mark.workers, pytest.mark.slow]


WORKERS = ("mail",)


def _delivered(pool: WorkerPool, db: Engine, smtp_server: SmtpServer, count: int) -> list:  # type: ignore[type-arg]
    wait_for(lambda: len(smtp_server.mailbox.received()) >= count, 30, f"{count} email(s)")
    pool.wait_settled(db)
    return smtp_server.mailbox.received()


def test_an_invitation_mails_the_investor_account_once_and_nobody_else(
    session: Session, pool: WorkerPool, db: Engine, mailbox: object, smtp_server: SmtpServer,
    waker: None,
) -> None:  # fmt: skip
    inviter = make_investor()
    colleague = InvestorUserFactory(organisation_id=None)
    for email in (colleague.email, FounderFactory().email, "nobody@nowhere.example"):
        member_invitations.invite_member(
            session=session, actor=inviter.user, investor_id=inviter.profile.id, email=email
        )
    member_invitations.invite_member(  # again: the open invitation, no second email
        session=session, actor=inviter.user, investor_id=inviter.profile.id, email=colleague.email
    )
    [message] = _delivered(pool, db, smtp_server, 1)
    assert message["To"] == colleague.email
    assert " ".join(str(message["Subject"]).split()) == (  # long subjects are folded
        f"{inviter.user.name} invited you to join {inviter.profile.name} on venturematch"
    )
    [plain] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    assert "/investor/invitations" in plain.get_payload(decode=True).decode()


def test_a_programme_asking_for_a_draft_mails_its_founder_once(
    session: Session, pool: WorkerPool, db: Engine, mailbox: object, smtp_server: SmtpServer,
    waker: None,
) -> None:  # fmt: skip
    programme = ProgrammeFactory(name="Humber Launchpad")
    draft = VentureFactory(name="Quiet Draft Ltd", visibility="draft", published_at=None)
    staff = StaffFactory()
    for _ in range(2):
        programme_enrolment.enrol_ventures(
            session=session, actor=staff, programme_id=programme.id, venture_ids=[draft.id]
        )
    [message] = _delivered(pool, db, smtp_server, 1)
    owner = session.get(User, draft.owner_id)
    assert owner is not None
    assert message["To"] == owner.email
    assert message["Subject"] == "Humber Launchpad would like to enrol Quiet Draft Ltd"
