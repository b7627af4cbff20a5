"""Turn the taxonomy CSV files into a validated `ReferenceData`, cross-checking files."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from reference.taxonomy.csvfile import Row, read_rows
from reference.taxonomy.model import (
    Institution,
    Instrument,
    InvestorType,
    ReferenceData,
    Region,
    Sector,
    Stage,
)

DEFAULT_DIRECTORY = Path(__file__).resolve().parent

SECTORS_HEADER = ("code", "label", "parent")
STAGES_HEADER = ("code", "label", "order", "description")
INSTRUMENTS_HEADER = ("code", "label", "description")
INVESTOR_TYPES_HEADER = ("code", "label")
REGIONS_HEADER = ("code", "label", "parent", "northern")
INSTITUTIONS_HEADER = ("code", "label", "region", "research_intensive")


def load_reference_data(directory: Path | None = None) -> ReferenceData:
    """Load every taxonomy; the packaged files are read once per process and then cached."""
    if directory is None:
        return _load_packaged()
    return _load(directory)


@cache
def _load_packaged() -> ReferenceData:
    return _load(DEFAULT_DIRECTORY)


def _load(directory: Path) -> ReferenceData:
    sectors = _sectors(read_rows(directory / "sectors.csv", SECTORS_HEADER))
    stages = _stages(read_rows(directory / "stages.csv", STAGES_HEADER))
    instruments = tuple(
        Instrument(row.code(), row.text("label"), row.text("description"))
        for row in read_rows(directory / "instruments.csv", INSTRUMENTS_HEADER)
    )
    investor_types = tuple(
        InvestorType(row.code(), row.text("label"))
        for row in read_rows(directory / "investor_types.csv", INVESTOR_TYPES_HEADER)
    )
    regions = _regions(read_rows(directory / "regions.csv", REGIONS_HEADER))
    region_codes = {region.code for region in regions}
    institutions = _institutions(
        read_rows(directory / "institutions.csv", INSTITUTIONS_HEADER), region_codes
    )
    return ReferenceData(
        sectors=sectors,
        stages=stages,
        instruments=instruments,
        investor_types=investor_types,
        regions=regions,
        institutions=institutions,
    )


def _sectors(rows: list[Row]) -> tuple[Sector, ...]:
    sectors = tuple(
        Sector(row.code(), row.text("label"), row.optional_code("parent")) for row in rows
    )
    _check_tree(rows, [(s.code, s.parent) for s in sectors])
    return sectors


def _stages(rows: list[Row]) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    first_seen: dict[int, int] = {}
    for row in rows:
        order = row.integer("order")
        if order in first_seen:
            raise row.fail(f"duplicate order {order} (first used on line {first_seen[order]})")
        first_seen[order] = row.line
        stages.append(Stage(row.code(), row.text("label"), order, row.text("description")))
    return tuple(sorted(stages, key=lambda stage: stage.order))


def _regions(rows: list[Row]) -> tuple[Region, ...]:
    regions = tuple(
        Region(row.code(), row.text("label"), row.optional_code("parent"), row.boolean("northern"))
        for row in rows
    )
    _check_tree(rows, [(r.code, r.parent) for r in regions])
    northern = {r.code for r in regions if r.northern}
    for row, region in zip(rows, regions, strict=True):
        if region.parent in northern and not region.northern:
            raise row.fail(
                f"region {region.code!r} lies inside northern region {region.parent!r} "
                "so it must be northern=true"
            )
    return regions


def _institutions(rows: list[Row], region_codes: set[str]) -> tuple[Institution, ...]:
    institutions: list[Institution] = []
    for row in rows:
        region = row.code("region")
        if region not in region_codes:
            raise row.fail(f"region {region!r} is not a code in regions.csv")
        institutions.append(
            Institution(row.code(), row.text("label"), region, row.boolean("research_intensive"))
        )
    return tuple(institutions)


def _check_tree(rows: Sequence[Row], edges: Sequence[tuple[str, str | None]]) -> None:
    """Reject parents that are not defined in the same file, and any loop of parents."""
    parents = dict(edges)
    for row, (code, parent) in zip(rows, edges, strict=True):
        if parent is not None and parent not in parents:
            raise row.fail(f"parent {parent!r} of {code!r} is not defined in this file")
    for row, (code, _) in zip(rows, edges, strict=True):
        path = [code]
        parent = parents[code]
        while parent is not None:
            if parent in path:
                loop = " -> ".join([*path[path.index(parent) :], parent])
                raise row.fail(f"parent cycle: {loop}")
            path.append(parent)
            parent = parents[parent]
