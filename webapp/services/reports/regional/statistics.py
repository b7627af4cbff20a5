"""The public regional statistics (`reference/regional/`) for the app, checked before use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reference.regional import RegionalStatistics, Totals, load_regional_statistics
from webapp.services.common.taxonomy import reference_data
from webapp.services.reports.retention import share_of

# Region codes above ITL1, as a row label: a venture that named only the country.
COUNTRY_ONLY = {"uk": "United Kingdom, no region given", "england": "England, no region given"}
# (column, attribute of `Totals`, meaning) of the public figures.
PUBLIC_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (
        "spinoff_investment_gbp",
        "investment_gbp",
        "External investment in the universities' spin-off activities, £",
    ),
    ("spinoff_turnover_gbp", "turnover_gbp", "Turnover of those spin-off activities, £"),
    (
        "active_graduate_startups",
        "graduate_startups",
        "Active start-ups founded by the universities' graduates",
    ),
)


def regional_statistics() -> RegionalStatistics:
    """The HESA spin-off figures and their map onto the regions, loaded once per process."""
    return load_regional_statistics()


def check_reference_data() -> str:
    """Load every reference file now, so a bad one stops a deploy step rather than a page.

    Raises `reference.taxonomy.TaxonomyError` naming the file, line and fault; returns a line saying
    what was loaded.
    """
    reference = reference_data()
    statistics = regional_statistics()
    return (
        f"reference data ok: {len(reference.sectors)} sectors, {len(reference.regions)} "
        f"regions; {statistics.describe()}"
    )


@dataclass(frozen=True)
class NorthShare:
    """The North's share of UK spin-off investment in one academic year."""

    year: int
    north_gbp: int | None
    uk_gbp: int | None

    @property
    def share(self) -> float | None:
        """North over UK; None when a figure is missing."""
        if self.north_gbp is None or not self.uk_gbp:
            return None
        return share_of(self.north_gbp, self.uk_gbp)


def north_shares(statistics: RegionalStatistics) -> tuple[NorthShare, ...]:
    """The North's share of UK spin-off investment, year by year."""
    return tuple(
        NorthShare(
            year,
            statistics.uk_totals(year, northern=True).investment_gbp,
            statistics.uk_totals(year).investment_gbp,
        )
        for year in statistics.years
    )


def public_csv_header(statistics: RegionalStatistics) -> list[str]:
    """`spinoff_investment_gbp_2014`, …: one column per public figure and academic year."""
    return [f"{name}_{year}" for year in statistics.years for name, _, _ in PUBLIC_COLUMNS]


def public_csv_cells(
    statistics: RegionalStatistics, public: Mapping[int, Totals] | None
) -> list[object]:
    """A place's public figures in the order of `public_csv_header` (empty where none)."""
    cells: list[object] = []
    for year in statistics.years:
        totals = public.get(year) if public is not None else None
        for _, attribute, _ in PUBLIC_COLUMNS:
            value = None if totals is None else getattr(totals, attribute)
            cells.append("" if value is None else value)
    return cells
