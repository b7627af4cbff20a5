"""Labels for the ranker from what people did on the platform (read-only).

The kinds of `matching` outcome: `invested` (deal events), `intro_accepted` (introductions),
`shortlisted` / `passed` (feedback, with the pass reason), and `ignored` (a venture shown to an
investor long ago that got no feedback and no introduction). Retraining runs after enough new
ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlmodel import Session, col

from webapp.models import Deal, DealEvent, Feedback, Introduction, MatchImpression, utcnow
from webapp.models.enums import DealStage, FeedbackAction, IntroductionStatus

IGNORED_AFTER_DAYS = 21  # shown this long ago without any reaction counts as a weak "no"
FEEDBACK_KINDS = {
    FeedbackAction.SHORTLIST.value: "shortlisted",
    FeedbackAction.PASS.value: "passed",
}


def _day(at: datetime) -> Any:
    return at.date()


def outcomes(
    *, session: Session, now: datetime | None = None, ignored_after_days: int = IGNORED_AFTER_DAYS
) -> list[dict[str, Any]]:
    """Every label the platform has, oldest first within each kind."""
    now = now or utcnow()
    connection = session.connection()
    found: list[dict[str, Any]] = []
    invested = connection.execute(
        select(col(Deal.venture_id), col(Deal.investor_id), func.min(col(DealEvent.at)))
        .join(DealEvent, col(DealEvent.deal_id) == col(Deal.id))
        .where(col(DealEvent.stage) == DealStage.INVESTED.value)
        .where(col(Deal.venture_id).is_not(None))  # an erased venture has nothing to learn from
        .group_by(col(Deal.venture_id), col(Deal.investor_id))
    )
    found += [
        {"venture_id": v, "investor_id": i, "kind": "invested", "date": _day(at)}
        for v, i, at in invested
    ]
    accepted = connection.execute(
        select(
            col(Introduction.venture_id),
            col(Introduction.investor_id),
            func.min(func.coalesce(col(Introduction.responded_at), col(Introduction.created_at))),
        )
        .where(col(Introduction.status) == IntroductionStatus.ACCEPTED.value)
        .group_by(col(Introduction.venture_id), col(Introduction.investor_id))
    )
    found += [
        {"venture_id": v, "investor_id": i, "kind": "intro_accepted", "date": _day(at)}
        for v, i, at in accepted
    ]
    feedback = connection.execute(
        select(
            col(Feedback.venture_id),
            col(Feedback.investor_id),
            col(Feedback.action),
            col(Feedback.reason),
            col(Feedback.updated_at),
        ).order_by(col(Feedback.id))
    )
    found += [
        {
            "venture_id": v,
            "investor_id": i,
            "kind": FEEDBACK_KINDS[action],
            "date": _day(at),
            "reason": reason,
        }
        for v, i, action, reason, at in feedback
        if action in FEEDBACK_KINDS
    ]
    cutoff = now - timedelta(days=ignored_after_days)
    reacted = exists().where(
        and_(
            col(Feedback.venture_id) == col(MatchImpression.venture_id),
            col(Feedback.investor_id) == col(MatchImpression.investor_id),
        )
    )
    introduced = exists().where(
        and_(
            col(Introduction.venture_id) == col(MatchImpression.venture_id),
            col(Introduction.investor_id) == col(MatchImpression.investor_id),
        )
    )
    ignored = connection.execute(
        select(
            col(MatchImpression.venture_id),
            col(MatchImpression.investor_id),
            col(MatchImpression.first_shown_at),
        )
        .where(col(MatchImpression.first_shown_at) <= cutoff)
        .where(~reacted)
        .where(~introduced)
        .order_by(col(MatchImpression.id))
    )
    found += [
        {"venture_id": v, "investor_id": i, "kind": "ignored", "date": _day(at)}
        for v, i, at in ignored
    ]
    return found


def outcome_count(*, session: Session) -> int:
    """Feedback, accepted introductions and investments recorded so far."""
    connection = session.connection()
    feedback = connection.execute(select(func.count()).select_from(Feedback)).scalar_one()
    accepted = connection.execute(
        select(func.count())
        .select_from(Introduction)
        .where(col(Introduction.status) == IntroductionStatus.ACCEPTED.value)
    ).scalar_one()
    invested = connection.execute(
        select(func.count())
        .select_from(DealEvent)
        .where(col(DealEvent.stage) == DealStage.INVESTED.value)
    ).scalar_one()
    return int(feedback) + int(accepted) + int(invested)
