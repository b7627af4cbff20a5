"""Investors' verdicts on ventures in their lists: the labels the ranker learns from."""

from __future__ import annotations

from sqlmodel import Session, col, select

from webapp.models import Feedback, User, Venture, utcnow
from webapp.models.enums import FeedbackAction, PassReason, Visibility
from webapp.services.access.object_access import can_read_venture, member_investor
from webapp.services.common.errors import FieldError, NotFound, ValidationFailed
from webapp.services.common.text_checks import check_text
from webapp.services.outbox.outbox import FEEDBACK_GIVEN, record_event


def give_feedback(
    *,
    session: Session,
    actor: User,
    investor_id: int,
    venture_id: int,
    action: FeedbackAction,
    reason: PassReason | None = None,
    note: str | None = None,
) -> Feedback:
    """Shortlist or pass; the latest verdict replaces any earlier one for the pair.

    A pass takes the venture out of the investor's list at once (the list query leaves passes
    out); the outbox event lets the ranker learn from it and tells the founder of interest.
    """
    check_text(note=note)
    member_investor(session, actor, investor_id)
    venture = session.get(Venture, venture_id)
    if venture is None or not can_read_venture(session, actor, venture):
        raise NotFound(f"No venture {venture_id}")
    if venture.visibility != Visibility.PUBLISHED.value:
        raise ValidationFailed(
            [FieldError("venture_id", f"venture {venture_id} is not published any more")]
        )
    if action == FeedbackAction.SHORTLIST and reason is not None:
        raise ValidationFailed(
            [FieldError("reason", "a reason goes with a pass only; leave it out to shortlist")]
        )
    feedback = session.exec(
        select(Feedback)
        .where(Feedback.investor_id == investor_id)
        .where(Feedback.venture_id == venture_id)
    ).first()
    now = utcnow()
    previous = feedback.action if feedback else None
    if feedback is None:
        feedback = Feedback(
            investor_id=investor_id, venture_id=venture_id, action=action, created_at=now
        )
    feedback.action = FeedbackAction(action).value
    feedback.reason = PassReason(reason).value if reason is not None else None
    feedback.note = note
    feedback.actor_id = actor.id
    feedback.updated_at = now
    session.add(feedback)
    session.flush()
    record_event(
        session=session,
        kind=FEEDBACK_GIVEN,
        payload={
            "feedback_id": feedback.id,
            "investor_id": investor_id,
            "venture_id": venture_id,
            "action": feedback.action,
            "reason": feedback.reason,
            "previous_action": previous,
            "actor_id": actor.id,
        },
    )
    session.commit()
    return feedback


def withdraw_feedback(*, session: Session, actor: User, investor_id: int, venture_id: int) -> None:
    """Undo a shortlist or a pass: the venture returns to the list in the ranker's place."""
    member_investor(session, actor, investor_id)
    feedback = session.exec(
        select(Feedback)
        .where(Feedback.investor_id == investor_id)
        .where(Feedback.venture_id == venture_id)
    ).first()
    if feedback is None:
        raise NotFound(f"No feedback from investor {investor_id} on venture {venture_id}")
    previous = feedback.action
    session.delete(feedback)
    record_event(
        session=session,
        kind=FEEDBACK_GIVEN,
        payload={
            "feedback_id": None,
            "investor_id": investor_id,
            "venture_id": venture_id,
            "action": None,
            "reason": None,
            "previous_action": previous,
            "actor_id": actor.id,
        },
    )
    session.commit()


def feedback_of(*, session: Session, actor: User, investor_id: int) -> list[Feedback]:
    """Everything the investor has shortlisted or passed, newest first."""
    member_investor(session, actor, investor_id)
    return list(
        session.exec(
            select(Feedback)
            .where(Feedback.investor_id == investor_id)
            .order_by(col(Feedback.updated_at).desc())
        ).all()
    )
