"""Investors' past deals (their track record), mostly inside their own mandates."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from reference.taxonomy import ReferenceData
from seeds.demo import distributions as dist
from seeds.demo.clock import Clock
from seeds.demo.names import company_name
from seeds.demo.places import Places
from seeds.demo.records import DemoInvestor, DemoPortfolioDeal
from seeds.demo.text import growth_sector

IN_MANDATE_SHARE = 0.8
TRACK_RECORD_DAYS = (30, 8 * 365)


@dataclass(frozen=True)
class PortfolioFactory:
    """Draws plausible track records for investors."""

    reference: ReferenceData
    places: Places
    clock: Clock

    @cached_property
    def _sub_sectors(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.reference.sectors if s.parent is not None)

    @cached_property
    def _areas_under(self) -> dict[str, tuple[str, ...]]:
        """Per region, its most specific areas (where a company can actually be)."""
        parents = {r.parent for r in self.reference.regions}
        leaves = [r.code for r in self.reference.regions if r.code not in parents]
        return {
            r.code: tuple(leaf for leaf in leaves if self.reference.region_is_within(leaf, r.code))
            for r in self.reference.regions
        }

    def _sectors(self, rng: random.Random, investor: DemoInvestor) -> tuple[str, ...]:
        if investor.sectors and rng.random() < IN_MANDATE_SHARE:
            pick = rng.choice(investor.sectors)
            below = sorted(self.reference.sector_descendants(pick) - {pick})
            first = rng.choice(below) if below and rng.random() < 0.7 else pick
        else:
            first = rng.choice(self._sub_sectors)
        if rng.random() < 0.25:
            second = rng.choice(self._sub_sectors)
            ancestors = self.reference.sector_ancestors
            if second not in ancestors(first) and first not in ancestors(second):
                return (first, second)
        return (first,)

    def _stage(self, rng: random.Random, investor: DemoInvestor) -> str:
        if rng.random() < 0.85:
            return rng.choice(investor.stages)
        stages = [s.code for s in self.reference.stages]
        anchor = stages.index(rng.choice(investor.stages))
        return stages[min(len(stages) - 1, max(0, anchor + rng.choice((-1, 1))))]

    def _region(self, rng: random.Random, investor: DemoInvestor) -> str:
        if rng.random() < IN_MANDATE_SHARE:
            scope = rng.choice(investor.regions)
            if scope == "uk" and rng.random() < 0.6:
                return self.places.northern_area(rng)
            return rng.choice(self._areas_under[scope])
        return self.places.northern_area(rng) if rng.random() < 0.5 else self.places.other_area(rng)

    def track_record(
        self, rng: random.Random, index: int, investor: DemoInvestor
    ) -> list[DemoPortfolioDeal]:
        """Past deals for one investor, each distinct by company, date and round."""
        low, high = dist.FUNDERS[investor.investor_type].past_deals
        deals: dict[str, DemoPortfolioDeal] = {}
        for _ in range(rng.randint(low, high)):
            sectors = self._sectors(rng, investor)
            deal = DemoPortfolioDeal(
                investor=index,
                company_name=company_name(rng, growth_sector(self.reference, sectors[0])),
                funded_on=self.clock.day_in_past(rng, *TRACK_RECORD_DAYS),
                sectors=sectors,
                stage=self._stage(rng, investor),
                region=self._region(rng, investor),
                amount_gbp=dist.round_money(
                    dist.log_uniform(rng, investor.ticket_min_gbp, investor.ticket_max_gbp)
                ),
            )
            deals.setdefault(deal.dedupe_key, deal)
        return sorted(deals.values(), key=lambda d: (d.funded_on, d.company_name))


def generate_portfolio(
    rng: random.Random, factory: PortfolioFactory, investors: Sequence[DemoInvestor]
) -> list[DemoPortfolioDeal]:
    """Every investor's track record, in investor order."""
    return [
        deal
        for index, investor in enumerate(investors)
        for deal in factory.track_record(rng, index, investor)
    ]
