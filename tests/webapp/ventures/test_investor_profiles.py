"""An investor's public profile: who may read it, its track record, and when the team is named."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from tests.factories import (
    DealFactory,
    FounderFactory,
    IntroductionFactory,
    InvestorUserFactory,
    StaffFactory,
    VentureFactory,
)
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Founder, Investor, make_founder, make_investor
from webapp.models import PortfolioDeal
from webapp.services.common.errors import NotFound
from webapp.services.investors.investor_profiles import SectorDeals, public_profile


def _past_deal(session: Session, investor: Investor, name: str, sectors: list[str]) -> None:
    session.add(
        PortfolioDeal(
            investor_id=investor.profile.id,
            company_name=name,
            funded_at=date(2024, 3, 1),
            sectors=sectors,
            dedupe_key=name.lower(),
        )
    )
    session.commit()


def test_a_founder_with_the_investor_in_a_ranked_list_reads_the_mandate(
    session: Session, founder: Founder, investor: Investor
) -> None:
    MatchFactory(venture_id=founder.venture.id, investor_id=investor.profile.id, venture_rank=3)
    seen = public_profile(session=session, viewer=founder.user, investor_id=investor.profile.id)
    assert seen.name == investor.profile.name
    assert seen.sectors == investor.profile.sectors
    assert (seen.ticket_min_gbp, seen.ticket_max_gbp) == (
        investor.profile.ticket_min_gbp,
        investor.profile.ticket_max_gbp,
    )
    assert seen.members is None  # not introduced yet


def test_past_deals_are_counted_once_per_sector_most_first(
    session: Session, founder: Founder, investor: Investor
) -> None:
    MatchFactory(venture_id=founder.venture.id, investor_id=investor.profile.id)
    _past_deal(session, investor, "Blade Sense", ["offshore_wind", "ai"])
    _past_deal(session, investor, "Tide Cell", ["offshore_wind"])
    _past_deal(session, investor, "Gene Loop", ["genomics", "genomics"])
    seen = public_profile(session=session, viewer=founder.user, investor_id=investor.profile.id)
    assert seen.past_deals == 3
    assert seen.past_deals_by_sector == [
        SectorDeals("offshore_wind", 2),
        SectorDeals("ai", 1),
        SectorDeals("genomics", 1),
    ]


def test_the_team_is_named_once_an_introduction_is_accepted(
    session: Session, founder: Founder
) -> None:
    investor = make_investor()
    colleague = InvestorUserFactory(organisation_id=investor.profile.organisation_id, name="Ada")
    intro = IntroductionFactory(venture_id=founder.venture.id, investor_id=investor.profile.id)
    before = public_profile(session=session, viewer=founder.user, investor_id=investor.profile.id)
    assert before.members is None
    intro.status = "accepted"
    session.add(intro)
    session.commit()
    after = public_profile(session=session, viewer=founder.user, investor_id=investor.profile.id)
    assert after.members == sorted([investor.user.name, colleague.name])


def test_an_open_deal_keeps_the_team_named(session: Session, founder: Founder) -> None:
    investor = make_investor()
    DealFactory(
        introduction__venture_id=founder.venture.id, introduction__investor_id=investor.profile.id
    )
    seen = public_profile(session=session, viewer=founder.user, investor_id=investor.profile.id)
    assert seen.members == [investor.user.name]


def test_staff_and_members_see_the_team(session: Session, investor: Investor) -> None:
    for viewer in (StaffFactory(), investor.user):
        seen = public_profile(session=session, viewer=viewer, investor_id=investor.profile.id)
        assert seen.members == [investor.user.name]


@pytest.mark.parametrize(
    "how",
    ["stranger", "other_investor", "draft_match", "match_outside_the_founders_list"],
)
def test_everyone_else_is_told_it_does_not_exist(session: Session, how: str) -> None:
    investor = make_investor()
    viewer = FounderFactory()
    if how == "other_investor":
        viewer = make_investor().user
    elif how == "draft_match":
        draft = make_founder(visibility="draft", published_at=None)
        MatchFactory(venture_id=draft.venture.id, investor_id=investor.profile.id)
        viewer = draft.user
    elif how == "match_outside_the_founders_list":
        # Only in the investor's top K: the founder is never shown this investor.
        venture = VentureFactory(owner_id=viewer.id)
        MatchFactory(venture_id=venture.id, investor_id=investor.profile.id, venture_rank=None)
    with pytest.raises(NotFound):
        public_profile(session=session, viewer=viewer, investor_id=investor.profile.id)


def test_an_introduction_in_any_state_lets_the_founder_look(session: Session) -> None:
    investor = make_investor()
    declined = make_founder(visibility="closed")
    IntroductionFactory(
        venture_id=declined.venture.id, investor_id=investor.profile.id, status="declined"
    )
    seen = public_profile(session=session, viewer=declined.user, investor_id=investor.profile.id)
    assert seen.members is None
