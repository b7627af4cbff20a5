"""Public regional statistics on university spin-offs, placed on the platform's own regions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Literal

Level = Literal["region", "area"]
EXACT, APPROXIMATE = "exact", "approximate"


def academic_year(year: int) -> str:
    """2018 → "2018/19": HE-BCI years run from August to July."""
    return f"{year}/{(year + 1) % 100:02d}"


@dataclass(frozen=True, slots=True)
class Nuts2Area:
    """A NUTS2 area and where it sits on the platform's map.

    `region` is the ITL1 region (or nation) holding the whole area: every NUTS2 area nests in
    exactly one, so adding areas up to ITL1 is exact. `area` is the finest platform region the
    area matches (the ITL1 region itself outside the North); `fit` says whether the two cover the
    same ground, and `note` says how they differ when they don't.
    """

    code: str
    name: str
    itl1_name: str
    northern: bool
    region: str
    area: str
    fit: str
    note: str

    @property
    def approximate(self) -> bool:
        """The area's boundary differs from the platform area it is counted in."""
        return self.fit == APPROXIMATE


@dataclass(frozen=True, slots=True)
class SpinoffFigures:
    """One NUTS2 area in one academic year; None where HESA published no figure."""

    year: int
    nuts2_code: str
    nuts_version: int
    investment_gbp: int | None
    turnover_gbp: int | None
    graduate_startups: int | None


@dataclass(frozen=True, slots=True)
class Totals:
    """Figures added up over the NUTS2 areas in one place and year.

    A sum is None when any area in it has no published figure (a partial sum would understate
    the place), or when no NUTS2 area maps to the place at all.
    """

    investment_gbp: int | None
    turnover_gbp: int | None
    graduate_startups: int | None
    approximate: bool = False


MEASURES: tuple[str, ...] = ("investment_gbp", "turnover_gbp", "graduate_startups")
NO_FIGURES = Totals(None, None, None)


def _add_up(rows: Iterable[SpinoffFigures], approximate: bool) -> Totals:
    found = list(rows)
    if not found:
        return Totals(None, None, None, approximate)
    sums: dict[str, int | None] = {}
    for measure in MEASURES:
        values = [getattr(row, measure) for row in found]
        sums[measure] = None if any(v is None for v in values) else sum(values)
    return Totals(**sums, approximate=approximate)


@dataclass(frozen=True)
class RegionalStatistics:
    """The HESA HE-BCI spin-off figures by NUTS2 area, and the map onto the platform's regions."""

    source: str
    areas: tuple[Nuts2Area, ...]
    figures: tuple[SpinoffFigures, ...]

    @property
    def credit(self) -> str:
        """The attribution the licence asks for, shown wherever the figures are."""
        return f"Source: {self.source}"

    def describe(self) -> str:
        """One line saying what the files hold, for checks and start-up logs."""
        return (
            f"{len(self.figures)} rows of spin-off figures for {len(self.areas)} NUTS2 areas, "
            f"{academic_year(self.years[0])} to {academic_year(self.latest_year)} ({self.credit})"
        )

    @cached_property
    def area_by_code(self) -> Mapping[str, Nuts2Area]:
        """NUTS2 areas keyed by code."""
        return MappingProxyType({a.code: a for a in self.areas})

    @cached_property
    def years(self) -> tuple[int, ...]:
        """Academic years with figures, oldest first."""
        return tuple(sorted({f.year for f in self.figures}))

    @property
    def latest_year(self) -> int:
        """The newest academic year with figures."""
        return self.years[-1]

    def _totals(self, level: Level) -> Mapping[str, Mapping[int, Totals]]:
        def place(area: Nuts2Area) -> str:
            return area.region if level == "region" else area.area

        grouped: dict[str, dict[int, list[SpinoffFigures]]] = {}
        for row in self.figures:
            code = place(self.area_by_code[row.nuts2_code])
            grouped.setdefault(code, {}).setdefault(row.year, []).append(row)
        # Only the finer mapping can be approximate: every NUTS2 area nests inside one ITL1.
        approximate = {
            code: level == "area" and any(a.approximate for a in self.areas_in(level, code))
            for code in grouped
        }
        return MappingProxyType(
            {
                code: MappingProxyType(
                    {year: _add_up(by_year.get(year, ()), approximate[code]) for year in self.years}
                )
                for code, by_year in grouped.items()
            }
        )

    @cached_property
    def by_region(self) -> Mapping[str, Mapping[int, Totals]]:
        """ITL1 region code → year → totals: exact, since NUTS2 areas nest inside ITL1."""
        return self._totals("region")

    @cached_property
    def by_area(self) -> Mapping[str, Mapping[int, Totals]]:
        """Finest platform area → year → totals; `approximate` where a boundary differs."""
        return self._totals("area")

    def totals(self, level: Level, code: str, year: int) -> Totals:
        """One place's totals for one year (all None when no NUTS2 area maps to it)."""
        table = self.by_region if level == "region" else self.by_area
        return table.get(code, {}).get(year, NO_FIGURES)

    def uk_totals(self, year: int, *, northern: bool | None = None) -> Totals:
        """Totals over every NUTS2 area (or only the northern ones, or only the others)."""
        rows = [
            row
            for row in self.figures
            if row.year == year
            and (northern is None or self.area_by_code[row.nuts2_code].northern == northern)
        ]
        return _add_up(rows, False)

    def uk_by_year(self, *, northern: bool | None = None) -> Mapping[int, Totals]:
        """`uk_totals` for every year, oldest first."""
        return MappingProxyType({y: self.uk_totals(y, northern=northern) for y in self.years})

    def areas_in(self, level: Level, code: str) -> tuple[Nuts2Area, ...]:
        """The NUTS2 areas counted in a platform region (level "region") or area."""
        return tuple(a for a in self.areas if (a.region if level == "region" else a.area) == code)
