"""A small pipeline whose every figure is worked out by hand in `EXPECTED` below.

Investors
- I1 Northern Health Fund: vc, life sciences, seed–series A, £250k–£2m, North; HQ Manchester.
- I2 London Deep Tech: vc, digital, seed–series A, £500k–£5m, London and South East.
- I3 Pennine Angels: angel network, any sector, pre-seed–seed, £25k–£250k, North West and
  Yorkshire; HQ North West.
- I4 Dormant Fund: inactive.

Ventures (published in 2025 unless said)
- V1 Tyne Diagnostics (diagnostics + AI, seed, £750k, North East CA, Newcastle), published 10 Jan:
  I1 asked 20 Jan, accepted 25 Jan → D1: in conversation 4 Feb, due diligence 6 Mar, term sheet
  5 Apr, invested 5 May (£500k). I2 asked 1 Feb, declined 11 Feb.
- V2 Leeds Vision (AI, seed, £1.2m, West Yorkshire CA, Leeds), published 1 Feb: I3 asked 10 Feb,
  accepted 14 Feb → D2: in conversation 21 Feb, passed 26 Mar. I2 asked 15 Feb, accepted 20 Feb
  → D3: in conversation 2 Mar, due diligence 1 Apr, invested 21 Apr (£200k; no term sheet event).
- V3 Salford Play (games, pre-seed, £150k, Greater Manchester CA, no university), published
  1 Mar: I3 asked 5 Mar, no answer yet.
- V4 Sheffield Graphene (graphene, series A, £3m, South Yorkshire MCA, Sheffield), published
  15 Mar: nothing yet; no investor's mandate covers it.
- V5 Draft Co: never published.
- V6 Hull Offshore (offshore wind, seed, £900k, Hull and East Yorkshire CA, Hull), published
  1 Jun 2024: I1 asked 10 Jun 2024, accepted 12 Jun 2024 → D4 invested 1 Sep 2024 (£800k).
Matches: V1–I1, V1–I2, V2–I2, V2–I3, V3–I3, V6–I1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tests.factories import (
    DealFactory,
    FounderFactory,
    IntroductionFactory,
    InvestorProfileFactory,
    VentureFactory,
)
from tests.webapp.staff.factories import DealEventFactory, MatchFactory
from webapp import models

FROM, TO = date(2025, 1, 1), date(2025, 12, 31)


def at(month: int, day: int, year: int = 2025) -> datetime:
    """Noon UTC on a day, so day counts come out whole."""
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


@dataclass
class KnownPipeline:
    """The rows made, by name."""

    investors: dict[str, models.InvestorProfile]
    ventures: dict[str, models.Venture]
    deals: dict[str, models.Deal]


def _deal(venture, investor, asked, answered, steps, amount=None, by="investor"):
    final = steps[-1][0] if steps else "accepted"
    intro = IntroductionFactory(
        venture_id=venture.id,
        investor_id=investor.id,
        requested_by_role=by,
        status="accepted",
        created_at=asked,
        responded_at=answered,
    )
    deal = DealFactory(
        introduction=intro,
        stage=final,
        amount_gbp=amount,
        created_at=answered,
        updated_at=steps[-1][1] if steps else answered,
    )
    for stage, when in [("introduction_requested", asked), ("accepted", answered), *steps]:
        DealEventFactory(deal_id=deal.id, stage=stage, at=when)
    return deal


def seed_known_pipeline() -> KnownPipeline:
    """Write the pipeline described in the module docstring."""
    i1 = InvestorProfileFactory(
        name="Northern Health Fund",
        investor_type="vc",
        sectors=["life_sciences"],
        stages=["seed", "series_a"],
        ticket_min_gbp=250_000,
        ticket_max_gbp=2_000_000,
        regions=["north_east", "north_west", "yorkshire_humber"],
        hq_region="greater_manchester_ca",
    )
    i2 = InvestorProfileFactory(
        name="London Deep Tech",
        investor_type="vc",
        sectors=["digital_technologies"],
        stages=["seed", "series_a"],
        ticket_min_gbp=500_000,
        ticket_max_gbp=5_000_000,
        regions=["london", "south_east"],
        hq_region="london",
    )
    i3 = InvestorProfileFactory(
        name="Pennine Angels",
        investor_type="angel_network",
        sectors=[],
        stages=["pre_seed", "seed"],
        ticket_min_gbp=25_000,
        ticket_max_gbp=250_000,
        regions=["north_west", "yorkshire_humber"],
        hq_region="north_west",
    )
    i4 = InvestorProfileFactory(
        name="Dormant Fund",
        investor_type="family_office",
        sectors=[],
        stages=["seed"],
        regions=["uk"],
        hq_region="london",
        active=False,
    )

    def venture(name: str, published: datetime | None, **fields: Any) -> models.Venture:
        return VentureFactory(
            name=name,
            owner_id=FounderFactory().id,
            published_at=published,
            created_at=published or at(1, 2),
            visibility="published" if published else "draft",
            **fields,
        )

    v1 = venture(
        "Tyne Diagnostics",
        at(1, 10),
        sectors=["diagnostics", "ai"],
        stage="seed",
        raise_amount_gbp=750_000,
        region="north_east_ca",
        institution="newcastle",
    )
    v2 = venture(
        "Leeds Vision",
        at(2, 1),
        sectors=["ai"],
        stage="seed",
        raise_amount_gbp=1_200_000,
        region="west_yorkshire_ca",
        institution="leeds",
    )
    v3 = venture(
        "Salford Play",
        at(3, 1),
        sectors=["games"],
        stage="pre_seed",
        raise_amount_gbp=150_000,
        region="greater_manchester_ca",
        institution=None,
    )
    v4 = venture(
        "Sheffield Graphene",
        at(3, 15),
        sectors=["graphene_2d_materials"],
        stage="series_a",
        raise_amount_gbp=3_000_000,
        region="south_yorkshire_mca",
        institution="sheffield",
    )
    v5 = venture("Draft Co", None, sectors=["fintech"], stage="seed", region="london")
    v6 = venture(
        "Hull Offshore",
        at(6, 1, 2024),
        sectors=["offshore_wind"],
        stage="seed",
        raise_amount_gbp=900_000,
        region="hull_east_yorkshire_ca",
        institution="hull",
    )

    d1 = _deal(
        v1,
        i1,
        at(1, 20),
        at(1, 25),
        [
            ("in_conversation", at(2, 4)),
            ("due_diligence", at(3, 6)),
            ("term_sheet", at(4, 5)),
            ("invested", at(5, 5)),
        ],
        amount=500_000,
    )
    IntroductionFactory(
        venture_id=v1.id,
        investor_id=i2.id,
        status="declined",
        created_at=at(2, 1),
        responded_at=at(2, 11),
    )
    d2 = _deal(
        v2, i3, at(2, 10), at(2, 14), [("in_conversation", at(2, 21)), ("passed", at(3, 26))]
    )
    d3 = _deal(
        v2,
        i2,
        at(2, 15),
        at(2, 20),
        [("in_conversation", at(3, 2)), ("due_diligence", at(4, 1)), ("invested", at(4, 21))],
        amount=200_000,
        by="founder",
    )
    IntroductionFactory(
        venture_id=v3.id, investor_id=i3.id, status="requested", created_at=at(3, 5)
    )
    d4 = _deal(
        v6, i1, at(6, 10, 2024), at(6, 12, 2024), [("invested", at(9, 1, 2024))], amount=800_000
    )
    for v, i in [(v1, i1), (v1, i2), (v2, i2), (v2, i3), (v3, i3), (v6, i1)]:
        MatchFactory(venture_id=v.id, investor_id=i.id)
    return KnownPipeline(
        investors={"I1": i1, "I2": i2, "I3": i3, "I4": i4},
        ventures={"V1": v1, "V2": v2, "V3": v3, "V4": v4, "V5": v5, "V6": v6},
        deals={"D1": d1, "D2": d2, "D3": d3, "D4": d4},
    )


# Worked out by hand from the docstring, for the 2025 cohort (V1–V4).
EXPECTED_2025: dict[str, Any] = {
    "funnel": [
        {"stage": "published", "count": 4},
        {"stage": "matched", "count": 3},
        {"stage": "introduction_requested", "count": 3},
        {"stage": "accepted", "count": 2},
        {"stage": "in_conversation", "count": 2},
        {"stage": "due_diligence", "count": 2},
        {"stage": "term_sheet", "count": 2},  # D3 jumped from due diligence to invested
        {"stage": "invested", "count": 2},
    ],
    "conversion": [
        {"from": "published", "to": "matched", "rate": 0.75},
        {"from": "matched", "to": "introduction_requested", "rate": 1.0},
        {"from": "introduction_requested", "to": "accepted", "rate": 0.6667},
        {"from": "accepted", "to": "in_conversation", "rate": 1.0},
        {"from": "in_conversation", "to": "due_diligence", "rate": 1.0},
        {"from": "due_diligence", "to": "term_sheet", "rate": 1.0},
        {"from": "term_sheet", "to": "invested", "rate": 1.0},
    ],
    "median_days_in_stage": {
        "published": 9.0,  # first requests after 10, 9 and 4 days
        "introduction_requested": 5.0,  # answers after 5, 10, 4 and 5 days
        "accepted": 10.0,  # 10 (D1), 7 (D2), 10 (D3)
        "in_conversation": 30.0,  # 30 (D1), 33 (D2 to passed), 30 (D3)
        "due_diligence": 25.0,  # 30 (D1), 20 (D3)
        "term_sheet": 30.0,  # D1 only
    },
    "ventures": 4,
    "investors": 3,
    "capital_sought_gbp": 5_100_000,
    "capital_invested_gbp": 700_000,
    "north_retention": 0.5,  # D1 with I1 (Northern), D3 with I2 (London)
}

# The gap report's worst cell: V4 (advanced manufacturing, Series A, South Yorkshire), nobody.
WORST_GAP_CELL: dict[str, Any] = {
    "sector": "advanced_manufacturing",
    "stage": "series_a",
    "region": "south_yorkshire_mca",
    "ventures": 1,
    "capital_sought_gbp": 3_000_000,
    "investors_in_mandate": 0,
    "capacity_gbp": 0,
    "shortfall_gbp": 3_000_000,
    "coverage": 0.0,
    "ventures_without_investor": 1,
}
