"""Deals move only forward (or out), by either party, each step an event with actor and time."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import DealFactory, FounderFactory, StaffFactory
from tests.webapp.ventures.parties import Founder, Investor, make_investor
from webapp.models import Deal, DealEvent, OutboxEvent
from webapp.models.enums import DealStage
from webapp.services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.services.deals import deals
from webapp.services.outbox.outbox import DEAL_CHANGED


def test_either_party_moves_the_deal_forward_to_invested(
    session: Session, deal: Deal, investor: Investor, founder: Founder
) -> None:
    path = [
        (founder.user, DealStage.IN_CONVERSATION),
        (investor.user, DealStage.DUE_DILIGENCE),
        (investor.user, DealStage.TERM_SHEET),
        (founder.user, DealStage.INVESTED),
    ]
    for actor, stage in path:
        deals.move_deal(
            session=session,
            actor=actor,
            deal_id=deal.id,
            stage=stage,
            amount_gbp=400_000 if stage == DealStage.INVESTED else None,
            note=f"now {stage}",
        )
    view = deals.get_deal(session=session, viewer=investor.user, deal_id=deal.id)
    assert view.deal.stage == "invested"
    assert view.deal.amount_gbp == 400_000
    assert [(e.stage, e.actor_id) for e in view.events] == [
        (stage.value, actor.id) for actor, stage in path
    ]
    assert view.next_stages == []
    outbox = session.exec(
        select(OutboxEvent).where(OutboxEvent.kind == DEAL_CHANGED).order_by(OutboxEvent.id)
    ).all()
    assert [e.payload["stage"] for e in outbox] == [s.value for _, s in path]


def test_skipping_ahead_is_allowed_but_going_back_is_a_conflict(
    session: Session, deal: Deal, investor: Investor
) -> None:
    deals.move_deal(
        session=session, actor=investor.user, deal_id=deal.id, stage=DealStage.TERM_SHEET
    )
    for stage in (DealStage.DUE_DILIGENCE, DealStage.TERM_SHEET):
        with pytest.raises(Conflict) as caught:
            deals.move_deal(session=session, actor=investor.user, deal_id=deal.id, stage=stage)
        assert "term_sheet" in caught.value.detail


def test_passed_and_withdrawn_close_a_deal_for_good(
    session: Session, deal: Deal, investor: Investor, founder: Founder
) -> None:
    deals.move_deal(session=session, actor=founder.user, deal_id=deal.id, stage=DealStage.WITHDRAWN)
    with pytest.raises(Conflict):
        deals.move_deal(
            session=session, actor=investor.user, deal_id=deal.id, stage=DealStage.PASSED
        )
    assert len(session.exec(select(DealEvent)).all()) == 1


def test_stages_outside_the_moves_are_refused(
    session: Session, deal: Deal, founder: Founder
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        deals.move_deal(
            session=session, actor=founder.user, deal_id=deal.id, stage=DealStage.ACCEPTED
        )
    assert caught.value.errors[0].field == "stage"


def test_only_the_parties_move_a_deal_and_outsiders_cannot_see_it(
    session: Session, deal: Deal
) -> None:
    with pytest.raises(Forbidden):
        deals.move_deal(
            session=session, actor=StaffFactory(), deal_id=deal.id, stage=DealStage.PASSED
        )
    for outsider in (FounderFactory(), make_investor().user):
        with pytest.raises(NotFound):
            deals.move_deal(
                session=session, actor=outsider, deal_id=deal.id, stage=DealStage.PASSED
            )
        with pytest.raises(NotFound):
            deals.get_deal(session=session, viewer=outsider, deal_id=deal.id)


def test_lists_hold_the_callers_deals_and_every_deal_for_staff(
    session: Session, deal: Deal, investor: Investor, founder: Founder
) -> None:
    DealFactory()
    assert [v.deal.id for v in deals.list_deals(session=session, viewer=founder.user).items] == [
        deal.id
    ]
    assert deals.list_deals(session=session, viewer=investor.user).total == 1
    assert deals.list_deals(session=session, viewer=StaffFactory()).total == 2
    assert deals.list_deals(session=session, viewer=FounderFactory()).total == 0
    accepted = deals.list_deals(session=session, viewer=founder.user, stage=DealStage.ACCEPTED)
    assert accepted.items[0].venture_name == founder.venture.name
    assert accepted.items[0].investor_name == investor.profile.name
