"""The open observatory: the platform's figures by region, growth sector and stage, safe for
anyone to read, beside the public spin-off statistics.

The cohort is the pipeline's: every venture ever published (still listed or since closed), all
programmes. Figures come from `platform` (the dashboard's own counting). Before release, small
counts are withheld by the evidence export's rule and complements are withheld by `disclosure`,
so no venture can be worked out from the cells, the totals or the subtotal for the North. Every
count is a count of ventures, so a single venture with five deals can't pass the threshold on
its own. Money, shares and medians resting on a withheld count are withheld with it. The
document carries no names: only region, sector and stage codes with their labels.

It is recomputed when the pipeline changes (`pipeline_cache`), so the page and the feed always
show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from reference.regional import RegionalStatistics, Totals, academic_year
from webapp.services.common.taxonomy import reference_data
from webapp.services.reports.evidence import SUPPRESSED, SUPPRESSION_THRESHOLD
from webapp.services.reports.pipeline import growth_sector_memberships
from webapp.services.reports.pipeline_cache import cached
from webapp.services.reports.pipeline_filters import PipelineFilters
from webapp.services.reports.pipeline_progress import load_progress
from webapp.services.reports.regional.disclosure import Relation, withhold_counts
from webapp.services.reports.regional.platform import (
    NORTH,
    NORTH_LABEL,
    REST,
    REST_LABEL,
    TOTAL,
    TOTAL_LABEL,
    PlatformFigures,
    by_itl1_region,
    by_stage,
    every_venture,
    figures_by,
    matched_in_mandate,
    north_or_rest,
)
from webapp.services.reports.regional.statistics import (
    COUNTRY_ONLY,
    PUBLIC_COLUMNS,
    NorthShare,
    north_shares,
    public_csv_cells,
    public_csv_header,
    regional_statistics,
)
from webapp.services.reports.retention import share_of

PLATFORM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ventures", "Ventures seeking finance: published on the platform, still listed or closed"),
    ("capital_sought_gbp", "The sum of their raises, whole GBP"),
    (
        "matched_in_mandate",
        "Of those, ventures whose ranked matches include at least one active investor whose "
        "stated mandate covers them (sector, stage, region, instrument and ticket)",
    ),
    ("share_matched_in_mandate", "matched_in_mandate as a share of ventures (0 to 1)"),
    ("introduced", "Of those, ventures introduced to at least one investor"),
    ("invested", "Of those, ventures with at least one deal invested"),
    ("capital_invested_gbp", "The sum invested through those deals, whole GBP"),
    (
        "median_days_to_first_introduction",
        "Median days from publishing to the first introduction request, over ventures introduced",
    ),
)
COUNT_COLUMNS = ("ventures", "matched_in_mandate", "introduced", "invested")
# A value resting on counts: withheld whenever any of them is.
RESTS_ON: dict[str, tuple[str, ...]] = {
    "capital_sought_gbp": ("ventures",),
    "share_matched_in_mandate": ("ventures", "matched_in_mandate"),
    "capital_invested_gbp": ("invested",),
    "median_days_to_first_introduction": ("introduced",),
}
SUPPRESSION_RULE = (
    f"A count from 1 to {SUPPRESSION_THRESHOLD - 1} ventures is withheld (the evidence export's "
    "rule). Where a withheld count could be worked out from a total or from the other rows, "
    "the smallest other non-zero count is withheld too. Money, shares and medians resting on a "
    f"withheld count go with it. Withheld values are null in JSON and {SUPPRESSED} in CSV."
)


@dataclass(frozen=True)
class ObservatoryRow:
    """One published row: values by column name; None where withheld (named in `withheld`) or
    where no value exists (a share of no ventures, a median of none)."""

    breakdown: str  # all, north, rest, region, sector or stage
    code: str
    label: str
    northern: bool | None
    values: Mapping[str, int | float | None]
    withheld: tuple[str, ...]
    public: Mapping[int, Totals] | None  # the public statistics by year, for places only

    def as_dict(self) -> dict[str, Any]:
        """A row of the JSON feed."""
        body: dict[str, Any] = {"code": self.code, "label": self.label}
        if self.northern is not None:
            body["northern"] = self.northern
        body.update({name: self.values[name] for name, _ in PLATFORM_COLUMNS})
        body["withheld"] = list(self.withheld)
        return body


@dataclass(frozen=True)
class Observatory:
    """Everything the page and the feed publish."""

    total: ObservatoryRow
    north: ObservatoryRow
    rest: ObservatoryRow
    by_region: tuple[ObservatoryRow, ...]
    by_sector: tuple[ObservatoryRow, ...]
    by_stage: tuple[ObservatoryRow, ...]
    north_shares: tuple[NorthShare, ...]
    statistics: RegionalStatistics

    @property
    def rows(self) -> Iterator[ObservatoryRow]:
        """Every published row, in the order of the CSV."""
        yield self.total
        yield self.north
        yield self.rest
        yield from self.by_region
        yield from self.by_sector
        yield from self.by_stage

    @property
    def north_share_of_ventures(self) -> float | None:
        """The North's share of the platform's ventures, from published cells only."""
        return _published_share(self.north, self.total, "ventures")

    @property
    def north_share_of_capital_sought(self) -> float | None:
        """The North's share of the capital sought on the platform, from published cells only."""
        return _published_share(self.north, self.total, "capital_sought_gbp")

    def as_dict(self) -> dict[str, Any]:
        """The body of `GET /api/v1/observatory`."""
        statistics = self.statistics
        latest = self.north_shares[-1] if self.north_shares else None
        return {
            "platform": {
                "cohort": "Every venture published on the platform (still listed or since "
                "closed), whichever programme it is in",
                "columns": [{"name": n, "description": d} for n, d in PLATFORM_COLUMNS],
                "total": self.total.as_dict(),
                "north": self.north.as_dict(),
                "rest": self.rest.as_dict(),
                "by_region": [row.as_dict() for row in self.by_region],
                "by_sector": [row.as_dict() for row in self.by_sector],
                "by_stage": [row.as_dict() for row in self.by_stage],
            },
            "north": {
                "platform_share_of_ventures": self.north_share_of_ventures,
                "platform_share_of_capital_sought": self.north_share_of_capital_sought,
                "public_share_of_spinoff_investment": latest.share if latest else None,
                "public_year": latest.year if latest else None,
            },
            "suppression": {"threshold": SUPPRESSION_THRESHOLD, "rule": SUPPRESSION_RULE},
            "public_statistics": {
                "source": statistics.credit,
                "about": "HESA HE-BCI survey by university location, added up from NUTS2 areas "
                "to ITL1 regions (exact). Reference figures: never part of the platform's counts.",
                "columns": [{"name": n, "description": d} for n, _, d in PUBLIC_COLUMNS],
                "years": [{"year": y, "academic_year": academic_year(y)} for y in statistics.years],
                "north_share": [
                    {
                        "year": s.year,
                        "academic_year": academic_year(s.year),
                        "north_spinoff_investment_gbp": s.north_gbp,
                        "uk_spinoff_investment_gbp": s.uk_gbp,
                        "share": s.share,
                    }
                    for s in self.north_shares
                ],
                "by_region": [
                    {
                        "code": row.code,
                        "label": row.label,
                        "northern": row.northern,
                        "years": _public_years(row.public),
                    }
                    for row in (self.total, self.north, self.rest, *self.by_region)
                    if row.public is not None
                ],
            },
        }


def _published_share(part: ObservatoryRow, whole: ObservatoryRow, column: str) -> float | None:
    numerator, denominator = part.values[column], whole.values[column]
    if numerator is None or denominator is None:
        return None
    return share_of(int(numerator), int(denominator))


def _public_years(public: Mapping[int, Totals] | None) -> list[dict[str, Any]]:
    if public is None:
        return []
    return [
        {
            "year": year,
            "academic_year": academic_year(year),
            "spinoff_investment_gbp": totals.investment_gbp,
            "spinoff_turnover_gbp": totals.turnover_gbp,
            "active_graduate_startups": totals.graduate_startups,
        }
        for year, totals in public.items()
    ]


def observatory(*, session: Session) -> Observatory:
    """The published figures, recomputed only when the pipeline's data changes."""
    return cached(session, ("observatory",), lambda: compute_observatory(session))


def _with_dependants(hidden_counts: set[str]) -> set[str]:
    """The columns withheld in a row: its withheld counts and everything resting on them."""
    hidden = set(hidden_counts)
    hidden.update(c for c, basis in RESTS_ON.items() if any(b in hidden_counts for b in basis))
    return hidden


def _row(
    breakdown: str,
    figures: PlatformFigures,
    hidden_counts: set[str],
    northern: bool | None = None,
    public: Mapping[int, Totals] | None = None,
) -> ObservatoryRow:
    hidden = _with_dependants(hidden_counts)
    values: dict[str, int | float | None] = {
        name: None if name in hidden else getattr(figures, name) for name, _ in PLATFORM_COLUMNS
    }
    return ObservatoryRow(
        breakdown=breakdown,
        code=figures.code,
        label=figures.label,
        northern=northern,
        values=values,
        withheld=tuple(name for name, _ in PLATFORM_COLUMNS if name in hidden),
        public=public,
    )


def compute_observatory(session: Session) -> Observatory:
    """Count, withhold and assemble (see the module docstring)."""
    reference = reference_data()
    statistics = regional_statistics()
    filters = PipelineFilters()
    progress = load_progress(session=session, filters=filters)
    matched = matched_in_mandate(session=session, progress=progress, filters=filters)

    # Every row, zero rows included, keyed "<breakdown>:<code>" ("all", "north" and "rest").
    cells: dict[str, PlatformFigures] = {}

    def add(breakdown: str, found: Mapping[str, PlatformFigures], codes: Iterable[str],
            labels: Mapping[str, str]) -> list[str]:  # fmt: skip
        keys = []
        for code in codes:
            key = code if breakdown == "" else f"{breakdown}:{code}"
            cells[key] = found.get(code) or PlatformFigures(code, labels[code])
            keys.append(key)
        return keys

    labels = {TOTAL: TOTAL_LABEL, NORTH: NORTH_LABEL, REST: REST_LABEL}
    add("", figures_by(progress, every_venture(progress, TOTAL), labels, matched), [TOTAL], labels)
    found = figures_by(progress, north_or_rest(progress), labels, matched)
    add("", found, [NORTH, REST], labels)
    labels = {r.code: r.label for r in reference.regions} | COUNTRY_ONLY
    found = figures_by(progress, by_itl1_region(progress), labels, matched)
    itl1 = [r.code for r in reference.itl1_regions]
    regions = add("region", found, itl1 + [c for c in found if c not in itl1], labels)
    labels = {s.code: s.label for s in reference.sectors}
    found = figures_by(progress, growth_sector_memberships(progress), labels, matched)
    sectors = add("sector", found, [s.code for s in reference.sectors if s.parent is None], labels)
    labels = {s.code: s.label for s in reference.stages}
    found = figures_by(progress, by_stage(progress), labels, matched)
    stages = add("stage", found, [s.code for s in reference.stages], labels)

    def northern(key: str) -> bool:
        code = cells[key].code
        return code == NORTH or (code in reference.region_codes and reference.is_northern(code))

    # What adds up to what. Sectors overlap (a venture in two counts in both), which only makes
    # their relation more cautious than it needs to be.
    relations = [
        Relation(TOTAL, (NORTH, REST)),
        Relation(NORTH, tuple(key for key in regions if northern(key))),
        Relation(REST, tuple(key for key in regions if not northern(key))),
        Relation(TOTAL, tuple(sectors)),
        Relation(TOTAL, tuple(stages)),
    ]
    withheld = {
        column: withhold_counts({k: getattr(v, column) for k, v in cells.items()}, relations)
        for column in COUNT_COLUMNS
    }

    def row(breakdown: str, key: str, public: Mapping[int, Totals] | None = None) -> ObservatoryRow:
        hidden = {column for column in COUNT_COLUMNS if key in withheld[column]}
        place = breakdown in ("region", "north", "rest")
        return _row(breakdown, cells[key], hidden, northern(key) if place else None, public)

    return Observatory(
        total=row("all", TOTAL, statistics.uk_by_year()),
        north=row("north", NORTH, statistics.uk_by_year(northern=True)),
        rest=row("rest", REST, statistics.uk_by_year(northern=False)),
        by_region=tuple(
            row("region", key, statistics.by_region.get(cells[key].code)) for key in regions
        ),
        by_sector=tuple(row("sector", key) for key in sectors),
        by_stage=tuple(row("stage", key) for key in stages),
        north_shares=north_shares(statistics),
        statistics=statistics,
    )


def observatory_csv_header(statistics: RegionalStatistics) -> list[str]:
    """The CSV's columns: the row, the platform's figures, then public figures per year."""
    platform = [name for name, _ in PLATFORM_COLUMNS]
    return ["breakdown", "code", "label", "northern", *platform, *public_csv_header(statistics)]


def observatory_csv_rows(found: Observatory) -> Iterator[list[object]]:
    """One line per published row: withheld values hold the confidentiality marker, values that
    don't exist (a share of no ventures, a median of none) are empty."""
    for row in found.rows:
        platform = [
            SUPPRESSED if n in row.withheld else ("" if row.values[n] is None else row.values[n])
            for n, _ in PLATFORM_COLUMNS
        ]
        northern = "" if row.northern is None else ("true" if row.northern else "false")
        public = public_csv_cells(found.statistics, row.public)
        yield [row.breakdown, row.code, row.label, northern, *platform, *public]
