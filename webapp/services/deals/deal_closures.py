"""Open deals close with a recorded reason when a party goes away, and the other side hears.

A venture closed or erased, a founder's account erased, an investor organisation's last member
gone: each open deal moves to withdrawn with `closed_reason`, a deal event, an audit entry and a
notice to the party that remains, all in the caller's transaction. Before, an erased venture took
its deals with it and the investor's term sheet vanished without a word.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select, update

from webapp.models import Deal, DealEvent, InvestorProfile, User, Venture
from webapp.models.enums import DealClosedReason, DealStage
from webapp.services.access.object_access import active_members
from webapp.services.common.ids import saved_id
from webapp.services.deals.deal_news import announce_closure
from webapp.services.deals.deal_wording import closed_reason_label
from webapp.services.deals.deals import record_step
from webapp.services.introductions.introductions import OPEN_DEAL_STAGES

ERASING_REASONS = frozenset({DealClosedReason.VENTURE_ERASED, DealClosedReason.FOUNDER_ERASED})


def close_venture_deals(
    *, session: Session, actor: User, venture: Venture, reason: DealClosedReason
) -> list[Deal]:
    """Withdraw the venture's open deals and tell each investor; call before erasing it.

    When the venture is being erased, every one of its deals keeps the venture's name (the row
    outlives the venture) and the founder's own notes on them go with the founder's data.
    """
    venture_id = saved_id(venture)
    if reason in ERASING_REASONS:
        session.exec(
            update(DealEvent)
            .where(col(DealEvent.deal_id).in_(select(Deal.id).where(Deal.venture_id == venture_id)))
            .where(col(DealEvent.actor_id) == venture.owner_id)
            .values(note=None)
        )
        session.exec(
            update(Deal)
            .where(col(Deal.venture_id) == venture_id)
            .values(former_venture_name=venture.name)
        )
    closed = []
    for deal in _open_deals(session, col(Deal.venture_id) == venture_id):
        profile = session.get(InvestorProfile, deal.investor_id)
        _close(
            session,
            deal,
            actor=actor,
            reason=reason,
            recipients=active_members(session, deal.investor_id),
            venture_name=venture.name,
            investor_name=profile.name if profile else "",
        )
        closed.append(deal)
    return closed


def close_investor_deals(
    *, session: Session, actor: User, investor_id: int, reason: DealClosedReason
) -> list[Deal]:
    """Withdraw an investor's open deals and tell each founder (nobody is left to follow them)."""
    profile = session.get(InvestorProfile, investor_id)
    closed = []
    for deal in _open_deals(session, col(Deal.investor_id) == investor_id):
        venture = session.get(Venture, deal.venture_id) if deal.venture_id else None
        owner = session.get(User, venture.owner_id) if venture else None
        _close(
            session,
            deal,
            actor=actor,
            reason=reason,
            recipients=[owner] if owner else [],
            venture_name=venture.name if venture else deal.former_venture_name or "",
            investor_name=profile.name if profile else "",
        )
        closed.append(deal)
    return closed


def open_deal_count(*, session: Session, venture_id: int) -> int:
    """How many of the venture's deals are open: what closing or erasing it would end."""
    return len(_open_deals(session, col(Deal.venture_id) == venture_id))


def _open_deals(session: Session, where: ColumnElement[bool]) -> list[Deal]:
    return list(
        session.exec(
            select(Deal)
            .where(where)
            .where(col(Deal.stage).in_(OPEN_DEAL_STAGES))
            .order_by(col(Deal.id))
        ).all()
    )


def _close(
    session: Session,
    deal: Deal,
    *,
    actor: User,
    reason: DealClosedReason,
    recipients: list[User],
    venture_name: str,
    investor_name: str,
) -> None:
    previous = deal.stage
    event = record_step(
        session=session,
        deal=deal,
        actor=actor,
        stage=DealStage.WITHDRAWN,
        note=closed_reason_label(reason.value),
        reason=reason,
    )
    announce_closure(
        session=session,
        deal=deal,
        event=event,
        recipients=recipients,
        venture_name=venture_name,
        investor_name=investor_name,
        previous=previous,
    )
