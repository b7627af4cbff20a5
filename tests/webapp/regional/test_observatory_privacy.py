"""Nobody can be picked out of the observatory: an attacker's attempts on a small cohort.

The cohort has one venture alone in its region, growth sector and stage (North East, advanced
manufacturing, growth), introduced and invested in, with a raise and an investment no one else
shares. Every published cell is read the way an attacker would: for small counts, for names,
for the lone venture's amounts, and by solving the totals for the withheld cells.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest
from scipy.optimize import linprog

from tests.webapp.regional.cohort import Cohort, feed_rows, investor, ventures
from webapp.services.reports.evidence import SUPPRESSED
from webapp.services.reports.regional.observatory import COUNT_COLUMNS, PLATFORM_COLUMNS

FEED = "/api/v1/observatory"
LONE_RAISE, LONE_INVESTMENT = 3_141_592, 271_828
REGIONS = ("north_east", "north_west", "yorkshire_humber", "east_midlands", "west_midlands",
           "east_of_england", "london", "south_east", "south_west", "scotland", "wales",
           "northern_ireland")  # fmt: skip
NORTHERN = REGIONS[:3]
SECTORS = ("advanced_manufacturing", "clean_energy", "creative_industries", "defence",
           "digital_technologies", "financial_services", "life_sciences",
           "professional_business_services")  # fmt: skip
STAGES = ("proof_of_concept", "pre_seed", "seed", "series_a", "series_b", "growth")


@pytest.fixture
def cohort(session) -> Cohort:
    cohort = Cohort()
    digital = investor(cohort, "Irwell Ventures", sectors=["digital_technologies"],
                       stages=["seed"], regions=["north_west"], ticket_min_gbp=100_000,
                       instruments=["equity"])  # fmt: skip
    elsewhere = investor(cohort, "Thames Health Capital", sectors=["life_sciences"],
                         stages=["series_a"], regions=["london"])  # fmt: skip
    graphene = investor(cohort, "Wear Materials Growth Fund", sectors=["advanced_manufacturing"],
                        stages=["growth"], regions=["north_east"], ticket_min_gbp=1_000_000,
                        ticket_max_gbp=5_000_000, instruments=["equity"])  # fmt: skip
    ventures(cohort, 12, name="Salford Vision", region="greater_manchester_ca", sectors=["ai"],
             stage="seed", raise_gbp=500_000, introduced=8, invested=5,
             matched_with=digital)  # fmt: skip
    ventures(cohort, 7, name="Canary Ledger", region="london", sectors=["fintech"],
             stage="series_a", raise_gbp=2_000_000, introduced=5,
             matched_with=elsewhere)  # fmt: skip
    ventures(cohort, 1, name="Lone Graphene", region="north_east_ca",
             sectors=["graphene_2d_materials"], stage="growth", raise_gbp=LONE_RAISE,
             introduced=1, invested=1, invested_gbp=LONE_INVESTMENT, matched_with=graphene,
             wait_days=23)  # fmt: skip
    return cohort


def _relations() -> list[tuple[str, list[str]]]:
    """What an attacker knows adds up: in this cohort each venture has one growth sector, so
    even the sector breakdown is an exact partition of the whole."""
    return [
        ("all", ["north", "rest"]),
        ("north", [f"region:{c}" for c in NORTHERN]),
        ("rest", [f"region:{c}" for c in REGIONS if c not in NORTHERN]),
        ("all", [f"sector:{c}" for c in SECTORS]),
        ("all", [f"stage:{c}" for c in STAGES]),
    ]


def _solve(cells: dict[str, dict], column: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The linear system an attacker has: unknowns are the withheld cells of a column."""
    unknown = sorted(key for key, row in cells.items() if row[column] is None)
    position = {key: i for i, key in enumerate(unknown)}
    rows, right = [], []
    for parent, parts in _relations():
        coefficients = np.zeros(len(unknown))
        constant = 0.0
        for key, sign in [(parent, 1.0), *((part, -1.0) for part in parts)]:
            value = cells[key][column]
            if value is None:
                coefficients[position[key]] += sign
            else:
                constant -= sign * value
        rows.append(coefficients)
        right.append(constant)
    return unknown, np.array(rows), np.array(right)


def test_the_lone_venture_shows_in_no_cell_of_its_region_sector_or_stage(client, cohort):
    cells = feed_rows(client.get(FEED).get_json())
    for key in ("region:north_east", "sector:advanced_manufacturing", "stage:growth"):
        row = cells[key]
        for column in ("ventures", "capital_sought_gbp", "introduced", "invested",
                       "capital_invested_gbp", "median_days_to_first_introduction"):  # fmt: skip
            assert row[column] is None, (key, column)
            assert column in row["withheld"], (key, column)


def test_no_published_count_is_below_the_threshold(client, cohort):
    body = client.get(FEED).get_json()
    for key, row in feed_rows(body).items():
        for column in COUNT_COLUMNS:
            value = row[column]
            assert value is None or value == 0 or value >= 5, (key, column, value)
    records = csv.DictReader(io.StringIO(client.get(f"{FEED}?format=csv").get_data(as_text=True)))
    for record in records:
        for column in COUNT_COLUMNS:
            value = record[column]
            assert value == SUPPRESSED or int(value) == 0 or int(value) >= 5, (record, column)
    html = client.get("/observatory").get_data(as_text=True)
    for column in COUNT_COLUMNS:
        for text in re.findall(rf'data-column="{column}">([^<]*)<', html):
            if text.strip():
                assert int(text.replace(",", "")) == 0 or int(text.replace(",", "")) >= 5


@pytest.mark.parametrize(
    "column", [name for name, _ in PLATFORM_COLUMNS if not name.startswith(("share_", "median_"))]
)
def test_no_withheld_cell_can_be_worked_out_from_the_totals(client, cohort, column):
    cells = feed_rows(client.get(FEED).get_json())
    unknown, system, _ = _solve(cells, column)
    assert unknown, "the small cohort must have withheld cells"
    rank = np.linalg.matrix_rank(system) if len(system) else 0
    for i, key in enumerate(unknown):
        target = np.zeros(len(unknown))
        target[i] = 1.0
        # A cell is pinned down exactly when it is a combination of the equations.
        assert np.linalg.matrix_rank(np.vstack([system, target])) > rank, (column, key)


@pytest.mark.parametrize("column", list(COUNT_COLUMNS))
def test_the_lone_ventures_region_could_hold_anything_from_none_to_many(client, cohort, column):
    cells = feed_rows(client.get(FEED).get_json())
    unknown, system, right = _solve(cells, column)
    target = unknown.index("region:north_east")
    bounds = [(0, None)] * len(unknown)
    low = linprog(np.eye(len(unknown))[target], A_eq=system, b_eq=right, bounds=bounds)
    high = linprog(-np.eye(len(unknown))[target], A_eq=system, b_eq=right, bounds=bounds)
    assert (low.status, high.status) == (0, 0)
    assert low.fun == 0  # for all the attacker knows, nobody there
    assert -high.fun >= 5  # or a crowd


def test_no_name_or_lone_amount_appears_anywhere(client, cohort):
    published = [
        client.get(FEED).get_data(as_text=True),
        client.get(f"{FEED}?format=csv").get_data(as_text=True),
        client.get("/observatory").get_data(as_text=True),
    ]
    names = [v.name for v in cohort.ventures] + [i.name for i in cohort.investors]
    names += [f.name for f in cohort.founders] + [str(f.email) for f in cohort.founders]
    for text in published:
        for name in names:
            assert name not in text
        # Whole numbers only: the lone raise is part of a published total (23,141,592).
        numbers = {int(n.replace(",", "")) for n in re.findall(r"(?<![\d.,])\d[\d,]*", text)}
        assert LONE_RAISE not in numbers
        assert LONE_INVESTMENT not in numbers
