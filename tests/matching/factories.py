"""Factories for matching's records: a small Northern taxonomy and sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from matching import DealRecord, InvestorRecord, Outcome, Taxonomy, VentureRecord

SECTORS: dict[str, str | None] = {
    "health": None,
    "medtech": "health",
    "diagnostics": "health",
    "biotech": "health",
    "digital": None,
    "ai": "digital",
    "fintech": "digital",
    "energy": None,
    "hydrogen": "energy",
}
STAGES = ("pre_seed", "seed", "series_a", "series_b")
REGIONS: dict[str, str | None] = {
    "uk": None,
    "england": "uk",
    "scotland": "uk",
    "north_east": "england",
    "north_west": "england",
    "yorkshire": "england",
    "london": "england",
}
INSTRUMENTS = ("equity", "convertible", "grant", "loan")
INSTITUTIONS = {"newcastle": "north_east", "leeds": "yorkshire", "manchester": "north_west"}

TAXONOMY = Taxonomy(
    sector_parent=SECTORS,
    stage_order=STAGES,
    region_parent=REGIONS,
    northern_regions=frozenset({"north_east", "north_west", "yorkshire"}),
    instruments=INSTRUMENTS,
    institution_region=INSTITUTIONS,
    labels={"medtech": "medtech", "diagnostics": "diagnostics", "north_east": "North East"},
).validate()

_ids = itertools.count(1)


def venture(**overrides: Any) -> VentureRecord:
    """A seed-stage North East diagnostics venture raising £750k in equity."""
    values: dict[str, Any] = {
        "id": next(_ids),
        "name": "Assay Ltd",
        "summary": "rapid sepsis diagnostics from a finger-prick blood test",
        "sectors": ("diagnostics",),
        "stage": "seed",
        "raise_amount_gbp": 750_000,
        "instruments": ("equity",),
        "region": "north_east",
        "institution": "newcastle",
        "spinout": True,
    }
    values.update(overrides)
    return VentureRecord(**values)


def investor(**overrides: Any) -> InvestorRecord:
    """A health fund for seed rounds of £250k–£1.5m anywhere in England."""
    values: dict[str, Any] = {
        "id": next(_ids),
        "name": "North Health Fund",
        "investor_type": "vc",
        "sectors": ("health",),
        "stages": ("seed", "series_a"),
        "ticket_min_gbp": 250_000,
        "ticket_max_gbp": 1_500_000,
        "regions": ("england",),
        "instruments": ("equity", "convertible"),
        "thesis": "diagnostics, medtech and sepsis care from university spinouts",
        "hq_region": "north_east",
    }
    values.update(overrides)
    return InvestorRecord(**values)


def deal(investor_id: int, **overrides: Any) -> DealRecord:
    """A past seed deal in a North East diagnostics company."""
    values: dict[str, Any] = {
        "investor_id": investor_id,
        "company_key": f"company-{next(_ids)}",
        "sectors": ("diagnostics",),
        "stage": "seed",
        "region": "north_east",
        "amount_gbp": 500_000,
        "date": dt.date(2024, 3, 1),
    }
    values.update(overrides)
    return DealRecord(**values)


def outcome(venture_id: int, investor_id: int, kind: str, **overrides: Any) -> Outcome:
    """A platform label dated mid-2024."""
    values: dict[str, Any] = {"date": dt.date(2024, 6, 1)}
    values.update(overrides)
    return Outcome(venture_id=venture_id, investor_id=investor_id, kind=kind, **values)


# -- hypothesis strategies ---------------------------------------------------------------------
codes = st.sampled_from
money = st.integers(min_value=10_000, max_value=20_000_000)


@st.composite
def ventures(draw: st.DrawFn, venture_id: int | None = None) -> VentureRecord:
    """Any valid venture."""
    return venture(
        id=venture_id if venture_id is not None else draw(st.integers(1, 10**9)),
        sectors=tuple(draw(st.lists(codes(list(SECTORS)), max_size=3, unique=True))),
        stage=draw(codes(STAGES)),
        raise_amount_gbp=draw(money),
        instruments=tuple(draw(st.lists(codes(INSTRUMENTS), max_size=2, unique=True))),
        region=draw(codes(list(REGIONS))),
        institution=draw(st.none() | codes(list(INSTITUTIONS))),
        eis=draw(st.booleans()),
        seis=draw(st.booleans()),
    )


@st.composite
def investors(draw: st.DrawFn, investor_id: int | None = None) -> InvestorRecord:
    """Any valid investor."""
    low = draw(money)
    high = draw(st.integers(low, 4 * low))
    return investor(
        id=investor_id if investor_id is not None else draw(st.integers(1, 10**9)),
        sectors=tuple(draw(st.lists(codes(list(SECTORS)), max_size=2, unique=True))),
        excluded_sectors=tuple(draw(st.lists(codes(list(SECTORS)), max_size=1, unique=True))),
        stages=tuple(draw(st.lists(codes(STAGES), max_size=3, unique=True))),
        ticket_min_gbp=low,
        ticket_max_gbp=high,
        regions=tuple(draw(st.lists(codes(list(REGIONS)), max_size=2, unique=True))),
        regions_strict=draw(st.booleans()),
        instruments=tuple(draw(st.lists(codes(INSTRUMENTS), max_size=2, unique=True))),
        eis=draw(st.booleans()),
        seis=draw(st.booleans()),
        institutions=tuple(draw(st.lists(codes(list(INSTITUTIONS)), max_size=1))),
    )


# Moderate example counts: the suite runs several times in CI. No deadline: no timing asserts.
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
