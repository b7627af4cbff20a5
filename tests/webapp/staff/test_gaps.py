"""The supply–demand gap: cells worst first, and unserved ventures with their nearest misses."""

from __future__ import annotations

import pytest

from tests.factories import InvestorProfileFactory, VentureFactory
from tests.webapp.staff.known_pipeline import WORST_GAP_CELL
from webapp.services.reports.gaps import supply_gaps
from webapp.services.reports.pipeline_filters import make_filters


def test_cells_worst_first_with_investors_in_mandate_and_capacity(session, known):
    report = supply_gaps(session=session, filters=make_filters())
    cells = [c.as_dict() for c in report.cells]
    # V1 counts in two growth sectors; V5 (draft) is not demand.
    assert [(c["sector"], c["stage"], c["region"]) for c in cells] == [
        ("advanced_manufacturing", "series_a", "south_yorkshire_mca"),  # V4: nobody, £3m
        ("digital_technologies", "seed", "west_yorkshire_ca"),  # V2: I3 only, £950k short
        ("digital_technologies", "seed", "north_east_ca"),  # V1 as AI: nobody, £750k short
        ("clean_energy", "seed", "hull_east_yorkshire_ca"),  # V6: I3, £650k short
        ("creative_industries", "pre_seed", "greater_manchester_ca"),  # V3: I3 covers £150k
        ("life_sciences", "seed", "north_east_ca"),  # V1 as diagnostics: I1 covers
    ]
    assert cells[0] == WORST_GAP_CELL
    assert (cells[1]["investors_in_mandate"], cells[1]["capacity_gbp"]) == (1, 250_000)
    assert cells[1]["shortfall_gbp"] == 950_000
    assert (cells[5]["investors_in_mandate"], cells[5]["capacity_gbp"]) == (1, 2_000_000)
    assert cells[5]["coverage"] == pytest.approx(2.667, abs=1e-3)


def test_an_investor_counts_once_per_cell_and_inactive_investors_never(session, known):
    VentureFactory(
        sectors=["games"],
        stage="pre_seed",
        raise_amount_gbp=100_000,
        region="greater_manchester_ca",
        instruments=["equity"],
    )
    report = supply_gaps(session=session, filters=make_filters())
    games = next(c for c in report.cells if c.sector == "creative_industries")
    assert (games.ventures, games.capital_sought_gbp) == (2, 250_000)
    assert (games.investors_in_mandate, games.capacity_gbp) == (1, 250_000)
    assert report.investors == 3  # the dormant fund is inactive


def test_heatmap_sums_regions_for_each_sector_and_stage(session, known):
    report = supply_gaps(session=session, filters=make_filters())
    digital = next(
        c for c in report.heatmap if (c.sector, c.stage) == ("digital_technologies", "seed")
    )
    assert (digital.ventures, digital.capital_sought_gbp) == (2, 1_950_000)
    assert (digital.investors_in_mandate, digital.capacity_gbp) == (1, 250_000)
    assert digital.ventures_without_investor == 1


def test_unserved_ventures_come_with_the_nearest_investors_and_why_they_miss(session, known):
    report = supply_gaps(session=session, filters=make_filters())
    assert [u.name for u in report.unserved] == ["Sheffield Graphene"]
    nearest = report.unserved[0].nearest
    assert [m.investor_name for m in nearest] == [
        "Northern Health Fund",  # one rule broken, and it backs series A
        "Pennine Angels",  # one rule broken, a stage away
        "London Deep Tech",  # two rules broken
    ]
    assert nearest[0].reasons == (
        "Invests in Life sciences; the venture is in Graphene and 2D materials",
    )
    # Worded by matching.wording, exactly as the ranked lists word a reason against.
    assert nearest[1].reasons == ("Invests at Pre-seed and Seed; the venture is at Series A",)
    assert len(nearest[2].reasons) == 2
    assert (
        "Invests in London and South East; the venture is in South Yorkshire"
        in (nearest[2].reasons[1])
    )


def test_filters_and_programme_scope_limit_the_demand(session, known):
    report = supply_gaps(session=session, filters=make_filters(region="north_west"))
    assert [c.region for c in report.cells] == ["greater_manchester_ca"]
    assert report.unserved == []
    scoped = supply_gaps(session=session, filters=make_filters(programme_ids=frozenset()))
    assert (scoped.cells, scoped.unserved, scoped.ventures) == ([], [], 0)


def test_ticket_and_instrument_rules_decide_coverage(session):
    InvestorProfileFactory(
        sectors=[],
        stages=["seed"],
        regions=["uk"],
        ticket_min_gbp=1_000_000,
        instruments=["equity"],
    )
    small = VentureFactory(name="Small Raise", raise_amount_gbp=500_000, instruments=["equity"])
    grant = VentureFactory(name="Grant Only", raise_amount_gbp=2_000_000, instruments=["grant"])
    report = supply_gaps(session=session, filters=make_filters())
    reasons = {u.name: u.nearest[0].reasons for u in report.unserved}
    assert set(reasons) == {small.name, grant.name}
    assert reasons[small.name] == ("Tickets £1m–£2m; the £500k raise is below its minimum",)
    assert reasons[grant.name] == ("Uses Equity; the venture offers Grant",)
