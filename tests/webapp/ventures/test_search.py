"""Search by name: each role finds only what it may open, best-placed names first."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.factories import (
    AdminFactory,
    FounderFactory,
    IntroductionFactory,
    StaffFactory,
    VentureFactory,
)
from tests.webapp.staff.factories import (
    ProgrammeFactory,
    ProgrammeMemberFactory,
    ProgrammeVentureFactory,
)
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Founder, Investor, make_investor
from webapp.services.common.errors import Forbidden, ValidationFailed
from webapp.services.ventures.search import SearchKind, search


def names(page: object) -> list[str]:
    return [hit.name for hit in page.items]  # type: ignore[attr-defined]


def test_an_investor_finds_published_ventures_only(session: Session, investor: Investor) -> None:
    VentureFactory(name="Tyne Blade Sensing")
    VentureFactory(name="Blade Works", visibility="draft", published_at=None)
    VentureFactory(name="Old Blade Co", visibility="closed")
    page = search(session=session, viewer=investor.user, query="blade")
    assert names(page) == ["Tyne Blade Sensing"]
    [hit] = page.items
    assert hit.kind == SearchKind.VENTURE
    assert hit.stage is not None


def test_names_starting_with_the_query_come_first_then_a_to_z(
    session: Session, investor: Investor
) -> None:
    for name in ("Northern Graphene", "Graphene North", "Aire Graphene", "graphene labs"):
        VentureFactory(name=name)
    page = search(session=session, viewer=investor.user, query="  GRAPHENE ")
    assert names(page) == ["graphene labs", "Graphene North", "Aire Graphene", "Northern Graphene"]


def test_wildcards_in_the_query_are_plain_characters(session: Session, investor: Investor) -> None:
    VentureFactory(name="100% Hydrogen")
    VentureFactory(name="1000 Hydrogen")
    assert names(search(session=session, viewer=investor.user, query="100%")) == ["100% Hydrogen"]
    assert names(search(session=session, viewer=investor.user, query="_0")) == []


def test_a_founder_finds_only_investors_it_may_open(session: Session, founder: Founder) -> None:
    ranked = make_investor(name="Pennine Angels")
    introduced = make_investor(name="Pennine Capital")
    make_investor(name="Pennine Partners")  # never met: not findable
    MatchFactory(venture_id=founder.venture.id, investor_id=ranked.profile.id, venture_rank=1)
    IntroductionFactory(venture_id=founder.venture.id, investor_id=introduced.profile.id)
    VentureFactory(name="Pennine Ventures Ltd")  # a venture: founders don't search ventures
    page = search(session=session, viewer=founder.user, query="pennine")
    assert names(page) == ["Pennine Angels", "Pennine Capital"]
    assert {hit.kind for hit in page.items} == {SearchKind.INVESTOR}


def test_staff_find_both_and_can_narrow_to_one_kind(session: Session) -> None:
    VentureFactory(name="Humber Tide")
    make_investor(name="Humber Seed")
    staff = StaffFactory()
    both = search(session=session, viewer=staff, query="humber")
    assert names(both) == ["Humber Seed", "Humber Tide"]
    assert [h.kind for h in both.items] == [SearchKind.INVESTOR, SearchKind.VENTURE]
    only = search(session=session, viewer=AdminFactory(), query="humber", kind=SearchKind.VENTURE)
    assert names(only) == ["Humber Tide"]


def test_pages_of_results(session: Session, investor: Investor) -> None:
    for n in range(5):
        VentureFactory(name=f"Wear Valley {n}")
    first = search(session=session, viewer=investor.user, query="wear", limit=2)
    second = search(session=session, viewer=investor.user, query="wear", limit=2, offset=2)
    assert (first.total, names(first), names(second)) == (
        5,
        ["Wear Valley 0", "Wear Valley 1"],
        ["Wear Valley 2", "Wear Valley 3"],
    )


@pytest.mark.parametrize("query", ["", " ", "a", "x" * 101])
def test_a_query_too_short_or_too_long_names_the_field(
    session: Session, investor: Investor, query: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        search(session=session, viewer=investor.user, query=query)
    assert [e.field for e in refused.value.errors] == ["q"]


def test_a_kind_the_role_may_not_search_is_forbidden(session: Session) -> None:
    with pytest.raises(Forbidden):
        search(session=session, viewer=FounderFactory(), query="tyne", kind=SearchKind.VENTURE)


def test_staff_assigned_to_a_programme_find_only_its_ventures(session: Session) -> None:
    inside, outside = VentureFactory(name="Calder Inside"), VentureFactory(name="Calder Outside")
    programme = ProgrammeFactory()
    ProgrammeVentureFactory(programme_id=programme.id, venture_id=inside.id)
    assigned = StaffFactory(platform_wide=False)
    ProgrammeMemberFactory(programme_id=programme.id, user_id=assigned.id)
    assert names(search(session=session, viewer=assigned, query="calder")) == ["Calder Inside"]
    assert outside.name in names(search(session=session, viewer=StaffFactory(), query="calder"))
