"""The stored rankings as people browse them: published only, passes gone, impressions kept."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import FounderFactory, InvestorUserFactory, StaffFactory, VentureFactory
from tests.webapp.ventures.factories import FeedbackFactory, MatchFactory
from tests.webapp.ventures.parties import Founder, Investor, make_investor
from webapp.models import MatchImpression
from webapp.services.common.errors import Forbidden, NotFound
from webapp.services.ranking import match_queries
from webapp.services.ranking.match_queries import MatchSort
from webapp.services.ventures.ventures import VentureFilters


def _rank(investor: Investor, *ventures: object) -> None:
    for rank, venture in enumerate(ventures, start=1):
        MatchFactory(
            venture_id=venture.id,  # type: ignore[attr-defined]
            investor_id=investor.profile.id,
            investor_rank=rank,
            score=1 - rank / 100,
        )


def test_an_investor_sees_its_ranked_ventures_best_first(
    session: Session, investor: Investor
) -> None:
    first, second, third = VentureFactory(), VentureFactory(), VentureFactory()
    _rank(investor, first, second, third)
    page = match_queries.investor_matches(
        session=session, viewer=investor.user, investor_id=investor.profile.id
    )
    assert [m.venture.id for m in page.items] == [first.id, second.id, third.id]
    assert [m.rank for m in page.items] == [1, 2, 3]
    assert page.total == 3
    assert page.items[0].reasons[0]["effect"] == "+"


def test_the_list_is_in_the_rankers_order_whatever_numbers_its_rows_hold(
    session: Session, investor: Investor
) -> None:
    """Members hold the numbers 1..n in any order (match_store); people see the ranker's
    order, score first and ties to the smaller venture id, numbered from 1."""
    ventures = [VentureFactory() for _ in range(4)]
    for venture, score, stored in zip(ventures, (0.9, 0.7, 0.7, 0.2), (3, 1, 2, 4), strict=True):
        MatchFactory(
            venture_id=venture.id,
            investor_id=investor.profile.id,
            investor_rank=stored,
            score=score,
        )
    whole = match_queries.investor_matches(
        session=session, viewer=investor.user, investor_id=investor.profile.id
    )
    assert [m.venture.id for m in whole.items] == [v.id for v in ventures]
    assert [m.rank for m in whole.items] == [1, 2, 3, 4]
    second_page = match_queries.investor_matches(
        session=session, viewer=investor.user, investor_id=investor.profile.id, limit=2, offset=2
    )
    assert [(m.venture.id, m.rank) for m in second_page.items] == [
        (ventures[2].id, 3),
        (ventures[3].id, 4),
    ]
    one = match_queries.match_for_pair(
        session=session,
        viewer=investor.user,
        investor_id=investor.profile.id,
        venture_id=ventures[2].id,
    )
    assert one is not None
    assert one.rank == 3
    assert match_queries.places_in_investor_lists(
        session=session, venture_id=ventures[2].id, investor_ids=[investor.profile.id]
    ) == {investor.profile.id: 3}


def test_unpublished_ventures_and_passes_leave_the_list_at_once(
    session: Session, investor: Investor
) -> None:
    shown = VentureFactory()
    draft = VentureFactory(visibility="draft")
    closed = VentureFactory(visibility="closed")
    passed = VentureFactory()
    shortlisted = VentureFactory()
    _rank(investor, shown, draft, closed, passed, shortlisted)
    FeedbackFactory(investor_id=investor.profile.id, venture_id=passed.id, action="pass")
    FeedbackFactory(investor_id=investor.profile.id, venture_id=shortlisted.id)
    page = match_queries.investor_matches(
        session=session, viewer=investor.user, investor_id=investor.profile.id
    )
    assert [m.venture.id for m in page.items] == [shown.id, shortlisted.id]
    assert [m.shortlisted for m in page.items] == [False, True]
    assert page.total == 2


def test_pairs_only_in_the_ventures_top_k_are_not_in_the_investors_list(
    session: Session, investor: Investor
) -> None:
    MatchFactory(investor_id=investor.profile.id, investor_rank=None, venture_rank=3)
    page = match_queries.investor_matches(
        session=session, viewer=investor.user, investor_id=investor.profile.id
    )
    assert page.items == []
    assert page.total == 0


def test_filters_sort_and_pagination(session: Session, investor: Investor) -> None:
    small = VentureFactory(raise_amount_gbp=100_000, sectors=["hydrogen"], stage="pre_seed")
    big = VentureFactory(raise_amount_gbp=3_000_000, sectors=["offshore_wind"])
    other = VentureFactory(raise_amount_gbp=500_000, sectors=["games"], region="london")
    _rank(investor, other, big, small)
    energy = match_queries.investor_matches(
        session=session,
        viewer=investor.user,
        investor_id=investor.profile.id,
        filters=VentureFilters(sector="clean_energy"),
    )
    assert [m.venture.id for m in energy.items] == [big.id, small.id]
    by_raise = match_queries.investor_matches(
        session=session,
        viewer=investor.user,
        investor_id=investor.profile.id,
        sort=MatchSort.RAISE_ASC,
    )
    assert [m.venture.id for m in by_raise.items] == [small.id, other.id, big.id]
    second = match_queries.investor_matches(
        session=session, viewer=investor.user, investor_id=investor.profile.id, limit=1, offset=1
    )
    assert [m.venture.id for m in second.items] == [big.id]
    assert second.total == 3
    beyond = match_queries.investor_matches(
        session=session, viewer=investor.user, investor_id=investor.profile.id, offset=10
    )
    assert beyond.items == []
    assert beyond.total == 3
    early = match_queries.investor_matches(
        session=session,
        viewer=investor.user,
        investor_id=investor.profile.id,
        filters=VentureFilters(stage="pre_seed", region="north_east"),
    )
    assert [m.venture.id for m in early.items] == [small.id]


def test_one_page_records_one_impression_per_venture_and_updates_them_later(
    session: Session, investor: Investor
) -> None:
    ventures = [VentureFactory() for _ in range(3)]
    _rank(investor, *ventures)
    for _ in range(2):
        match_queries.investor_matches(
            session=session, viewer=investor.user, investor_id=investor.profile.id, limit=2
        )
    rows = session.exec(select(MatchImpression)).all()
    assert sorted(r.venture_id for r in rows) == sorted(v.id for v in ventures[:2])
    assert all(r.investor_id == investor.profile.id for r in rows)


def test_staff_reading_a_list_leave_no_impressions(session: Session, investor: Investor) -> None:
    _rank(investor, VentureFactory())
    page = match_queries.investor_matches(
        session=session, viewer=StaffFactory(), investor_id=investor.profile.id
    )
    assert len(page.items) == 1
    assert session.exec(select(MatchImpression)).all() == []


def test_only_members_and_staff_read_an_investors_list(
    session: Session, investor: Investor
) -> None:
    for outsider in (InvestorUserFactory(), FounderFactory(), make_investor().user):
        with pytest.raises(NotFound):
            match_queries.investor_matches(
                session=session, viewer=outsider, investor_id=investor.profile.id
            )


def test_a_founder_sees_the_ventures_investors_best_first_without_inactive_mandates(
    session: Session, founder: Founder
) -> None:
    keen, dormant, second = make_investor(), make_investor(active=False), make_investor()
    MatchFactory(venture_id=founder.venture.id, investor_id=keen.profile.id, venture_rank=1)
    MatchFactory(venture_id=founder.venture.id, investor_id=dormant.profile.id, venture_rank=2)
    MatchFactory(venture_id=founder.venture.id, investor_id=second.profile.id, venture_rank=3)
    MatchFactory(venture_id=founder.venture.id, venture_rank=None, investor_rank=7)
    page = match_queries.venture_matches(
        session=session, viewer=founder.user, venture_id=founder.venture.id
    )
    assert [m.investor.id for m in page.items] == [keen.profile.id, second.profile.id]
    assert page.items[0].investor.name == keen.profile.name
    assert page.total == 2


def test_only_the_owner_and_staff_see_a_ventures_investors(
    session: Session, founder: Founder, investor: Investor
) -> None:
    with pytest.raises(Forbidden):  # investors can see the venture, not its investor list
        match_queries.venture_matches(
            session=session, viewer=investor.user, venture_id=founder.venture.id
        )
    with pytest.raises(NotFound):
        match_queries.venture_matches(
            session=session, viewer=FounderFactory(), venture_id=founder.venture.id
        )
    page = match_queries.venture_matches(
        session=session, viewer=StaffFactory(), venture_id=founder.venture.id
    )
    assert page.total == 0
