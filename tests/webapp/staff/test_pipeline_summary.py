"""The dashboard's figures, checked one by one against a pipeline worked out by hand."""

from __future__ import annotations

import pytest

from tests.factories import IntroductionFactory
from tests.webapp.staff.factories import ProgrammeVentureFactory
from tests.webapp.staff.known_pipeline import EXPECTED_2025, FROM, TO
from webapp.services.common.errors import ValidationFailed
from webapp.services.reports.pipeline import pipeline_summary
from webapp.services.reports.pipeline_filters import make_filters


def _summary(session, **filters):
    return pipeline_summary(session=session, filters=make_filters(**filters)).as_dict()


def test_every_headline_figure_of_the_2025_cohort(session, known):
    body = _summary(session, date_from=FROM, date_to=TO)
    for key, expected in EXPECTED_2025.items():
        assert body[key] == expected, key


def test_breakdown_by_growth_sector_counts_a_venture_in_each_of_its_sectors(session, known):
    body = _summary(session, date_from=FROM, date_to=TO)
    rows = {row["code"]: row for row in body["by_sector"]}
    assert set(rows) == {
        "digital_technologies",
        "life_sciences",
        "creative_industries",
        "advanced_manufacturing",
    }
    assert rows["digital_technologies"] == {
        "code": "digital_technologies",
        "label": "Digital and technologies",
        "ventures": 2,
        "matched": 2,
        "introduced": 2,
        "accepted": 2,
        "invested": 2,
        "capital_sought_gbp": 1_950_000,
        "capital_invested_gbp": 700_000,
    }
    assert rows["life_sciences"]["ventures"] == 1
    assert rows["life_sciences"]["capital_invested_gbp"] == 500_000
    assert rows["advanced_manufacturing"]["matched"] == 0
    assert body["by_sector"][0]["code"] == "digital_technologies"  # largest first


def test_breakdowns_by_stage_region_and_institution(session, known):
    body = _summary(session, date_from=FROM, date_to=TO)
    assert [(r["code"], r["ventures"], r["invested"]) for r in body["by_stage"]] == [
        ("pre_seed", 1, 0),
        ("seed", 2, 2),
        ("series_a", 1, 0),
    ]
    regions = {r["code"]: (r["ventures"], r["capital_sought_gbp"]) for r in body["by_region"]}
    assert regions == {
        "north_east_ca": (1, 750_000),
        "west_yorkshire_ca": (1, 1_200_000),
        "greater_manchester_ca": (1, 150_000),
        "south_yorkshire_mca": (1, 3_000_000),
    }
    institutions = {r["code"]: r["introduced"] for r in body["by_institution"]}
    assert institutions == {"newcastle": 1, "leeds": 1, "none": 1, "sheffield": 0}


def test_breakdown_by_investor_type(session, known):
    body = _summary(session, date_from=FROM, date_to=TO)
    rows = {r["code"]: r for r in body["by_investor_type"]}
    assert set(rows) == {"vc", "angel_network"}
    assert rows["vc"] == {
        "code": "vc",
        "label": "Venture capital fund",
        "investors": 2,
        "introductions": 3,
        "deals": 2,
        "invested": 2,
        "capital_invested_gbp": 700_000,
    }
    assert (rows["angel_network"]["introductions"], rows["angel_network"]["deals"]) == (2, 1)
    assert rows["angel_network"]["invested"] == 0


def test_without_a_date_range_the_2024_venture_joins_the_cohort(session, known):
    body = _summary(session)
    assert body["ventures"] == 5  # the draft never counts
    assert body["capital_invested_gbp"] == 1_500_000
    assert body["north_retention"] == pytest.approx(2 / 3, abs=1e-4)
    assert body["funnel"][-1] == {"stage": "invested", "count": 3}


def test_sector_filter_includes_sub_sectors(session, known):
    body = _summary(session, sector="life_sciences")
    assert body["ventures"] == 1
    assert body["capital_sought_gbp"] == 750_000
    assert body["investors"] == 2  # I1 (life sciences) and I3 (any sector); I2 is digital only


def test_region_and_stage_filters(session, known):
    assert _summary(session, region="yorkshire_humber")["ventures"] == 3  # V2, V4, V6
    body = _summary(session, region="yorkshire_humber", stage="seed")
    assert body["ventures"] == 2
    assert body["investors"] == 2  # I1 and I3 reach Yorkshire at seed


def test_programme_filter_limits_the_cohort(session, known):
    enrolment = ProgrammeVentureFactory(venture_id=known.ventures["V3"].id)
    ProgrammeVentureFactory(programme_id=enrolment.programme_id, venture_id=known.ventures["V1"].id)
    body = _summary(session, programme_ids=frozenset({enrolment.programme_id}))
    assert body["ventures"] == 2
    assert body["capital_sought_gbp"] == 900_000
    assert body["funnel"][3] == {"stage": "accepted", "count": 1}
    empty = _summary(session, programme_ids=frozenset())
    assert empty["ventures"] == 0
    assert empty["conversion"][0]["rate"] is None
    assert empty["median_days_in_stage"]["accepted"] is None
    assert empty["north_retention"] is None


def test_unknown_codes_and_reversed_dates_are_refused_naming_the_field(session):
    with pytest.raises(ValidationFailed) as caught:
        make_filters(sector="biotech", region="mars", date_from=TO, date_to=FROM)
    assert [e.field for e in caught.value.errors] == ["sector", "region", "to"]


def test_figures_are_reused_until_the_data_changes(session, known):
    filters = make_filters(date_from=FROM, date_to=TO)
    first = pipeline_summary(session=session, filters=filters)
    assert pipeline_summary(session=session, filters=filters) is first  # nothing changed
    IntroductionFactory(venture_id=known.ventures["V4"].id, investor_id=known.investors["I1"].id)
    session.rollback()
    again = pipeline_summary(session=session, filters=filters)
    assert again is not first
    assert again.as_dict()["funnel"][2] == {"stage": "introduction_requested", "count": 4}


def test_deal_facts_are_shared_by_filter_sets_and_renewed_when_a_deal_changes(session, known):
    from tests.webapp.staff.known_pipeline import _deal, at
    from webapp.services.reports.pipeline_progress import deal_facts, introduction_facts

    _summary(session, date_from=FROM, date_to=TO)
    facts, introductions = deal_facts(session), introduction_facts(session)
    _summary(session, date_from=FROM, date_to=TO, region="north_west")
    assert deal_facts(session) is facts
    assert introduction_facts(session) is introductions

    graphene, health_fund = known.ventures["V4"], known.investors["I1"]
    _deal(graphene, health_fund, at(4, 1), at(4, 3), [("in_conversation", at(4, 10))])
    session.rollback()
    body = _summary(session, date_from=FROM, date_to=TO, stage="series_a")  # never asked before
    funnel = {row["stage"]: row["count"] for row in body["funnel"]}
    assert funnel["accepted"] == funnel["in_conversation"] == 1
    assert funnel["due_diligence"] == 0
    assert deal_facts(session) is not facts


def test_an_empty_pipeline_has_zero_figures_and_no_medians(session):
    body = _summary(session)
    assert [row["count"] for row in body["funnel"]] == [0] * 8
    assert all(row["rate"] is None for row in body["conversion"])
    assert set(body["median_days_in_stage"].values()) == {None}
    assert body["ventures"] == body["capital_sought_gbp"] == body["capital_invested_gbp"] == 0
    assert body["by_sector"] == body["by_stage"] == body["by_region"] == []
    assert body["north_retention"] is None


def test_a_cohort_without_deals_or_requests_still_counts_its_matched_ventures(session, known):
    body = _summary(session, date_from=FROM, date_to=TO, stage="pre_seed")  # Salford Play only
    funnel = {row["stage"]: row["count"] for row in body["funnel"]}
    assert (funnel["published"], funnel["matched"], funnel["introduction_requested"]) == (1, 1, 1)
    assert funnel["accepted"] == 0
    assert body["median_days_in_stage"]["accepted"] is None


def test_an_investment_recorded_without_an_amount_is_counted_apart(session, known):
    from tests.webapp.staff.known_pipeline import _deal, at

    _deal(known.ventures["V4"], known.investors["I1"], at(4, 1), at(4, 3), [("invested", at(5, 1))])
    session.rollback()
    body = _summary(session, date_from=FROM, date_to=TO)
    assert body["invested_deals_without_amount"] == 1
    assert body["capital_invested_gbp"] == 700_000  # unchanged: no amount to add
    assert body["funnel"][-1] == {"stage": "invested", "count": 3}
    graphene = {row["code"]: row for row in body["by_stage"]}["series_a"]
    assert (graphene["invested"], graphene["capital_invested_gbp"]) == (1, 0)
