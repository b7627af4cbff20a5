"""Evidence exports: per-deal rows that agree with the funnel, and a suppressed aggregate."""

from __future__ import annotations

import csv
import io

from tests.factories import DealFactory, IntroductionFactory, VentureFactory
from tests.webapp.staff.known_pipeline import EXPECTED_2025, FROM, TO, at, seed_known_pipeline
from webapp.services.common.csv_out import csv_lines
from webapp.services.reports.evidence import (
    DEAL_COLUMNS,
    EVIDENCE_COLUMNS,
    deal_rows,
    evidence_cells,
    evidence_csv_rows,
)
from webapp.services.reports.pipeline_filters import make_filters
from webapp.services.reports.pipeline_progress import FUNNEL


def _records(session, filters):
    header = [name for name, _ in DEAL_COLUMNS]
    text = "".join(csv_lines(header, deal_rows(session=session, filters=filters)))
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_introduction_with_its_deal(session):
    known = seed_known_pipeline()
    rows = _records(session, make_filters(date_from=FROM, date_to=TO))
    summary = [
        (r["venture_name"], r["investor_name"], r["current_stage"], r["furthest_stage"])
        for r in rows
    ]
    assert summary == [
        ("Tyne Diagnostics", "Northern Health Fund", "invested", "invested"),
        ("Tyne Diagnostics", "London Deep Tech", "declined", "introduction_requested"),
        ("Leeds Vision", "Pennine Angels", "passed", "in_conversation"),
        ("Leeds Vision", "London Deep Tech", "invested", "invested"),
        ("Salford Play", "Pennine Angels", "introduction_requested", "introduction_requested"),
    ]
    first = rows[0]
    assert first["deal_id"] == str(known.deals["D1"].id)
    assert first["growth_sectors"] == "digital_technologies;life_sciences"
    assert first["venture_sectors"] == "diagnostics;ai"
    assert first["investor_northern"] == "true"
    assert first["amount_gbp"] == "500000"
    assert first["requested_at"] == at(1, 20).isoformat()
    assert first["invested_at"] == at(5, 5).isoformat()
    assert first["last_event_at"] == at(5, 5).isoformat()
    assert rows[1]["deal_id"] == ""
    assert rows[1]["last_event_at"] == ""
    assert rows[3]["investor_northern"] == "false"


def test_the_deal_rows_add_up_to_the_funnel_and_the_capital(session):
    seed_known_pipeline()
    rows = _records(session, make_filters(date_from=FROM, date_to=TO))
    for entry in EXPECTED_2025["funnel"][2:]:
        position = FUNNEL.index(entry["stage"])
        reached = {r["venture_id"] for r in rows if FUNNEL.index(r["furthest_stage"]) >= position}
        assert len(reached) == entry["count"], entry["stage"]
    invested = sum(int(r["amount_gbp"]) for r in rows if r["current_stage"] == "invested")
    assert invested == EXPECTED_2025["capital_invested_gbp"]


def test_text_that_a_spreadsheet_would_run_is_defused(session):
    venture = VentureFactory(name='=HYPERLINK("http://x")')
    IntroductionFactory(venture_id=venture.id)
    rows = _records(session, make_filters())
    assert rows[0]["venture_name"] == '\'=HYPERLINK("http://x")'


def _ventures(count, **fields):
    return [
        VentureFactory(
            sectors=["diagnostics"],
            region="tees_valley_ca",
            published_at=at(4, 2 + i),
            created_at=at(4, 1),
            raise_amount_gbp=500_000,
            **fields,
        )
        for i in range(count)
    ]


def test_aggregate_cells_under_five_are_suppressed_with_the_money_resting_on_them(session):
    crowded = _ventures(6)
    for venture in crowded[:5]:
        IntroductionFactory(venture_id=venture.id, created_at=at(5, 1))
    for venture in crowded[:2]:
        DealFactory(
            introduction__venture_id=venture.id,
            venture_id=venture.id,
            stage="invested",
            amount_gbp=100_000,
        )
    VentureFactory(sectors=["fintech"], region="london", published_at=at(4, 9))

    cells = evidence_cells(session=session, filters=make_filters())

    assert cells == [
        {
            "sector": "financial_services",
            "sector_label": "Financial services",
            "region": "london",
            "region_label": "London",
            "quarter": "2025-Q2",
            "ventures": None,
            "introduced": 0,
            "accepted": 0,
            "invested": 0,
            "capital_sought_gbp": None,
            "capital_invested_gbp": 0,
            "suppressed": ["ventures", "capital_sought_gbp"],
        },
        {
            "sector": "life_sciences",
            "sector_label": "Life sciences",
            "region": "north_east",  # Tees Valley rolls up to its ITL1 region
            "region_label": "North East",
            "quarter": "2025-Q2",
            "ventures": 6,
            "introduced": 5,  # distinct ventures: the deals are on two of the five
            "accepted": None,
            "invested": None,
            "capital_sought_gbp": 3_000_000,
            "capital_invested_gbp": None,
            "suppressed": ["accepted", "invested", "capital_invested_gbp"],
        },
    ]
    lines = list(csv_lines([n for n, _ in EVIDENCE_COLUMNS], evidence_csv_rows(cells)))
    assert lines[0].startswith("sector,sector_label,region,region_label,quarter,ventures,")
    assert lines[2].strip() == (
        "life_sciences,Life sciences,north_east,North East,2025-Q2,6,5,[c],[c],3000000,[c]"
    )
