"""Deals opened by accepted introductions, moved forward by either party, step by step."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from webapp.models import Deal, DealEvent, InvestorProfile, User, Venture, utcnow
from webapp.models.enums import CLOSED_DEAL_STAGES, DEAL_PATH, DealClosedReason, DealStage, Role
from webapp.services.access.object_access import (
    deal_side,
    is_staff,
    member_investor_id,
    readable_deal,
    staff_venture_ids,
)
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import Conflict, FieldError, Forbidden, ValidationFailed
from webapp.services.common.ids import saved_id
from webapp.services.common.pagination import Page, check_window
from webapp.services.common.text_checks import check_text
from webapp.services.deals.deal_news import announce_move
from webapp.services.deals.deal_wording import closed_reason_label
from webapp.services.introductions.introductions import Contact, get_introduction
from webapp.services.outbox.outbox import DEAL_CHANGED, record_event

# Where a party may move a deal to; passed and withdrawn may follow any open stage.
MOVABLE_STAGES = (
    DealStage.IN_CONVERSATION,
    DealStage.DUE_DILIGENCE,
    DealStage.TERM_SHEET,
    DealStage.INVESTED,
    DealStage.PASSED,
    DealStage.WITHDRAWN,
)
EXITS = frozenset({DealStage.PASSED, DealStage.WITHDRAWN})
ERASED_VENTURE = "An erased venture"
# The board's columns, in order.
BOARD_STAGES = (*DEAL_PATH[1:], DealStage.PASSED, DealStage.WITHDRAWN)


@dataclass(frozen=True)
class DealView:
    """A deal with the names people recognise and its events, oldest first."""

    deal: Deal
    venture_name: str
    investor_name: str
    events: list[DealEvent]
    actor_names: dict[int, str]

    @property
    def closed_reason_label(self) -> str | None:
        """Why the deal closed when a party went away (None when a party moved it)."""
        return closed_reason_label(self.deal.closed_reason)

    @property
    def next_stages(self) -> list[DealStage]:
        """The moves open from the current stage (none once closed)."""
        return allowed_moves(DealStage(self.deal.stage))


def allowed_moves(current: DealStage) -> list[DealStage]:
    """Later stages on the path, then passed and withdrawn; nothing after a closed stage."""
    if current in CLOSED_DEAL_STAGES:
        return []
    position = DEAL_PATH.index(current) if current in DEAL_PATH else -1
    return [s for s in MOVABLE_STAGES if s in EXITS or DEAL_PATH.index(s) > position]


def record_step(
    *,
    session: Session,
    deal: Deal,
    actor: User,
    stage: DealStage,
    note: str | None = None,
    reason: DealClosedReason | None = None,
) -> DealEvent:
    """Put the deal at `stage` and record the step: event, audit entry, outbox event.

    The one way a deal changes stage after it opens, whether a party moved it or it closed
    (`reason`) because a party went away; the caller tells the other side and commits.
    """
    previous = deal.stage
    now = utcnow()
    deal.stage = stage.value
    deal.updated_at = now
    if reason is not None:
        deal.closed_reason = reason.value
    session.add(deal)
    event = DealEvent(deal_id=saved_id(deal), stage=stage.value, actor_id=actor.id, at=now,
                      note=note)  # fmt: skip
    session.add(event)
    session.flush()  # the event's id names the notices about it
    after: dict[str, object] = {"stage": stage.value, "amount_gbp": deal.amount_gbp}
    if reason is not None:
        after = {"stage": stage.value, "reason": reason.value}
    record_audit(
        session=session,
        actor=actor,
        action="deal.closed" if reason else "deal.moved",
        object_type="deal",
        object_id=deal.id,
        before={"stage": previous},
        after=after,
    )
    record_event(
        session=session,
        kind=DEAL_CHANGED,
        payload={
            "deal_id": deal.id,
            "deal_event_id": event.id,
            "stage": stage.value,
            "previous_stage": previous,
            "venture_id": deal.venture_id,
            "investor_id": deal.investor_id,
            "actor_id": actor.id,
            "reason": reason.value if reason else None,
        },
    )
    return event


def move_deal(
    *,
    session: Session,
    actor: User,
    deal_id: int,
    stage: DealStage,
    amount_gbp: int | None = None,
    note: str | None = None,
) -> Deal:
    """Move a deal forward (or out); anything else is a 409 naming the current stage."""
    check_text(note=note)
    deal = readable_deal(session, actor, deal_id)
    if deal_side(session, actor, deal.venture_id, deal.investor_id) is None:
        raise Forbidden("Only the founder and the investor in a deal can move it")
    target = DealStage(stage)
    if target not in MOVABLE_STAGES:
        accepted = ", ".join(s.value for s in MOVABLE_STAGES)
        raise ValidationFailed([FieldError("stage", f"{target.value!r}: use one of {accepted}")])
    current = DealStage(deal.stage)
    if target not in allowed_moves(current):
        raise Conflict(
            f"Deal {deal_id} is at {current.value}; it cannot move to {target.value} "
            f"(stages only move forward, except to passed or withdrawn)"
        )
    if amount_gbp is not None:
        deal.amount_gbp = amount_gbp
    event = record_step(session=session, deal=deal, actor=actor, stage=target, note=note)
    announce_move(session=session, deal=deal, event=event, actor=actor, previous=current.value)
    session.commit()
    return deal


def _views(session: Session, deals: list[Deal]) -> list[DealView]:
    """Names and events for a page of deals in two queries, whatever the page size."""
    if not deals:
        return []
    ids = [d.id for d in deals]
    names = session.exec(
        select(Deal.id, Venture.name, InvestorProfile.name)
        .outerjoin(Venture, col(Venture.id) == col(Deal.venture_id))
        .join(InvestorProfile, col(InvestorProfile.id) == col(Deal.investor_id))
        .where(col(Deal.id).in_(ids))
    ).all()
    by_deal = {deal_id: (venture, investor) for deal_id, venture, investor in names}
    for d in deals:  # an erased venture is named as it was when the deal closed
        venture, investor = by_deal[d.id]
        by_deal[d.id] = (venture or d.former_venture_name or ERASED_VENTURE, investor)
    events: dict[int, list[DealEvent]] = defaultdict(list)
    for event in session.exec(
        select(DealEvent)
        .where(col(DealEvent.deal_id).in_(ids))
        .order_by(col(DealEvent.at), col(DealEvent.id))
    ).all():
        events[event.deal_id].append(event)
    actor_ids = {e.actor_id for items in events.values() for e in items if e.actor_id}
    actors: dict[int, str] = {}
    if actor_ids:
        rows = session.exec(select(User.id, User.name).where(col(User.id).in_(actor_ids))).all()
        actors = {user_id: name for user_id, name in rows if user_id is not None}
    return [
        DealView(
            deal=d,
            venture_name=by_deal[d.id][0],
            investor_name=by_deal[d.id][1],
            events=events[d.id],  # type: ignore[index]
            actor_names=actors,
        )
        for d in deals
    ]


def get_deal(*, session: Session, viewer: User, deal_id: int) -> DealView:
    """A deal its parties (and staff) may read, with its events."""
    return _views(session, [readable_deal(session, viewer, deal_id)])[0]


def list_deals(
    *,
    session: Session,
    viewer: User,
    stage: DealStage | None = None,
    venture_id: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page[DealView]:
    """The viewer's deals (every deal for staff), most recently moved first."""
    check_window(limit, offset)
    where: list[ColumnElement[bool]] = []
    if viewer.role == Role.FOUNDER.value:
        where.append(
            col(Deal.venture_id).in_(select(Venture.id).where(Venture.owner_id == viewer.id))
        )
    elif viewer.role == Role.INVESTOR.value:
        investor_id = member_investor_id(session, viewer)
        if investor_id is None:
            return Page(items=[], total=0, limit=limit, offset=offset)
        where.append(col(Deal.investor_id) == investor_id)
    elif not is_staff(viewer):
        return Page(items=[], total=0, limit=limit, offset=offset)
    elif (scope := staff_venture_ids(session, viewer)) is not None:
        where.append(col(Deal.venture_id).in_(scope))
    if stage is not None:
        where.append(col(Deal.stage) == DealStage(stage).value)
    if venture_id is not None:
        where.append(col(Deal.venture_id) == venture_id)
    total = session.exec(select(func.count()).select_from(Deal).where(*where)).one()
    deals = session.exec(
        select(Deal)
        .where(*where)
        .order_by(col(Deal.updated_at).desc(), col(Deal.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(items=_views(session, list(deals)), total=int(total), limit=limit, offset=offset)


def contacts_for_deal(*, session: Session, viewer: User, deal_id: int) -> Contact | None:
    """The other party's contact details (a deal exists only after an accepted introduction)."""
    deal = readable_deal(session, viewer, deal_id)
    if deal.introduction_id is None:  # the venture was erased, and its contact with it
        return None
    view = get_introduction(session=session, viewer=viewer, introduction_id=deal.introduction_id)
    return view.contact
