"""Double opt-in: one side asks, the other answers; contacts cross only after acceptance."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import FounderFactory, InvestorUserFactory, StaffFactory, VentureFactory
from tests.webapp.ventures.parties import Founder, Investor, make_investor
from webapp.models import Deal, DealEvent, OutboxEvent
from webapp.models.enums import IntroductionStatus
from webapp.services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.services.introductions import introductions
from webapp.services.outbox.outbox import (
    DEAL_CHANGED,
    INTRODUCTION_ANSWERED,
    INTRODUCTION_REQUESTED,
)


def _ask(session: Session, investor: Investor, founder: Founder) -> int:
    intro = introductions.request_introduction(
        session=session,
        actor=investor.user,
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
        message="We back Northern diagnostics; can we talk?",
    )
    assert intro.id is not None
    return intro.id


def test_an_investor_asks_and_the_founder_accepts_which_opens_a_deal(
    session: Session, investor: Investor, founder: Founder
) -> None:
    intro_id = _ask(session, investor, founder)
    accepted = introductions.accept_introduction(
        session=session, actor=founder.user, introduction_id=intro_id
    )
    assert accepted.status == IntroductionStatus.ACCEPTED.value
    deal = session.exec(select(Deal).where(Deal.introduction_id == intro_id)).one()
    assert deal.stage == "accepted"
    events = session.exec(select(DealEvent).order_by(DealEvent.at)).all()
    assert [(e.stage, e.actor_id) for e in events] == [
        ("introduction_requested", investor.user.id),
        ("accepted", founder.user.id),
    ]
    kinds = [e.kind for e in session.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()]
    assert kinds == [INTRODUCTION_REQUESTED, INTRODUCTION_ANSWERED, DEAL_CHANGED]


def test_contact_details_appear_only_after_acceptance(
    session: Session, investor: Investor, founder: Founder
) -> None:
    intro_id = _ask(session, investor, founder)
    for viewer in (investor.user, founder.user):
        view = introductions.get_introduction(
            session=session, viewer=viewer, introduction_id=intro_id
        )
        assert view.contact is None
    introductions.accept_introduction(session=session, actor=founder.user, introduction_id=intro_id)
    seen_by_investor = introductions.get_introduction(
        session=session, viewer=investor.user, introduction_id=intro_id
    ).contact
    seen_by_founder = introductions.get_introduction(
        session=session, viewer=founder.user, introduction_id=intro_id
    ).contact
    assert seen_by_investor is not None
    assert seen_by_investor.email == founder.user.email
    assert seen_by_investor.phone == founder.user.phone
    assert seen_by_founder is not None
    assert seen_by_founder.email == investor.user.email
    assert seen_by_founder.organisation == investor.profile.name
    listed = introductions.list_introductions(session=session, viewer=founder.user)
    assert listed.items[0].contact == seen_by_founder
    assert listed.items[0].deal_id is not None


def test_a_second_open_request_for_the_pair_is_a_conflict(
    session: Session, investor: Investor, founder: Founder
) -> None:
    _ask(session, investor, founder)
    with pytest.raises(Conflict):
        _ask(session, investor, founder)
    with pytest.raises(Conflict):  # from the other side too
        introductions.request_introduction(
            session=session,
            actor=founder.user,
            venture_id=founder.venture.id,
            investor_id=investor.profile.id,
        )


def test_after_acceptance_the_open_deal_blocks_a_new_request(
    session: Session, investor: Investor, founder: Founder
) -> None:
    intro_id = _ask(session, investor, founder)
    introductions.accept_introduction(session=session, actor=founder.user, introduction_id=intro_id)
    with pytest.raises(Conflict):
        _ask(session, investor, founder)


def test_the_requester_cannot_answer_their_own_request(
    session: Session, investor: Investor, founder: Founder
) -> None:
    intro_id = _ask(session, investor, founder)
    with pytest.raises(Forbidden):
        introductions.accept_introduction(
            session=session, actor=investor.user, introduction_id=intro_id
        )
    with pytest.raises(Forbidden):
        introductions.accept_introduction(
            session=session, actor=StaffFactory(), introduction_id=intro_id
        )
    for outsider in (FounderFactory(), InvestorUserFactory(), make_investor().user):
        with pytest.raises(NotFound):
            introductions.accept_introduction(
                session=session, actor=outsider, introduction_id=intro_id
            )


def test_a_founder_asks_and_an_investor_member_declines_with_a_reason(
    session: Session, investor: Investor, founder: Founder
) -> None:
    intro = introductions.request_introduction(
        session=session,
        actor=founder.user,
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
    )
    assert intro.requested_by_role == "founder"
    declined = introductions.decline_introduction(
        session=session, actor=investor.user, introduction_id=intro.id, reason="Fund fully deployed"
    )
    assert declined.status == "declined"
    assert declined.decline_reason == "Fund fully deployed"
    assert session.exec(select(Deal)).all() == []
    with pytest.raises(Conflict):
        introductions.accept_introduction(
            session=session, actor=investor.user, introduction_id=intro.id
        )
    again = introductions.request_introduction(
        session=session,
        actor=founder.user,
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
    )
    assert again.id != intro.id


def test_the_requester_may_withdraw_an_open_request(
    session: Session, investor: Investor, founder: Founder
) -> None:
    intro_id = _ask(session, investor, founder)
    with pytest.raises(Forbidden):
        introductions.withdraw_introduction(
            session=session, actor=founder.user, introduction_id=intro_id
        )
    withdrawn = introductions.withdraw_introduction(
        session=session, actor=investor.user, introduction_id=intro_id
    )
    assert withdrawn.status == "withdrawn"


def test_requests_need_a_published_venture_the_asker_may_act_for(
    session: Session, investor: Investor, founder: Founder
) -> None:
    draft = VentureFactory(owner_id=founder.user.id, visibility="draft")
    with pytest.raises(NotFound):  # investors can't see drafts
        introductions.request_introduction(
            session=session,
            actor=investor.user,
            venture_id=draft.id,
            investor_id=investor.profile.id,
        )
    with pytest.raises(ValidationFailed):
        introductions.request_introduction(
            session=session,
            actor=founder.user,
            venture_id=draft.id,
            investor_id=investor.profile.id,
        )
    with pytest.raises(NotFound):  # not a member of that investor
        introductions.request_introduction(
            session=session,
            actor=make_investor().user,
            venture_id=founder.venture.id,
            investor_id=investor.profile.id,
        )
    with pytest.raises(Forbidden):
        introductions.request_introduction(
            session=session,
            actor=StaffFactory(),
            venture_id=founder.venture.id,
            investor_id=investor.profile.id,
        )


def test_lists_hold_only_the_viewers_introductions(
    session: Session, investor: Investor, founder: Founder
) -> None:
    _ask(session, investor, founder)
    other = make_investor()
    assert introductions.list_introductions(session=session, viewer=other.user).total == 0
    assert introductions.list_introductions(session=session, viewer=FounderFactory()).total == 0
    assert introductions.list_introductions(session=session, viewer=investor.user).total == 1
    assert introductions.list_introductions(session=session, viewer=StaffFactory()).total == 1
    pending = introductions.list_introductions(
        session=session, viewer=founder.user, status=IntroductionStatus.ACCEPTED
    )
    assert pending.total == 0
