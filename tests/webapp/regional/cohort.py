"""Pipelines for the regional tests, built through the factories with known figures, and a
reader for the observatory feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.factories import (
    DealFactory,
    FounderFactory,
    IntroductionFactory,
    InvestorProfileFactory,
    VentureFactory,
)
from tests.webapp.staff.factories import DealEventFactory, MatchFactory
from webapp import models

START = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@dataclass
class Cohort:
    """Everything made, so tests can look for names and amounts in what is published."""

    ventures: list[models.Venture] = field(default_factory=list)
    investors: list[models.InvestorProfile] = field(default_factory=list)
    founders: list[models.User] = field(default_factory=list)


def investor(cohort: Cohort, name: str, **mandate: object) -> models.InvestorProfile:
    """An active investor with the given mandate."""
    found = InvestorProfileFactory(name=name, **mandate)
    cohort.investors.append(found)
    return found


def ventures(
    cohort: Cohort,
    count: int,
    *,
    name: str,
    region: str,
    sectors: list[str],
    stage: str,
    raise_gbp: int,
    introduced: int = 0,
    invested: int = 0,
    invested_gbp: int = 100_000,
    matched_with: models.InvestorProfile | None = None,
    asked_by: models.InvestorProfile | None = None,
    wait_days: int = 7,
) -> list[models.Venture]:
    """`count` published ventures; the first `introduced` asked for, the first `invested` won."""
    made = []
    for i in range(count):
        founder = FounderFactory(
            name=f"{name} founder {i}", email=f"{name.lower().replace(' ', '.')}.{i}@example.org"
        )
        cohort.founders.append(founder)
        published = START + timedelta(days=i)
        venture = VentureFactory(
            name=f"{name} {i}" if count > 1 else name,
            owner_id=founder.id,
            region=region,
            sectors=sectors,
            stage=stage,
            raise_amount_gbp=raise_gbp,
            institution=None,
            published_at=published,
            created_at=published,
        )
        made.append(venture)
        if matched_with is not None:
            MatchFactory(venture_id=venture.id, investor_id=matched_with.id)
        if i < introduced:
            by = asked_by or matched_with
            assert by is not None
            asked = published + timedelta(days=wait_days + i)
            if i < invested:
                deal = DealFactory(
                    introduction__venture_id=venture.id,
                    introduction__investor_id=by.id,
                    introduction__created_at=asked,
                    introduction__responded_at=asked + timedelta(days=2),
                    venture_id=venture.id,
                    investor_id=by.id,
                    stage="invested",
                    amount_gbp=invested_gbp,
                )
                DealEventFactory(deal_id=deal.id, stage="invested", at=asked + timedelta(days=40))
            else:
                IntroductionFactory(venture_id=venture.id, investor_id=by.id, created_at=asked)
    cohort.ventures.extend(made)
    return made


def comfortable_cohort() -> Cohort:
    """Every count of every row is 0 or at least 5, so the observatory withholds nothing.

    - North West (Greater Manchester), AI, seed, £500k: 10 ventures, all matched in mandate;
      6 introduced after 7–12 days, 5 of them invested (£100k each).
    - London, fintech, series A, £2m: 6 ventures matched only to an investor outside their
      mandate; 5 introduced after 3–7 days, none invested.
    - Yorkshire (West Yorkshire), diagnostics, pre-seed, £250k: 5 ventures matched in mandate,
      none introduced.
    """
    cohort = Cohort()
    digital = investor(
        cohort,
        "Irwell Ventures",
        sectors=["digital_technologies"],
        stages=["seed"],
        regions=["north_west"],
        ticket_min_gbp=100_000,
        instruments=["equity"],
    )
    health_only = investor(
        cohort,
        "Thames Health Capital",
        sectors=["life_sciences"],
        stages=["series_a"],
        regions=["london"],
        ticket_min_gbp=100_000,
        instruments=["equity"],
    )
    early_health = investor(
        cohort,
        "Aire Angels",
        sectors=["life_sciences"],
        stages=["pre_seed", "seed"],
        regions=["yorkshire_humber"],
        ticket_min_gbp=25_000,
        instruments=["equity"],
    )
    ventures(cohort, 10, name="Salford Vision", region="greater_manchester_ca",
             sectors=["ai"], stage="seed", raise_gbp=500_000, introduced=6, invested=5,
             matched_with=digital)  # fmt: skip
    ventures(cohort, 6, name="Canary Ledger", region="london", sectors=["fintech"],
             stage="series_a", raise_gbp=2_000_000, introduced=5, matched_with=health_only,
             wait_days=3)  # fmt: skip
    ventures(cohort, 5, name="Leeds Assay", region="west_yorkshire_ca",
             sectors=["diagnostics"], stage="pre_seed", raise_gbp=250_000,
             matched_with=early_health)  # fmt: skip
    return cohort


def feed_rows(body: dict) -> dict[str, dict]:
    """Every platform row of the observatory feed, keyed "all", "north", "rest" and
    "<breakdown>:<code>" (e.g. "region:north_east")."""
    platform = body["platform"]
    found = {"all": platform["total"], "north": platform["north"], "rest": platform["rest"]}
    for breakdown in ("region", "sector", "stage"):
        for row in platform[f"by_{breakdown}"]:
            found[f"{breakdown}:{row['code']}"] = row
    return found
