"""Typed, immutable records for the reference data, plus the lookups the app and matcher need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

from reference.taxonomy.errors import UnknownCodeError


@dataclass(frozen=True, slots=True)
class Sector:
    """A growth sector (top level) or one of its sub-sectors."""

    code: str
    label: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class Stage:
    """A funding stage; `order` ranks stages from earliest (1) to latest."""

    code: str
    label: str
    order: int
    description: str


@dataclass(frozen=True, slots=True)
class Instrument:
    """A way of putting money into a venture (equity, grant, loan, ...)."""

    code: str
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class InvestorType:
    """A kind of funder, which drives typical ticket sizes and behaviour."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Region:
    """A place in the UK hierarchy; `northern` marks the three Northern regions and their areas."""

    code: str
    label: str
    parent: str | None
    northern: bool


@dataclass(frozen=True, slots=True)
class Institution:
    """A university of the North, placed in its most specific region."""

    code: str
    label: str
    region: str
    research_intensive: bool


def _descendants(parents: Mapping[str, str | None]) -> Mapping[str, frozenset[str]]:
    """Map every code to itself plus everything below it in a parent tree."""
    below: dict[str, set[str]] = {code: {code} for code in parents}
    for code in parents:
        parent = parents[code]
        while parent is not None:
            below[parent].add(code)
            parent = parents[parent]
    return MappingProxyType({code: frozenset(codes) for code, codes in below.items()})


def _ancestors(parents: Mapping[str, str | None]) -> Mapping[str, tuple[str, ...]]:
    """Map every code to its path from itself up to its root."""
    paths: dict[str, tuple[str, ...]] = {}
    for code in parents:
        path = [code]
        parent = parents[code]
        while parent is not None:
            path.append(parent)
            parent = parents[parent]
        paths[code] = tuple(path)
    return MappingProxyType(paths)


@dataclass(frozen=True)
class ReferenceData:
    """Every taxonomy in one validated, immutable bundle with the lookups callers need."""

    sectors: tuple[Sector, ...]
    stages: tuple[Stage, ...]
    instruments: tuple[Instrument, ...]
    investor_types: tuple[InvestorType, ...]
    regions: tuple[Region, ...]
    institutions: tuple[Institution, ...]

    # Code sets, one per kind: what forms and API validation check membership against.
    @cached_property
    def sector_codes(self) -> frozenset[str]:
        """Every sector code, at any depth."""
        return frozenset(s.code for s in self.sectors)

    @cached_property
    def stage_codes(self) -> frozenset[str]:
        """Every stage code."""
        return frozenset(s.code for s in self.stages)

    @cached_property
    def instrument_codes(self) -> frozenset[str]:
        """Every instrument code."""
        return frozenset(i.code for i in self.instruments)

    @cached_property
    def investor_type_codes(self) -> frozenset[str]:
        """Every investor-type code."""
        return frozenset(t.code for t in self.investor_types)

    @cached_property
    def region_codes(self) -> frozenset[str]:
        """Every region code, at any depth."""
        return frozenset(r.code for r in self.regions)

    @cached_property
    def institution_codes(self) -> frozenset[str]:
        """Every institution code."""
        return frozenset(i.code for i in self.institutions)

    # Lookups by code.
    @cached_property
    def sector_by_code(self) -> Mapping[str, Sector]:
        """Sectors keyed by code, for labels and parents."""
        return MappingProxyType({s.code: s for s in self.sectors})

    @cached_property
    def stage_by_code(self) -> Mapping[str, Stage]:
        """Stages keyed by code."""
        return MappingProxyType({s.code: s for s in self.stages})

    @cached_property
    def region_by_code(self) -> Mapping[str, Region]:
        """Regions keyed by code."""
        return MappingProxyType({r.code: r for r in self.regions})

    @cached_property
    def institution_by_code(self) -> Mapping[str, Institution]:
        """Institutions keyed by code."""
        return MappingProxyType({i.code: i for i in self.institutions})

    @cached_property
    def stage_order(self) -> Mapping[str, int]:
        """Stage code to its rank, so stage ranges can be compared as integers."""
        return MappingProxyType({s.code: s.order for s in self.stages})

    @cached_property
    def _sector_below(self) -> Mapping[str, frozenset[str]]:
        return _descendants({s.code: s.parent for s in self.sectors})

    @cached_property
    def _sector_above(self) -> Mapping[str, tuple[str, ...]]:
        return _ancestors({s.code: s.parent for s in self.sectors})

    @cached_property
    def _region_below(self) -> Mapping[str, frozenset[str]]:
        return _descendants({r.code: r.parent for r in self.regions})

    @cached_property
    def _region_above(self) -> Mapping[str, tuple[str, ...]]:
        return _ancestors({r.code: r.parent for r in self.regions})

    # Hierarchy helpers.
    def sector_descendants(self, code: str) -> frozenset[str]:
        """The sector and every sub-sector below it: a mandate for a parent covers its children."""
        try:
            return self._sector_below[code]
        except KeyError:
            raise UnknownCodeError("sector", code) from None

    def sector_ancestors(self, code: str) -> tuple[str, ...]:
        """The path from the sector up to its top-level growth sector (itself first)."""
        try:
            return self._sector_above[code]
        except KeyError:
            raise UnknownCodeError("sector", code) from None

    def region_descendants(self, code: str) -> frozenset[str]:
        """The region and every area inside it, so a regional mandate covers its sub-areas."""
        try:
            return self._region_below[code]
        except KeyError:
            raise UnknownCodeError("region", code) from None

    def region_ancestors(self, code: str) -> tuple[str, ...]:
        """The path from the region up to its root (itself first)."""
        try:
            return self._region_above[code]
        except KeyError:
            raise UnknownCodeError("region", code) from None

    def region_is_within(self, child: str, ancestor: str) -> bool:
        """Whether `child` is `ancestor` or lies inside it."""
        if ancestor not in self._region_below:
            raise UnknownCodeError("region", ancestor)
        return ancestor in self.region_ancestors(child)

    def itl1_region(self, code: str) -> str:
        """The ITL1 region (or nation) a region code lies in; a code above that level is itself.

        ITL1 is the level official statistics publish at: the nine English regions, Scotland,
        Wales and Northern Ireland. `england`, `uk` and `outside_uk` have no ITL1 region.
        """
        path = self.region_ancestors(code)
        return path[-3] if len(path) >= 3 else path[0]

    @cached_property
    def itl1_regions(self) -> tuple[Region, ...]:
        """The ITL1 regions and nations (the nine English regions, Scotland, Wales, NI)."""
        return tuple(
            r
            for r in self.regions
            if len(self.region_ancestors(r.code)) == 3
            or (
                len(self.region_ancestors(r.code)) == 2
                and self.region_descendants(r.code) == {r.code}
            )
        )

    def is_northern(self, region_code: str) -> bool:
        """Whether a region is one of the Northern regions or inside one."""
        try:
            return self.region_by_code[region_code].northern
        except KeyError:
            raise UnknownCodeError("region", region_code) from None
