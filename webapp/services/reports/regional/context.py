"""Regional context for programme staff: the pipeline by region beside the public statistics.

The platform's figures follow the staff filters and programme scope, like every pipeline view,
and are counted by the pipeline's own services: a region's row equals the dashboard filtered to
that region. "Investors in mandate" is the dashboard's `investors` figure for that region: active
investors whose mandate reaches any part of it, under the sector and stage filters. Staff see
every figure, so nothing is withheld here (the public observatory withholds).

The public figures are added up from NUTS2 areas: exactly for ITL1 regions, approximately for
some combined-authority areas (see `reference/regional/README.md`). "Demand relative to the public
baseline" is the capital sought on the platform over the region's spin-off investment in the
latest academic year: it compares scale, not like with like.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sqlmodel import Session

from reference.regional import Nuts2Area, RegionalStatistics, Totals, academic_year
from webapp.services.common.taxonomy import reference_data
from webapp.services.reports.mandate_coverage import cached_mandates
from webapp.services.reports.pipeline_cache import cached
from webapp.services.reports.pipeline_filters import PipelineFilters
from webapp.services.reports.pipeline_progress import load_progress
from webapp.services.reports.regional.platform import (
    NORTH,
    NORTH_LABEL,
    NORTHERN_REGIONS,
    TOTAL,
    TOTAL_LABEL,
    PlatformFigures,
    by_itl1_region,
    by_recorded_region,
    every_venture,
    figures_by,
    matched_in_mandate,
    north_or_rest,
)
from webapp.services.reports.regional.statistics import (
    COUNTRY_ONLY,
    NorthShare,
    north_shares,
    public_csv_cells,
    public_csv_header,
    regional_statistics,
)
from webapp.services.reports.retention import share_of

Level = Literal["region", "area", "country", "north", "all"]

CONTEXT_COLUMNS: tuple[tuple[str, str], ...] = (
    (
        "level",
        "region (ITL1 or nation), area (inside a region), country (no region given), "
        "north (the three northern regions) or all",
    ),
    ("code", "The region code (see GET /api/v1/taxonomy)"),
    ("label", "Its name"),
    ("northern", "true in the North of England"),
    ("ventures", "Ventures published (the pipeline's cohort under the filters)"),
    ("capital_sought_gbp", "The sum of their raises, whole GBP"),
    ("matched_in_mandate", "Ventures matched to at least one active investor in mandate"),
    ("introduced", "Ventures introduced to at least one investor"),
    ("invested", "Ventures with at least one deal invested"),
    ("capital_invested_gbp", "Capital invested through those deals, whole GBP"),
    ("median_days_to_first_introduction", "Median days from publishing to the first request"),
    ("investors_in_mandate", "Active investors whose mandate reaches any part of the place"),
    ("public_fit", "exact, or approximate where the NUTS2 boundaries differ from the area's"),
)


@dataclass(frozen=True)
class PlaceContext:
    """One place: the platform's figures under the filters beside its public statistics."""

    level: Level
    code: str
    label: str
    northern: bool
    figures: PlatformFigures
    investors_in_mandate: int | None
    public: Mapping[int, Totals]
    nuts2: tuple[Nuts2Area, ...]

    @property
    def approximate(self) -> bool:
        """The public figures cover ground that differs from this area's."""
        return any(area.approximate for area in self.nuts2) and self.level == "area"

    @property
    def notes(self) -> tuple[str, ...]:
        """How the NUTS2 areas differ from this area, in words."""
        if self.level != "area":
            return ()
        return tuple(f"{a.name} ({a.code}): {a.note}" for a in self.nuts2 if a.approximate)

    def totals(self, year: int) -> Totals | None:
        """Public totals for a year, None where no NUTS2 area maps to the place."""
        return self.public.get(year)

    def demand_ratio(self, year: int) -> float | None:
        """Pounds sought on the platform for every pound of the place's spin-off investment."""
        totals = self.totals(year)
        if totals is None or not totals.investment_gbp:
            return None
        return round(self.figures.capital_sought_gbp / totals.investment_gbp, 4)

    def ventures_per_100_startups(self, year: int) -> float | None:
        """Ventures on the platform per hundred active graduate start-ups that year."""
        totals = self.totals(year)
        if totals is None or not totals.graduate_startups:
            return None
        return round(100 * self.figures.ventures / totals.graduate_startups, 1)


@dataclass(frozen=True)
class RegionalContext:
    """Every region, its areas, the North and the whole, with the North's public share."""

    places: tuple[PlaceContext, ...]  # each ITL1 region followed by its areas
    north: PlaceContext
    total: PlaceContext
    north_shares: tuple[NorthShare, ...]
    statistics: RegionalStatistics
    filters: PipelineFilters

    @property
    def latest_year(self) -> int:
        """The newest academic year of public figures."""
        return self.statistics.latest_year

    @property
    def latest_label(self) -> str:
        """That year as people write it (2018/19)."""
        return academic_year(self.latest_year)

    @property
    def regions(self) -> tuple[PlaceContext, ...]:
        """The ITL1 regions and nations only."""
        return tuple(p for p in self.places if p.level == "region")

    def demand_ranking(self) -> list[PlaceContext]:
        """Regions by capital sought per pound of public spin-off investment, largest first."""
        year = self.latest_year
        ranked = [p for p in self.regions if p.demand_ratio(year) is not None]
        return sorted(ranked, key=lambda p: (-(p.demand_ratio(year) or 0), p.label))

    def north_share(self, column: str) -> float | None:
        """The North's share of a platform figure under the filters."""
        return share_of(getattr(self.north.figures, column), getattr(self.total.figures, column))

    def rows(self) -> Iterator[PlaceContext]:
        """Every place, then the North and the whole, in the order of the CSV."""
        yield from self.places
        yield self.north
        yield self.total


def regional_context(*, session: Session, filters: PipelineFilters) -> RegionalContext:
    """The staff page's figures for the filtered cohort (reused until the data changes)."""
    return cached(session, ("regional-context", filters), lambda: compute_context(session, filters))


def compute_context(session: Session, filters: PipelineFilters) -> RegionalContext:
    """Count every place through the pipeline's tally, and put the public figures beside."""
    reference = reference_data()
    statistics = regional_statistics()
    progress = load_progress(session=session, filters=filters)
    matched = matched_in_mandate(session=session, progress=progress, filters=filters)
    mandates = cached_mandates(session=session)
    labels = {r.code: r.label for r in reference.regions} | COUNTRY_ONLY
    by_region = figures_by(progress, by_itl1_region(progress), labels, matched)
    by_area = figures_by(progress, by_recorded_region(progress), labels, matched)

    def investors(region: str | None) -> int:
        reach = mandates.covering_filter(sector=filters.sector, stage=filters.stage, region=region)
        return int(reach.sum())

    def place(level: Level, code: str, figures: PlatformFigures | None) -> PlaceContext:
        table = statistics.by_region if level == "region" else statistics.by_area
        return PlaceContext(
            level=level,
            code=code,
            label=labels[code],
            northern=reference.is_northern(code),
            figures=figures or PlatformFigures(code, labels[code]),
            investors_in_mandate=investors(code),
            public=table.get(code, {}),
            nuts2=statistics.areas_in("region" if level == "region" else "area", code),
        )

    places: list[PlaceContext] = []
    itl1 = [r.code for r in reference.itl1_regions]
    for code in itl1:
        places.append(place("region", code, by_region.get(code)))
        for area in reference.regions:
            if area.parent == code:
                places.append(place("area", area.code, by_area.get(area.code)))
    for code, figures in by_region.items():
        if code not in itl1:
            places.append(place("country", code, figures))
    labels |= {NORTH: NORTH_LABEL, TOTAL: TOTAL_LABEL}
    north = figures_by(progress, north_or_rest(progress), labels, matched).get(NORTH)
    total = figures_by(progress, every_venture(progress), labels, matched).get(TOTAL)
    # Investors reaching any part of the North: the union of the three regions' reach.
    reach_north = np.logical_or.reduce(
        [
            mandates.covering_filter(sector=filters.sector, stage=filters.stage, region=code)
            for code in NORTHERN_REGIONS
        ]
    )
    return RegionalContext(
        places=tuple(places),
        north=PlaceContext(
            level="north",
            code=NORTH,
            label=NORTH_LABEL,
            northern=True,
            figures=north or PlatformFigures(NORTH, NORTH_LABEL),
            investors_in_mandate=int(reach_north.sum()),
            public=statistics.uk_by_year(northern=True),
            nuts2=tuple(a for a in statistics.areas if a.northern),
        ),
        total=PlaceContext(
            level="all",
            code=TOTAL,
            label=TOTAL_LABEL,
            northern=False,
            figures=total or PlatformFigures(TOTAL, TOTAL_LABEL),
            investors_in_mandate=investors(filters.region),
            public=statistics.uk_by_year(),
            nuts2=statistics.areas,
        ),
        north_shares=north_shares(statistics),
        statistics=statistics,
        filters=filters,
    )


def context_csv_header(context: RegionalContext) -> list[str]:
    """The staff CSV's columns: the place, its platform figures, then public figures per year."""
    return [name for name, _ in CONTEXT_COLUMNS] + public_csv_header(context.statistics)


def context_csv_rows(context: RegionalContext) -> Iterator[list[object]]:
    """One line per place (regions, their areas, the North, everything)."""
    for place in context.rows():
        f = place.figures
        days = f.median_days_to_first_introduction
        yield [
            place.level,
            place.code,
            place.label,
            "true" if place.northern else "false",
            f.ventures,
            f.capital_sought_gbp,
            f.matched_in_mandate,
            f.introduced,
            f.invested,
            f.capital_invested_gbp,
            "" if days is None else days,
            "" if place.investors_in_mandate is None else place.investors_in_mandate,
            ("approximate" if place.approximate else "exact") if place.public else "",
            *public_csv_cells(context.statistics, place.public),
        ]
