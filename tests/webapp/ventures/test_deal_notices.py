"""A deal move reaches the other party: in the app always, by email as their setting says."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import InvestorUserFactory
from tests.webapp.ventures.parties import Founder, Investor
from webapp.models import Deal, EmailDelivery, Notification, User
from webapp.models.enums import DealStage
from webapp.services.deals import deals
from webapp.services.outbox.notifications import DEAL_MOVED


def _notices(session: Session, user: User) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user.id)
            .where(Notification.kind == DEAL_MOVED)
            .order_by(Notification.id)  # type: ignore[arg-type]
        ).all()
    )


def _emails(session: Session, user: User) -> list[EmailDelivery]:
    return list(session.exec(select(EmailDelivery).where(EmailDelivery.user_id == user.id)).all())


def test_a_founders_move_to_term_sheet_reaches_every_investor_member(
    session: Session, deal: Deal, founder: Founder, investor: Investor
) -> None:
    colleague = InvestorUserFactory(organisation_id=investor.profile.organisation_id)
    deals.move_deal(
        session=session,
        actor=founder.user,
        deal_id=deal.id,
        stage=DealStage.TERM_SHEET,
        note="Terms attached",
    )
    for member in (investor.user, colleague):
        (notice,) = _notices(session, member)
        assert notice.title == f"{founder.venture.name} moved the deal to term sheet"
        assert "from accepted to term sheet" in notice.body
        assert "Their note: Terms attached" in notice.body
        assert notice.link == f"/deals/{deal.id}"
        (email,) = _emails(session, member)
        assert email.subject == notice.title
        assert "Terms attached" in email.text_body
    assert _notices(session, founder.user) == []  # the mover is not told of their own move


def test_an_investors_moves_reach_the_founder_once_per_move(
    session: Session, deal: Deal, founder: Founder, investor: Investor
) -> None:
    for stage in (DealStage.DUE_DILIGENCE, DealStage.INVESTED):
        deals.move_deal(
            session=session,
            actor=investor.user,
            deal_id=deal.id,
            stage=stage,
            amount_gbp=250_000 if stage == DealStage.INVESTED else None,
        )
    titles = [n.title for n in _notices(session, founder.user)]
    assert titles == [
        f"{investor.profile.name} moved the deal to due diligence",
        f"{investor.profile.name} marked the deal as invested",
    ]
    assert "Amount: £250,000." in _notices(session, founder.user)[-1].body
    assert len(_emails(session, founder.user)) == 2
    assert _notices(session, investor.user) == []


@pytest.mark.parametrize("frequency", ["digest", "off"])
def test_a_move_is_in_the_app_but_not_emailed_unless_instant(
    session: Session, deal: Deal, founder: Founder, investor: Investor, frequency: str
) -> None:
    founder.user.email_frequency = frequency
    session.add(founder.user)
    session.commit()
    deals.move_deal(session=session, actor=investor.user, deal_id=deal.id, stage=DealStage.PASSED)
    (notice,) = _notices(session, founder.user)
    assert notice.title == f"{investor.profile.name} passed on the deal"
    assert _emails(session, founder.user) == []
