"""A cheap venture–mandate fit check, so demo feedback and deals follow the mandates
(the labels then teach the ranker something real)."""

from __future__ import annotations

from dataclasses import dataclass

from reference.taxonomy import ReferenceData
from seeds.demo.records import DemoInvestor, DemoVenture

TICKET_SHARE_FLOOR = 20  # a round more than 20x the largest cheque is too big to join


@dataclass(frozen=True, slots=True)
class Mandate:
    """An investor's mandate, expanded into sets so each check is a lookup."""

    sectors: frozenset[str] | None  # every code covered; None means any sector
    growth_sectors: frozenset[str]
    excluded: frozenset[str]
    stage_low: int
    stage_high: int
    regions: frozenset[str]
    strict: bool
    ticket_min: int
    ticket_max: int
    instruments: frozenset[str]

    @classmethod
    def of(cls, reference: ReferenceData, investor: DemoInvestor) -> Mandate:
        """Expand a mandate through the sector and region hierarchies."""
        orders = [reference.stage_order[s] for s in investor.stages]
        covered = (
            frozenset(c for s in investor.sectors for c in reference.sector_descendants(s))
            if investor.sectors
            else None
        )
        return cls(
            sectors=covered,
            growth_sectors=frozenset(reference.sector_ancestors(s)[-1] for s in investor.sectors),
            excluded=frozenset(investor.excluded_sectors),
            stage_low=min(orders),
            stage_high=max(orders),
            regions=frozenset(c for r in investor.regions for c in reference.region_descendants(r)),
            strict=investor.regions_strict,
            ticket_min=investor.ticket_min_gbp,
            ticket_max=investor.ticket_max_gbp,
            instruments=frozenset(investor.instruments),
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    """How well a venture fits (0–1) and the pass reason if a hard rule rules it out."""

    score: float
    blocker: str | None


def assess(reference: ReferenceData, venture: DemoVenture, mandate: Mandate) -> Verdict:
    """Score one pair; the first broken hard rule becomes the pass reason."""
    ancestors = {a for s in venture.sectors for a in reference.sector_ancestors(s)}
    if ancestors & mandate.excluded:
        return Verdict(0.0, "sector")
    if mandate.sectors is None:
        sector = 0.6
    elif mandate.sectors.intersection(venture.sectors):
        sector = 1.0
    elif ancestors & mandate.growth_sectors:
        sector = 0.5
    else:
        return Verdict(0.1, "sector")
    in_region = venture.region in mandate.regions
    if not in_region and mandate.strict:
        return Verdict(0.1, "outside_mandate")
    order = reference.stage_order[venture.stage]
    if order < mandate.stage_low - 1:
        return Verdict(0.1, "too_early")
    if order > mandate.stage_high + 1:
        return Verdict(0.1, "too_late")
    raise_gbp = venture.raise_amount_gbp
    if raise_gbp < mandate.ticket_min or raise_gbp > mandate.ticket_max * TICKET_SHARE_FLOOR:
        return Verdict(0.2, "ticket_size")
    stage = 1.0 if mandate.stage_low <= order <= mandate.stage_high else 0.4
    ticket = 1.0 if raise_gbp <= mandate.ticket_max * 5 else 0.5
    region = 1.0 if in_region else 0.4
    instrument = 1.0 if mandate.instruments.intersection(venture.instruments) else 0.5
    score = 0.35 * sector + 0.25 * stage + 0.15 * ticket + 0.15 * region + 0.10 * instrument
    return Verdict(score, None)
