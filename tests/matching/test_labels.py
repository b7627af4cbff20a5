"""Labels: outcomes and past rounds become dated, weighted answers to ranking questions."""

import datetime as dt

import pytest

from matching.labels import TypicalRaise, label_events, link_companies
from tests.matching.factories import deal, outcome, venture


def test_a_pass_on_the_team_weighs_less_than_a_pass_on_the_mandate():
    v = venture(id=1)
    events = label_events(
        [v],
        [],
        [outcome(1, 7, "passed", reason="team"), outcome(1, 8, "passed", reason="sector")],
    )
    assert {e.investor_id: e.weight for e in events} == {7: 0.5, 8: 1.0}


def test_the_strongest_outcome_of_a_pair_is_its_label():
    v = venture(id=1)
    events = label_events(
        [v], [], [outcome(1, 7, "shortlisted"), outcome(1, 7, "invested"), outcome(1, 8, "ignored")]
    )
    assert {e.investor_id: (e.label, e.weight) for e in events} == {7: (1, 1.0), 8: (0, 0.3)}


def test_unknown_outcome_kind_is_refused():
    with pytest.raises(ValueError, match="outcome kind 'liked'"):
        label_events([venture(id=1)], [], [outcome(1, 7, "liked")])


def test_an_imported_round_is_one_question_its_investors_share():
    day = dt.date(2023, 5, 1)
    deals = link_companies(
        [
            deal(7, company_key="acme", date=day, amount_gbp=900_000),
            deal(8, company_key="acme", date=day, amount_gbp=900_000),
            deal(7, company_key="acme", date=dt.date(2024, 2, 1), stage="series_a"),
        ]
    )
    events = label_events([], deals, [])
    queries = {e.query for e in events}
    assert len(queries) == 2  # two rounds of the same company: two ranking questions
    first = [e for e in events if e.date == day]
    assert {e.investor_id for e in first} == {7, 8}
    assert all(e.shared and e.label == 1 for e in events)
    assert first[0].venture.raise_amount_gbp == 900_000
    assert first[0].venture.id == deals[0].venture_id < 0  # linked: follow-ons find it


def test_a_round_without_an_amount_gets_the_typical_one_for_its_stage():
    deals = link_companies(
        [
            deal(1, stage="seed", amount_gbp=400_000),
            deal(2, stage="seed", amount_gbp=600_000),
            deal(3, stage="seed", amount_gbp=2_000_000),
            deal(4, stage="series_a", amount_gbp=None),
            deal(5, stage="seed", amount_gbp=None),
        ]
    )
    typical = TypicalRaise.of(deals)
    assert typical("seed") == 600_000
    assert typical("series_b") == 600_000  # no amount at that stage: the overall median
    events = {e.investor_id: e.venture for e in label_events([], deals, [])}
    assert events[5].raise_amount_gbp == 600_000


def test_a_round_without_a_region_is_placed_only_where_the_taxonomy_says_unknown():
    deals = link_companies([deal(1, region=None), deal(2, region="north_east")])
    assert [e.investor_id for e in label_events([], deals, [])] == [2]
    placed = label_events([], deals, [], unplaced_region="uk")
    assert {e.investor_id: e.venture.region for e in placed} == {1: "uk", 2: "north_east"}


def test_a_deal_in_a_platform_venture_is_labelled_with_its_profile_once():
    v = venture(id=42, stage="series_a")
    deals = [
        deal(7, venture_id=42, stage="seed", date=dt.date(2023, 1, 1)),
        deal(7, venture_id=42, stage="series_a", date=dt.date(2024, 1, 1)),
        deal(9, venture_id=42, stage="seed"),
    ]
    events = label_events([v], deals, [outcome(42, 9, "passed")])
    assert [(e.investor_id, e.label) for e in events] == [(9, 0), (7, 1)]
    assert all(e.venture is v and e.query == (42, 0) and not e.shared for e in events)
