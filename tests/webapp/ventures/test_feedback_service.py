"""Shortlists and passes: the latest verdict per pair, an outbox event for each."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import InvestorUserFactory, VentureFactory
from tests.webapp.ventures.parties import Founder, Investor
from webapp.models import Feedback, OutboxEvent
from webapp.models.enums import FeedbackAction, PassReason
from webapp.services.common.errors import NotFound, ValidationFailed
from webapp.services.introductions import feedback
from webapp.services.outbox.outbox import FEEDBACK_GIVEN


def test_a_pass_with_a_reason_is_stored_and_announced(
    session: Session, investor: Investor, founder: Founder
) -> None:
    given = feedback.give_feedback(
        session=session,
        actor=investor.user,
        investor_id=investor.profile.id,
        venture_id=founder.venture.id,
        action=FeedbackAction.PASS,
        reason=PassReason.TOO_EARLY,
    )
    assert (given.action, given.reason, given.actor_id) == ("pass", "too_early", investor.user.id)
    [event] = session.exec(select(OutboxEvent).where(OutboxEvent.kind == FEEDBACK_GIVEN)).all()
    assert event.payload["action"] == "pass"
    assert event.payload["reason"] == "too_early"
    assert event.payload["venture_id"] == founder.venture.id


def test_the_latest_verdict_replaces_the_earlier_one(
    session: Session, investor: Investor, founder: Founder
) -> None:
    for action in (FeedbackAction.SHORTLIST, FeedbackAction.PASS):
        feedback.give_feedback(
            session=session,
            actor=investor.user,
            investor_id=investor.profile.id,
            venture_id=founder.venture.id,
            action=action,
            reason=PassReason.SECTOR if action == FeedbackAction.PASS else None,
        )
    [row] = session.exec(select(Feedback)).all()
    assert row.action == "pass"
    events = session.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert [e.payload["previous_action"] for e in events] == [None, "shortlist"]


def test_withdrawing_feedback_brings_the_venture_back(
    session: Session, investor: Investor, founder: Founder
) -> None:
    feedback.give_feedback(
        session=session,
        actor=investor.user,
        investor_id=investor.profile.id,
        venture_id=founder.venture.id,
        action=FeedbackAction.PASS,
        reason=PassReason.OTHER,
    )
    feedback.withdraw_feedback(
        session=session,
        actor=investor.user,
        investor_id=investor.profile.id,
        venture_id=founder.venture.id,
    )
    assert session.exec(select(Feedback)).all() == []


def test_a_shortlist_takes_no_reason(
    session: Session, investor: Investor, founder: Founder
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        feedback.give_feedback(
            session=session,
            actor=investor.user,
            investor_id=investor.profile.id,
            venture_id=founder.venture.id,
            action=FeedbackAction.SHORTLIST,
            reason=PassReason.TEAM,
        )
    assert caught.value.errors[0].field == "reason"


def test_drafts_and_other_investors_are_not_found(session: Session, investor: Investor) -> None:
    draft = VentureFactory(visibility="draft")
    with pytest.raises(NotFound):
        feedback.give_feedback(
            session=session,
            actor=investor.user,
            investor_id=investor.profile.id,
            venture_id=draft.id,
            action=FeedbackAction.SHORTLIST,
        )
    with pytest.raises(NotFound):
        feedback.give_feedback(
            session=session,
            actor=InvestorUserFactory(),
            investor_id=investor.profile.id,
            venture_id=VentureFactory().id,
            action=FeedbackAction.SHORTLIST,
        )
