"""Read the regional statistics strictly: a bad file stops the load naming file, line and fault.

The checks guard the figures' meaning, not only their syntax: every NUTS2 area is placed on the
platform's map exactly once, a northern area lands in a northern region, one academic year uses
one boundary set, and no area has two sets of figures for a year.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from reference.regional.model import (
    APPROXIMATE,
    EXACT,
    Nuts2Area,
    RegionalStatistics,
    SpinoffFigures,
)
from reference.taxonomy import ReferenceData, TaxonomyError, load_reference_data
from reference.taxonomy.csvfile import Row, read_rows, source_of

DEFAULT_DIRECTORY = Path(__file__).resolve().parent
AREAS_FILE = "nuts2_regions.csv"
MAPPING_FILE = "nuts2_to_platform.csv"
FIGURES_FILE = "hesa_spinoffs_by_nuts2.csv"

AREAS_HEADER = ("nuts2_code", "name", "itl1_region", "northern")
MAPPING_HEADER = ("nuts2_code", "region", "area", "fit", "note")
FIGURES_HEADER = (
    "year",
    "nuts2_code",
    "nuts_version",
    "spinoff_investment_gbp",
    "spinoff_turnover_gbp",
    "active_graduate_startups",
)
NUTS2_PATTERN = re.compile(r"^UK[A-N][0-9]$")
NUTS_VERSIONS = frozenset({2010, 2013, 2016, 2021})  # the NUTS revisions UK figures use
FIRST_YEAR, LAST_YEAR = 1994, 2100  # HESA began collecting in 1994/95
_YES_NO = {"yes": True, "no": False}


def load_regional_statistics(
    directory: Path | None = None, reference: ReferenceData | None = None
) -> RegionalStatistics:
    """Load and check the files; the packaged ones are read once per process and then cached."""
    if directory is None and reference is None:
        return _load_packaged()
    return _load(directory or DEFAULT_DIRECTORY, reference or load_reference_data())


@cache
def _load_packaged() -> RegionalStatistics:
    return _load(DEFAULT_DIRECTORY, load_reference_data())


def _load(directory: Path, reference: ReferenceData) -> RegionalStatistics:
    areas_path = directory / AREAS_FILE
    names = _areas(read_rows(areas_path, AREAS_HEADER, key=None))
    mapping = _mapping(read_rows(directory / MAPPING_FILE, MAPPING_HEADER, key=None), reference)
    areas = []
    for code, (line, name, itl1_name, northern) in names.items():
        if code not in mapping:
            raise TaxonomyError(
                areas_path, line, f"{code} is not placed on the platform's map in {MAPPING_FILE}"
            )
        mapped = mapping[code]
        if mapped.region_is_northern != northern:
            raise mapped.row.fail(
                f"{code} is {'' if northern else 'not '}northern in {AREAS_FILE} (line {line}) "
                f"but region {mapped.region!r} is {'' if mapped.region_is_northern else 'not '}"
                "northern in the taxonomy"
            )
        areas.append(
            Nuts2Area(
                code, name, itl1_name, northern, mapped.region, mapped.area, mapped.fit, mapped.note
            )
        )
    for code, mapped in mapping.items():
        if code not in names:
            raise mapped.row.fail(f"{code} is not a NUTS2 area in {AREAS_FILE}")
    _check_itl1_consistent(areas, mapping)
    figures_path = directory / FIGURES_FILE
    figures = _figures(read_rows(figures_path, FIGURES_HEADER, key=None), set(names))
    return RegionalStatistics(
        source=source_of(figures_path), areas=tuple(areas), figures=tuple(figures)
    )


def _nuts2(row: Row, field: str = "nuts2_code") -> str:
    value = row.values[field]
    if not NUTS2_PATTERN.fullmatch(value):
        raise row.fail(f"{field} {value!r} is not a UK NUTS2 code (UK, a letter, a digit: UKC1)")
    return value


def _areas(rows: list[Row]) -> dict[str, tuple[int, str, str, bool]]:
    found: dict[str, tuple[int, str, str, bool]] = {}
    for row in rows:
        code = _nuts2(row)
        if code in found:
            raise row.fail(f"duplicate NUTS2 code {code!r} (first on line {found[code][0]})")
        northern = row.values["northern"]
        if northern not in _YES_NO:
            raise row.fail(f"northern {northern!r} is not yes or no")
        found[code] = (row.line, row.text("name"), row.text("itl1_region"), _YES_NO[northern])
    return found


class _Mapped:
    """One line of the mapping file, checked against the taxonomy."""

    def __init__(self, row: Row, reference: ReferenceData) -> None:
        self.row = row
        itl1 = {r.code for r in reference.itl1_regions}
        self.region = row.code("region")
        if self.region not in itl1:
            raise row.fail(
                f"region {self.region!r} is not an ITL1 region or nation in regions.csv "
                f"(one of {', '.join(sorted(itl1))})"
            )
        self.area = row.code("area")
        if self.area not in reference.region_codes:
            raise row.fail(f"area {self.area!r} is not a code in regions.csv")
        if not reference.region_is_within(self.area, self.region):
            raise row.fail(f"area {self.area!r} does not lie within region {self.region!r}")
        self.fit = row.values["fit"]
        if self.fit not in (EXACT, APPROXIMATE):
            raise row.fail(f"fit {self.fit!r} is not {EXACT} or {APPROXIMATE}")
        self.note = row.values["note"]
        if self.fit == APPROXIMATE and not self.note:
            raise row.fail("an approximate fit needs a note saying how the boundaries differ")
        self.region_is_northern = reference.is_northern(self.region)


def _mapping(rows: list[Row], reference: ReferenceData) -> dict[str, _Mapped]:
    found: dict[str, _Mapped] = {}
    for row in rows:
        code = _nuts2(row)
        if code in found:
            raise row.fail(f"{code} is mapped twice (first on line {found[code].row.line})")
        found[code] = _Mapped(row, reference)
    return found


def _check_itl1_consistent(areas: list[Nuts2Area], mapping: dict[str, _Mapped]) -> None:
    """Areas that the public file puts in one ITL1 region must map to one platform region."""
    first: dict[str, Nuts2Area] = {}
    for area in areas:
        seen = first.setdefault(area.itl1_name, area)
        if seen.region != area.region:
            raise mapping[area.code].row.fail(
                f"{area.code} is in {area.itl1_name} (per {AREAS_FILE}) and is mapped to "
                f"{area.region!r}, but {seen.code} in the same region is mapped to "
                f"{seen.region!r} (line {mapping[seen.code].row.line})"
            )


def _count(row: Row, field: str) -> int | None:
    """A whole, non-negative number; empty means HESA published no figure."""
    value = row.values[field]
    if not value:
        return None
    if not value.isascii() or not value.isdecimal():
        raise row.fail(f"{field} {value!r} is not a whole number of 0 or more (or empty)")
    return int(value)


def _figures(rows: list[Row], known: set[str]) -> list[SpinoffFigures]:
    found: list[SpinoffFigures] = []
    first_line: dict[tuple[int, str], int] = {}
    version_of_year: dict[int, tuple[int, int]] = {}
    for row in rows:
        raw_year = row.values["year"]
        if not (raw_year.isascii() and raw_year.isdecimal()) or not (
            FIRST_YEAR <= int(raw_year) <= LAST_YEAR
        ):
            raise row.fail(
                f"year {raw_year!r} is not an academic year from {FIRST_YEAR} to {LAST_YEAR}"
            )
        year = int(raw_year)
        code = _nuts2(row)
        if code not in known:
            raise row.fail(f"nuts2_code {code!r} is not a NUTS2 area in {AREAS_FILE}")
        raw_version = row.values["nuts_version"]
        version = int(raw_version) if raw_version.isascii() and raw_version.isdecimal() else 0
        if version not in NUTS_VERSIONS:
            raise row.fail(
                f"nuts_version {raw_version!r} is not a NUTS revision "
                f"({', '.join(map(str, sorted(NUTS_VERSIONS)))})"
            )
        seen_version, seen_line = version_of_year.setdefault(year, (version, row.line))
        if seen_version != version:
            raise row.fail(
                f"{year} mixes boundary sets: nuts_version {version} here, "
                f"{seen_version} on line {seen_line}"
            )
        if (year, code) in first_line:
            raise row.fail(
                f"a second set of figures for {code} in {year} "
                f"(first on line {first_line[(year, code)]})"
            )
        first_line[(year, code)] = row.line
        found.append(
            SpinoffFigures(
                year=year,
                nuts2_code=code,
                nuts_version=version,
                investment_gbp=_count(row, "spinoff_investment_gbp"),
                turnover_gbp=_count(row, "spinoff_turnover_gbp"),
                graduate_startups=_count(row, "active_graduate_startups"),
            )
        )
    return found
