"""Founders' advice: checked widen-your-match hints and syndicates for big raises."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.factories import FounderFactory, VentureFactory
from tests.webapp.ventures.parties import Founder, Investor, make_investor
from webapp.config import Settings
from webapp.services.common.errors import Forbidden, NotFound
from webapp.services.ranking import hints


def test_adding_an_instrument_is_suggested_when_it_fits_more_mandates(
    session: Session, settings: Settings, founder: Founder
) -> None:
    make_investor(instruments=["equity"])
    make_investor(instruments=["convertible"])
    advice = hints.advice_for_venture(
        session=session, settings=settings, viewer=founder.user, venture_id=founder.venture.id
    )
    instrument = [h for h in advice.hints if h.code == "add_instrument"]
    assert instrument, advice.hints
    assert instrument[0].change == {"instruments": ("equity", "convertible")}
    assert instrument[0].added == 1
    # Labels from the taxonomy, never the code ("Adding convertible as an instrument").
    assert instrument[0].text == (
        "Adding Convertible note or advance subscription agreement as an instrument "
        "fits 1 more investor"
    )
    assert advice.syndicates == []


def test_a_raise_bigger_than_any_single_ticket_gets_syndicates(
    session: Session, settings: Settings
) -> None:
    big = FounderFactory()
    venture = VentureFactory(owner_id=big.id, raise_amount_gbp=3_000_000)
    members = [make_investor(ticket_min_gbp=100_000, ticket_max_gbp=1_500_000) for _ in range(3)]
    advice = hints.advice_for_venture(
        session=session, settings=settings, viewer=big, venture_id=venture.id
    )
    assert advice.syndicates
    proposal = advice.syndicates[0]
    ids = {proposal.lead.id, *(m.id for m in proposal.co_investors)}
    assert ids <= {m.profile.id for m in members}
    assert proposal.capacity_gbp >= 3_000_000


def test_advice_is_for_the_founder_and_staff_only(
    session: Session, settings: Settings, founder: Founder, investor: Investor
) -> None:
    with pytest.raises(Forbidden):
        hints.advice_for_venture(
            session=session, settings=settings, viewer=investor.user, venture_id=founder.venture.id
        )
    with pytest.raises(NotFound):
        hints.advice_for_venture(
            session=session,
            settings=settings,
            viewer=FounderFactory(),
            venture_id=founder.venture.id,
        )


def test_with_no_investors_there_is_no_advice(
    session: Session, settings: Settings, founder: Founder
) -> None:
    advice = hints.advice_for_venture(
        session=session, settings=settings, viewer=founder.user, venture_id=founder.venture.id
    )
    assert advice.hints == []
    assert advice.syndicates == []
