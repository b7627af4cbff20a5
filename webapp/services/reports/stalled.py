"""Deals that have gone quiet: open deals with no event for N days, with their last event.

Staff use the list to chase; the workers' stalled-deal alerts call `stalled_deals` too.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from webapp.models import Deal, DealEvent, InvestorProfile, ProgrammeVenture, Venture
from webapp.models.enums import CLOSED_DEAL_STAGES
from webapp.services.common.errors import FieldError, ValidationFailed

MIN_DAYS, MAX_DAYS = 1, 3650


@dataclass(frozen=True, slots=True)
class StalledDeal:
    """An open deal and the last thing that happened to it."""

    deal_id: int
    venture_id: int
    venture_name: str
    venture_owner_id: int
    investor_id: int
    investor_name: str
    investor_organisation_id: int
    stage: str
    amount_gbp: int | None
    last_event_stage: str | None  # None when the deal has no recorded event
    last_event_at: datetime  # the last event, or the deal's own update time without one
    last_event_actor_id: int | None
    last_event_note: str | None
    days_quiet: int


def check_days(days: int) -> None:
    """Refuse a quiet period outside 1–3650 days, naming the field."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationFailed(
            [FieldError("days", f"{days} is out of range; use {MIN_DAYS} to {MAX_DAYS}")]
        )


def stalled_deals(
    *,
    session: Session,
    days: int,
    now: datetime,
    programme_ids: Collection[int] | None = None,
) -> list[StalledDeal]:
    """Open deals whose last event is at least `days` old at `now`, quietest first.

    `programme_ids` limits the list to ventures enrolled in those programmes (None = all).
    """
    check_days(days)
    if now.tzinfo is None:
        raise ValueError(f"now={now!r} is naive; pass a UTC-aware time")
    cutoff = now - timedelta(days=days)
    # The newest event of each deal, picked with a window function (one query, both dialects).
    ranked = select(
        col(DealEvent.deal_id).label("deal_id"),
        col(DealEvent.stage).label("stage"),
        col(DealEvent.at).label("at"),
        col(DealEvent.actor_id).label("actor_id"),
        col(DealEvent.note).label("note"),
        func.row_number()
        .over(
            partition_by=col(DealEvent.deal_id),
            order_by=(col(DealEvent.at).desc(), col(DealEvent.id).desc()),
        )
        .label("position"),
    ).subquery("ranked_event")
    last = select(ranked).where(ranked.c.position == 1).subquery("last_event")
    last_at = func.coalesce(last.c.at, col(Deal.updated_at))
    query = (
        select(
            col(Deal.id),
            col(Deal.venture_id),
            col(Venture.name),
            col(Venture.owner_id),
            col(Deal.investor_id),
            col(InvestorProfile.name),
            col(InvestorProfile.organisation_id),
            col(Deal.stage),
            col(Deal.amount_gbp),
            last.c.stage,
            last_at.label("last_at"),
            last.c.actor_id,
            last.c.note,
        )
        .join(Venture, col(Venture.id) == col(Deal.venture_id))
        .join(InvestorProfile, col(InvestorProfile.id) == col(Deal.investor_id))
        .outerjoin(last, last.c.deal_id == col(Deal.id))
        .where(col(Deal.stage).not_in([stage.value for stage in CLOSED_DEAL_STAGES]))
        .where(last_at <= cutoff)
        .order_by(last_at, col(Deal.id))
    )
    if programme_ids is not None:
        enrolled = select(col(ProgrammeVenture.venture_id)).where(
            col(ProgrammeVenture.programme_id).in_(sorted(programme_ids))
        )
        query = query.where(col(Deal.venture_id).in_(enrolled))
    found = []
    for row in session.connection().execute(query).all():
        at: datetime = row[10]
        found.append(
            StalledDeal(
                deal_id=row[0],
                venture_id=row[1],
                venture_name=row[2],
                venture_owner_id=row[3],
                investor_id=row[4],
                investor_name=row[5],
                investor_organisation_id=row[6],
                stage=row[7],
                amount_gbp=row[8],
                last_event_stage=row[9],
                last_event_at=at,
                last_event_actor_id=row[11],
                last_event_note=row[12],
                days_quiet=(now - at).days,
            )
        )
    return found
