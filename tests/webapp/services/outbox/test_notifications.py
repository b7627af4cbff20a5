"""Notifications: once per (user, key); email now, in the weekly digest, or not, as chosen."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import (
    FounderFactory,
    IntroductionFactory,
    InvestorProfileFactory,
    InvestorUserFactory,
    OrganisationFactory,
    VentureFactory,
)
from tests.webapp.ventures.factories import MatchFactory
from webapp.models import EmailDelivery, Notification
from webapp.models.enums import IntroductionStatus, Role
from webapp.services.notices.digests import queue_weekly_digests
from webapp.services.notices.match_news import announce_introduction, announce_new_matches
from webapp.services.outbox.notifications import (
    DEAL_STALLED,
    INTRODUCTION_ACCEPTED,
    INTRODUCTION_DECLINED,
    INTRODUCTION_REQUESTED,
    NEW_MATCH,
    notify,
)


def _news(session: Session, user_email_frequency: str, key: str = "m1") -> Notification | None:
    user = InvestorUserFactory(email_frequency=user_email_frequency)
    made = notify(session=session, user=user, kind=NEW_MATCH, title="New strong match: Tyne Dx",
                  body="Tyne Dx is now number 2 in your list.", link="/investor/matches",
                  dedupe_key=key)  # fmt: skip
    session.commit()
    return made


def _emails(session: Session) -> list[EmailDelivery]:
    return list(session.exec(select(EmailDelivery)).all())


def test_instant_users_get_one_email_with_text_and_html(session: Session) -> None:
    assert _news(session, "instant") is not None
    (news,) = _emails(session)
    assert news.subject == "New strong match: Tyne Dx"
    assert "Tyne Dx is now number 2" in news.text_body
    assert "<h1" in news.html_body
    assert "Tyne Dx is now number 2" in news.html_body


def test_the_same_key_notifies_once(session: Session) -> None:
    user = InvestorUserFactory()
    for _ in range(3):
        notify(session=session, user=user, kind=NEW_MATCH, title="t", body="b", dedupe_key="k")
        session.commit()
    assert len(session.exec(select(Notification)).all()) == 1
    assert len(_emails(session)) == 1


def test_digest_users_get_match_news_in_the_weekly_digest_only(session: Session) -> None:
    _news(session, "digest")
    assert _emails(session) == []
    assert queue_weekly_digests(session=session) == 1
    assert queue_weekly_digests(session=session) == 0  # once a week
    (digest,) = _emails(session)
    assert "New strong match: Tyne Dx" in digest.text_body
    assert "New strong match: Tyne Dx" in digest.html_body


def test_off_means_in_app_only(session: Session) -> None:
    assert _news(session, "off") is not None
    assert _emails(session) == []
    assert queue_weekly_digests(session=session) == 0


@pytest.mark.parametrize(
    "kind",
    [NEW_MATCH, INTRODUCTION_REQUESTED, INTRODUCTION_ACCEPTED, INTRODUCTION_DECLINED, DEAL_STALLED],
)
@pytest.mark.parametrize(("frequency", "emailed"), [("instant", 1), ("digest", 0), ("off", 0)])
def test_every_kind_of_notice_is_emailed_only_as_the_setting_says(
    session: Session, kind: str, frequency: str, emailed: int
) -> None:
    user = FounderFactory(email_frequency=frequency)
    made = notify(session=session, user=user, kind=kind, title="t", body="b", dedupe_key="k")
    session.commit()
    assert made is not None  # in the app whatever the setting
    assert len(_emails(session)) == emailed


def test_an_accepted_introduction_gives_both_sides_the_other_contact(session: Session) -> None:
    organisation = OrganisationFactory(name="Pennine Angels")
    member = InvestorUserFactory(organisation_id=organisation.id, name="Ivy Investor",
                                 email="ivy@pennine.example")  # fmt: skip
    profile = InvestorProfileFactory(organisation_id=organisation.id, name="Pennine Angels")
    founder = FounderFactory(name="Fay Founder", email="fay@tyne.example", phone="0191 000 0000")
    venture = VentureFactory(owner_id=founder.id, name="Tyne Dx")
    intro = IntroductionFactory(venture_id=venture.id, investor_id=profile.id,
                                requested_by=member.id, requested_by_role=Role.INVESTOR.value,
                                status=IntroductionStatus.ACCEPTED.value)  # fmt: skip
    assert announce_introduction(session=session, introduction_id=intro.id) == 2
    assert announce_introduction(session=session, introduction_id=intro.id) == 0
    by_user = {e.user_id: e for e in _emails(session)}
    assert set(by_user) == {founder.id, member.id}
    assert "ivy@pennine.example" in by_user[founder.id].text_body
    assert "fay@tyne.example" in by_user[member.id].text_body
    assert "0191 000 0000" in by_user[member.id].html_body
    kinds = {n.kind for n in session.exec(select(Notification)).all()}
    assert kinds == {INTRODUCTION_ACCEPTED}


def test_news_of_a_strong_match_words_reasons_with_labels_and_says_the_deal_breaker(
    session: Session,
) -> None:
    fund = InvestorProfileFactory(ticket_max_gbp=2_000_000)
    member = InvestorUserFactory(organisation_id=fund.organisation_id)
    venture = VentureFactory(name="Tyne Sepsis Dx", raise_amount_gbp=3_200_000, stage="series_a")
    MatchFactory(
        venture_id=venture.id,
        investor_id=fund.id,
        investor_rank=2,
        reasons=[
            ["ticket_fit", "-", {"raise": 3_200_000, "min": 250_000, "max": 2_000_000}],
            ["track_sector", "+", {"sector": "diagnostics", "deals": 4, "of": 12}],
        ],
    )
    assert announce_new_matches(session=session, venture_id=venture.id, entered={fund.id})
    session.commit()
    (news,) = session.exec(select(Notification).where(Notification.user_id == member.id)).all()
    assert "raising £3.2m at Series A stage" in news.body
    assert "Why: Backs Diagnostics: 4 of its 12 past deals." in news.body
    assert "Against: Tickets £250k–£2m; the £3.2m raise is above its maximum." in news.body
