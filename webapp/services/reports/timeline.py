"""One venture's story on the platform, oldest first: for staff following a company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from webapp.models import (
    Deal,
    DealEvent,
    Feedback,
    Introduction,
    InvestorProfile,
    Match,
    Programme,
    ProgrammeVenture,
    User,
    Venture,
)
from webapp.models.enums import CLOSED_DEAL_STAGES
from webapp.services.access.staff_scope import staff_scope, venture_visible
from webapp.services.common.errors import NotFound

STAGE_WORDS = {
    "introduction_requested": "Introduction requested",
    "accepted": "Introduction accepted; deal opened",
    "in_conversation": "In conversation",
    "due_diligence": "Due diligence",
    "term_sheet": "Term sheet",
    "invested": "Invested",
    "declined": "Declined",
    "passed": "Investor passed",
    "withdrawn": "Withdrawn",
}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """Something that happened to the venture."""

    at: datetime
    kind: str  # created | published | enrolled | feedback | introduction | deal
    title: str
    investor_id: int | None = None
    investor_name: str | None = None
    detail: str | None = None
    deal_id: int | None = None


@dataclass(frozen=True)
class Timeline:
    """The venture, what happened to it, and where its deals stand now."""

    venture: Venture
    entries: list[TimelineEntry]
    matches: int
    open_deals: int


def venture_timeline(*, session: Session, viewer: User, venture_id: int) -> Timeline:
    """Every step of a venture, if it is inside the viewer's programme scope (else 404)."""
    scope = staff_scope(session=session, user=viewer)
    venture = session.get(Venture, venture_id)
    if venture is None or not venture_visible(session=session, scope=scope, venture_id=venture_id):
        raise NotFound(f"No venture {venture_id}")
    entries = [TimelineEntry(venture.created_at, "created", "Venture created")]
    if venture.published_at is not None:
        entries.append(TimelineEntry(venture.published_at, "published", "Published"))
    connection = session.connection()
    enrolled = (
        select(col(ProgrammeVenture.enrolled_at), col(Programme.name))
        .join(Programme, col(Programme.id) == col(ProgrammeVenture.programme_id))
        .where(col(ProgrammeVenture.venture_id) == venture_id)
    )
    entries += [
        TimelineEntry(at, "enrolled", f"Enrolled in {name}")
        for at, name in connection.execute(enrolled)
    ]
    feedback = (
        select(
            col(Feedback.updated_at),
            col(Feedback.action),
            col(Feedback.reason),
            col(InvestorProfile.id),
            col(InvestorProfile.name),
        )
        .join(InvestorProfile, col(InvestorProfile.id) == col(Feedback.investor_id))
        .where(col(Feedback.venture_id) == venture_id)
    )
    for at, action, reason, iid, iname in connection.execute(feedback):
        title = "Shortlisted" if action == "shortlist" else "Passed"
        detail = f"Reason: {reason.replace('_', ' ')}" if reason else None
        entries.append(TimelineEntry(at, "feedback", title, iid, iname, detail))
    intros = (
        select(
            col(Introduction.created_at),
            col(Introduction.responded_at),
            col(Introduction.status),
            col(Introduction.requested_by_role),
            col(Introduction.decline_reason),
            col(InvestorProfile.id),
            col(InvestorProfile.name),
        )
        .join(InvestorProfile, col(InvestorProfile.id) == col(Introduction.investor_id))
        .where(col(Introduction.venture_id) == venture_id)
    )
    for asked, answered, status, by, why, iid, iname in connection.execute(intros):
        entries.append(
            TimelineEntry(asked, "introduction", f"Introduction requested by the {by}", iid, iname)
        )
        if answered is not None and status != "accepted":  # acceptance shows as a deal event
            entries.append(
                TimelineEntry(answered, "introduction", f"Introduction {status}", iid, iname, why)
            )
    events = (
        select(
            col(DealEvent.at),
            col(DealEvent.stage),
            col(DealEvent.note),
            col(Deal.id),
            col(InvestorProfile.id),
            col(InvestorProfile.name),
        )
        .join(Deal, col(Deal.id) == col(DealEvent.deal_id))
        .join(InvestorProfile, col(InvestorProfile.id) == col(Deal.investor_id))
        .where(col(Deal.venture_id) == venture_id)
        .where(col(DealEvent.stage) != "introduction_requested")  # shown from the introduction
    )
    for at, stage, note, deal_id, iid, iname in connection.execute(events):
        entries.append(
            TimelineEntry(at, "deal", STAGE_WORDS.get(stage, stage), iid, iname, note, deal_id)
        )
    order = {"created": 0, "published": 1, "enrolled": 2, "feedback": 3, "introduction": 4}
    entries.sort(key=lambda e: (e.at, order.get(e.kind, 5)))
    matches = connection.execute(
        select(func.count()).where(col(Match.venture_id) == venture_id)
    ).scalar_one()
    open_deals = connection.execute(
        select(func.count())
        .where(col(Deal.venture_id) == venture_id)
        .where(col(Deal.stage).not_in([s.value for s in CLOSED_DEAL_STAGES]))
    ).scalar_one()
    return Timeline(venture=venture, entries=entries, matches=matches, open_deals=open_deals)
