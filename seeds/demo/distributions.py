"""The numbers behind plausible demo data: round sizes by stage and ticket sizes by funder type.

Ranges are the central ~90% of a log-normal draw, so most values fall inside them and a few
stray outside, as real rounds do.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StageProfile:
    """How ventures at one stage typically look."""

    share: float  # of all ventures
    raise_gbp: tuple[int, int]
    trl: tuple[int, int]
    team: tuple[int, int]
    age_years: tuple[float, float]  # since incorporation


STAGES: dict[str, StageProfile] = {
    "proof_of_concept": StageProfile(0.12, (25_000, 300_000), (2, 4), (1, 4), (0.0, 1.5)),
    "pre_seed": StageProfile(0.24, (50_000, 500_000), (3, 5), (1, 6), (0.0, 2.0)),
    "seed": StageProfile(0.30, (250_000, 2_000_000), (4, 7), (3, 15), (0.5, 4.0)),
    "series_a": StageProfile(0.19, (2_000_000, 10_000_000), (6, 8), (10, 45), (2.0, 7.0)),
    "series_b": StageProfile(0.10, (8_000_000, 30_000_000), (7, 9), (25, 120), (3.0, 10.0)),
    "growth": StageProfile(0.05, (20_000_000, 100_000_000), (8, 9), (60, 400), (5.0, 15.0)),
}


@dataclass(frozen=True, slots=True)
class FunderProfile:
    """How one kind of funder typically invests."""

    share: float  # of all investor organisations
    ticket_min: tuple[int, int]  # range the mandate's minimum is drawn from
    ticket_max: tuple[int, int]  # range the mandate's maximum is drawn from
    stages: tuple[str, ...]  # the stages it may cover, earliest first
    instruments: tuple[str, ...]  # first is always offered, others sometimes
    eis: float  # probability it wants EIS-eligible deals
    seis: float
    past_deals: tuple[int, int]  # size of its track record


FUNDERS: dict[str, FunderProfile] = {
    "angel": FunderProfile(
        0.20,
        (10_000, 25_000),
        (25_000, 150_000),
        ("pre_seed", "seed"),
        ("equity", "convertible"),
        0.85,
        0.75,
        (2, 12),
    ),
    "angel_network": FunderProfile(
        0.10,
        (25_000, 100_000),
        (150_000, 500_000),
        ("pre_seed", "seed", "series_a"),
        ("equity", "convertible"),
        0.85,
        0.6,
        (10, 50),
    ),
    "vc": FunderProfile(
        0.22,
        (250_000, 1_000_000),
        (2_000_000, 10_000_000),
        ("seed", "series_a", "series_b"),
        ("equity", "convertible"),
        0.35,
        0.05,
        (10, 60),
    ),
    "corporate_vc": FunderProfile(
        0.06,
        (500_000, 2_000_000),
        (3_000_000, 15_000_000),
        ("seed", "series_a", "series_b"),
        ("equity",),
        0.0,
        0.0,
        (5, 25),
    ),
    "university_fund": FunderProfile(
        0.07,
        (100_000, 250_000),
        (500_000, 2_000_000),
        ("proof_of_concept", "pre_seed", "seed", "series_a"),
        ("equity", "convertible"),
        0.5,
        0.3,
        (5, 40),
    ),
    "pension_fund": FunderProfile(
        0.04,
        (1_000_000, 3_000_000),
        (5_000_000, 20_000_000),
        ("seed", "series_a", "series_b", "growth"),
        ("equity",),
        0.1,
        0.0,
        (5, 30),
    ),
    "public_fund": FunderProfile(
        0.08,
        (50_000, 250_000),
        (1_000_000, 5_000_000),
        ("pre_seed", "seed", "series_a"),
        ("equity", "loan", "convertible"),
        0.6,
        0.2,
        (10, 80),
    ),
    "grant_body": FunderProfile(
        0.07,
        (25_000, 50_000),
        (100_000, 500_000),
        ("proof_of_concept", "pre_seed", "seed"),
        ("grant",),
        0.0,
        0.0,
        (20, 100),
    ),
    "family_office": FunderProfile(
        0.07,
        (250_000, 1_000_000),
        (2_000_000, 10_000_000),
        ("seed", "series_a", "series_b", "growth"),
        ("equity", "loan"),
        0.4,
        0.0,
        (3, 20),
    ),
    "accelerator": FunderProfile(
        0.09,
        (10_000, 50_000),
        (50_000, 150_000),
        ("pre_seed", "seed"),
        ("equity", "convertible", "grant"),
        0.5,
        0.5,
        (10, 80),
    ),
}

_Z90 = 1.6449  # a standard normal's 95th percentile: ±z covers the central 90%


def log_normal_in(rng: random.Random, low: float, high: float) -> float:
    """A log-normal draw whose central 90% spans [low, high]."""
    mu = (math.log(low) + math.log(high)) / 2
    sigma = (math.log(high) - math.log(low)) / (2 * _Z90)
    return rng.lognormvariate(mu, sigma)


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    """A draw spread evenly on a log scale, for ticket bounds (no preferred value inside)."""
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def round_money(amount: float) -> int:
    """Round to the sort of figure people quote: two significant figures, at least £1,000."""
    amount = max(amount, 1_000.0)
    step = 10 ** max(3, math.floor(math.log10(amount)) - 1)
    return int(round(amount / step) * step)


def raise_amount(rng: random.Random, stage: str) -> int:
    """A round size for a stage, log-normal around the stage's typical range."""
    low, high = STAGES[stage].raise_gbp
    return round_money(min(max(log_normal_in(rng, low, high), low / 3), high * 3))
