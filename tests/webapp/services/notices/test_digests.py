"""The weekly digest tells each reader their week: waiting requests, answers, deal moves, news."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from tests.factories import DealFactory, IntroductionFactory, StaffFactory
from tests.webapp.ventures.factories import FeedbackFactory, NotificationFactory
from tests.webapp.ventures.parties import Founder, Investor, make_founder, make_investor
from webapp.models import DealEvent, EmailDelivery, User, utcnow
from webapp.models.enums import DealStage, IntroductionStatus, Role
from webapp.services.deals import deals
from webapp.services.notices.digests import DIGEST_KIND, queue_weekly_digests
from webapp.services.outbox.notifications import DEAL_STALLED, NEW_MATCH


def _reading_digests(session: Session, *users: User) -> None:
    for user in users:
        user.email_frequency = "digest"
        session.add(user)
    session.commit()


def _digest_of(session: Session, user: User) -> EmailDelivery:
    return session.exec(
        select(EmailDelivery)
        .where(EmailDelivery.user_id == user.id)
        .where(EmailDelivery.kind == DIGEST_KIND)
    ).one()


@pytest.fixture
def week(session: Session) -> tuple[Founder, Investor]:
    """A founder and an investor (both on the weekly digest) with a week of activity."""
    founder, investor = make_founder(name="Tyne Dx"), make_investor(name="Pennine Angels")
    _reading_digests(session, founder.user, investor.user)
    long_ago = utcnow() - timedelta(days=40)
    # Waiting for the founder's answer for weeks: still news.
    IntroductionFactory(venture_id=founder.venture.id, investor_id=make_investor(
        name="Humber Ventures").profile.id, requested_by_role=Role.INVESTOR.value,
        message="We back diagnostics", created_at=long_ago)  # fmt: skip
    # The founder asked Pennine Angels; they accepted this week, and moved the deal on.
    asked = IntroductionFactory(venture_id=founder.venture.id, investor_id=investor.profile.id,
                                requested_by=founder.user.id, requested_by_role=Role.FOUNDER.value,
                                status=IntroductionStatus.ACCEPTED.value,
                                responded_by=investor.user.id,
                                responded_at=utcnow() - timedelta(days=2))  # fmt: skip
    deal = DealFactory(introduction=asked, introduction_id=asked.id, venture_id=founder.venture.id,
                       investor_id=investor.profile.id)  # fmt: skip
    deals.move_deal(session=session, actor=investor.user, deal_id=deal.id,
                    stage=DealStage.DUE_DILIGENCE, note="Send the data room")  # fmt: skip
    deals.move_deal(session=session, actor=founder.user, deal_id=deal.id,
                    stage=DealStage.TERM_SHEET)  # fmt: skip
    # Interest, and a declined request long ago (old news: left out).
    FeedbackFactory(venture_id=founder.venture.id, investor_id=make_investor(
        name="Mersey Seed").profile.id)  # fmt: skip
    IntroductionFactory(venture_id=founder.venture.id, investor_id=make_investor(
        name="Old Fund").profile.id, requested_by_role=Role.FOUNDER.value,
        status=IntroductionStatus.DECLINED.value, responded_at=long_ago)  # fmt: skip
    NotificationFactory(user_id=investor.user.id, kind=NEW_MATCH,
                        title="New strong match: Wear Robotics")  # fmt: skip
    return founder, investor


def test_each_reader_gets_their_week_in_sections(
    session: Session, week: tuple[Founder, Investor]
) -> None:
    founder, investor = week
    assert queue_weekly_digests(session=session) == 2
    to_founder = _digest_of(session, founder.user)
    assert to_founder.subject == "Your week on venturematch: 1 waiting for your answer, 3 updates"
    text = to_founder.text_body
    for expected in (
        "Waiting for your answer (1)",
        "Humber Ventures asked to meet",
        "Their message: We back diagnostics",
        "Introductions (1)",
        "Pennine Angels accepted your introduction request",
        f"Email: {investor.user.email}",
        "Deals (1)",
        "Pennine Angels moved the deal to due diligence",
        "Their note: Send the data room",
        "Investors interested in your ventures (1)",
        "Mersey Seed shortlisted Tyne Dx",
    ):
        assert expected in text, expected
    assert "Old Fund" not in text  # answered weeks ago: not this week's news
    assert "moved the deal to term sheet" not in text  # her own move
    assert "Pennine Angels accepted your introduction request" in to_founder.html_body

    to_investor = _digest_of(session, investor.user).text_body
    assert "Tyne Dx moved the deal to term sheet" in to_investor
    assert "New strong matches (1)" in to_investor
    assert "New strong match: Wear Robotics" in to_investor
    assert "due diligence" not in to_investor  # the investor's own move


def test_a_digest_goes_once_a_week_and_the_next_tells_only_what_is_new(
    session: Session, week: tuple[Founder, Investor]
) -> None:
    founder, _ = week
    assert queue_weekly_digests(session=session) == 2
    assert queue_weekly_digests(session=session) == 0  # the same ISO week
    next_week = utcnow() + timedelta(days=7)
    assert queue_weekly_digests(session=session, now=next_week) == 1  # the waiting request
    latest = session.exec(
        select(EmailDelivery)
        .where(EmailDelivery.user_id == founder.user.id)
        .order_by(EmailDelivery.id.desc())  # type: ignore[union-attr]
    ).first()
    assert latest is not None
    assert latest.subject == "Your week on venturematch: 1 waiting for your answer"
    assert "Pennine Angels" not in latest.text_body


def test_instant_and_off_readers_get_no_digest_and_quiet_weeks_none(session: Session) -> None:
    for frequency in ("instant", "off"):
        founder = make_founder()
        founder.user.email_frequency = frequency
        session.add(founder.user)
        IntroductionFactory(venture_id=founder.venture.id, requested_by_role=Role.INVESTOR.value)
    quiet = make_founder()
    _reading_digests(session, quiet.user)
    session.commit()
    assert queue_weekly_digests(session=session) == 0


def test_staff_alerts_reach_staff_in_other_news(session: Session) -> None:
    staff = StaffFactory(email_frequency="digest")
    NotificationFactory(user_id=staff.id, kind=DEAL_STALLED, title="3 deals stalled")
    assert queue_weekly_digests(session=session) == 1
    assert "Other news (1)\n" in _digest_of(session, staff).text_body


def test_a_closed_deal_is_in_the_investors_digest_after_the_founder_leaves(
    session: Session,
) -> None:
    from tests.factories import DEFAULT_PASSWORD
    from webapp.services.privacy.account_data import erase_account

    founder, investor = make_founder(name="Tyne Dx"), make_investor(name="Pennine Angels")
    _reading_digests(session, investor.user)
    deal = DealFactory(introduction__venture_id=founder.venture.id,
                       introduction__investor_id=investor.profile.id)  # fmt: skip
    deals.move_deal(session=session, actor=founder.user, deal_id=deal.id,
                    stage=DealStage.TERM_SHEET)  # fmt: skip
    erase_account(session=session, user=founder.user, password=DEFAULT_PASSWORD)
    assert queue_weekly_digests(session=session) == 1
    text = _digest_of(session, investor.user).text_body
    assert "Tyne Dx moved the deal to term sheet" in text
    assert "Deal closed: Tyne Dx and Pennine Angels" in text
    assert "The founder erased their account and the venture" in text
    assert session.exec(select(DealEvent).where(DealEvent.deal_id == deal.id)).all()


def test_the_weekly_run_on_the_demo_data_queues_digests_for_people_with_news(
    session: Session,
) -> None:
    from datetime import UTC, date

    from seeds.demo import generate
    from seeds.demo.load import load_dataset

    as_of = date(2026, 6, 30)
    load_dataset(session=session, dataset=generate(120, 40, 7, as_of=as_of))
    session.commit()
    now = datetime(as_of.year, as_of.month, as_of.day, 9, tzinfo=UTC)
    queued = queue_weekly_digests(session=session, now=now)
    assert queued > 0
    digests = session.exec(select(EmailDelivery).where(EmailDelivery.kind == DIGEST_KIND)).all()
    assert len(digests) == queued
    assert all("waiting for your answer" in d.subject or "update" in d.subject for d in digests)
