"""The code lists matching is handed (sectors, stages, regions, instruments, institutions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.errors import InputError


class Hierarchy:
    """A code tree flattened into arrays, so features can gather by integer index."""

    def __init__(self, kind: str, parent_of: Mapping[str, str | None]) -> None:
        self.kind = kind
        self.codes: tuple[str, ...] = tuple(sorted(parent_of))
        self.index: dict[str, int] = {code: i for i, code in enumerate(self.codes)}
        parent = np.full(len(self.codes), -1, dtype=np.int64)
        for code, up in parent_of.items():
            if up is None:
                continue
            if up not in self.index:
                raise InputError(
                    f"taxonomy {kind}_parent: parent {up!r} of {code!r} is not itself a {kind} code"
                )
            parent[self.index[code]] = self.index[up]
        self.parent: npt.NDArray[np.int64] = parent
        self.chains: tuple[tuple[int, ...], ...] = tuple(
            self._chain(i) for i in range(len(self.codes))
        )
        self.depth: npt.NDArray[np.int64] = np.array([len(c) - 1 for c in self.chains], np.int64)
        self.top: npt.NDArray[np.int64] = np.array(
            [c[-1] for c in self.chains] or [], dtype=np.int64
        )

    def __len__(self) -> int:
        return len(self.codes)

    def _chain(self, start: int) -> tuple[int, ...]:
        chain = [start]
        while self.parent[chain[-1]] >= 0:
            nxt = int(self.parent[chain[-1]])
            if nxt in chain:
                raise InputError(
                    f"taxonomy {self.kind}_parent: cycle through {self.codes[start]!r}"
                )
            chain.append(nxt)
        return tuple(chain)

    def lookup(self, field_name: str, code: str) -> int:
        """Index of a code, or an error naming the field, the value and some accepted codes."""
        try:
            return self.index[code]
        except (KeyError, TypeError):
            examples = ", ".join(repr(c) for c in self.codes[:5])
            raise InputError(
                f"{field_name}: unknown {self.kind} code {code!r}; expected one of the "
                f"{len(self.codes)} taxonomy {self.kind} codes (e.g. {examples})"
            ) from None

    def is_within(self, code: int, ancestor: int) -> bool:
        """True when `code` is `ancestor` or lies below it in the tree."""
        return ancestor in self.chains[code]

    @cached_property
    def below(self) -> npt.NDArray[np.bool_]:
        """below[a, d] is True when d is a or a descendant of a (a mandate on a covers d)."""
        out = np.zeros((len(self.codes), len(self.codes)), dtype=np.bool_)
        for d, chain in enumerate(self.chains):
            out[list(chain), d] = True
        return out

    @cached_property
    def similarity(self) -> npt.NDArray[np.float32]:
        """similarity[v, m]: how well mandate code m covers venture code v (1 = inside it)."""
        n = len(self.codes)
        sim = np.zeros((n, n), dtype=np.float32)
        for v, vchain in enumerate(self.chains):
            for m, mchain in enumerate(self.chains):
                if m in vchain:
                    sim[v, m] = 1.0  # the mandate names this code or a broader one
                elif v in mchain:
                    sim[v, m] = 0.7  # the venture is broader than a narrow mandate
                elif self.parent[v] >= 0 and self.parent[v] == self.parent[m]:
                    sim[v, m] = 0.6  # siblings under one parent
                elif vchain[-1] == mchain[-1]:
                    sim[v, m] = 0.4  # same top-level family
        return sim


@dataclass(frozen=True)
class Taxonomy:
    """Category hierarchy, stage order and region tree; matching itself knows no codes."""

    sector_parent: Mapping[str, str | None]
    stage_order: Sequence[str]
    region_parent: Mapping[str, str | None]
    northern_regions: frozenset[str] = frozenset()
    instruments: Sequence[str] = ()
    institution_region: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)  # optional: code → words

    def label(self, code: str) -> str:
        """Human words for a code, for explanations; falls back to the code itself."""
        return self.labels.get(code) or code.replace("_", " ")

    @cached_property
    def sectors(self) -> Hierarchy:
        """Sector codes as a tree."""
        return Hierarchy("sector", self.sector_parent)

    @cached_property
    def regions(self) -> Hierarchy:
        """Region codes as a tree (a nation or "UK" contains its regions)."""
        return Hierarchy("region", self.region_parent)

    @cached_property
    def stage_index(self) -> dict[str, int]:
        """Stage code to its ordinal, earliest first."""
        return {code: i for i, code in enumerate(self.stage_order)}

    @cached_property
    def instrument_index(self) -> dict[str, int]:
        """Instrument code to column."""
        return {code: i for i, code in enumerate(self.instruments)}

    @cached_property
    def institution_codes(self) -> tuple[str, ...]:
        """Institution codes in a fixed order."""
        return tuple(sorted(self.institution_region))

    @cached_property
    def institution_index(self) -> dict[str, int]:
        """Institution code to column."""
        return {code: i for i, code in enumerate(self.institution_codes)}

    def validate(self) -> Taxonomy:
        """Check the trees and cross-references once, before any record is read."""
        if len(self.sectors) == 0:
            raise InputError("taxonomy sector_parent: empty; at least one sector code is needed")
        if len(self.regions) == 0:
            raise InputError("taxonomy region_parent: empty; at least one region code is needed")
        if not self.stage_order:
            raise InputError("taxonomy stage_order: empty; at least one stage code is needed")
        if len(set(self.stage_order)) != len(self.stage_order):
            raise InputError("taxonomy stage_order: a stage code appears twice")
        if len(set(self.instruments)) != len(self.instruments):
            raise InputError("taxonomy instruments: an instrument code appears twice")
        for code in self.northern_regions:
            self.regions.lookup("taxonomy northern_regions", code)
        for inst, region in self.institution_region.items():
            self.regions.lookup(f"taxonomy institution_region[{inst!r}]", region)
        return self

    def stage(self, field_name: str, code: str) -> int:
        """Ordinal of a stage code, or an error naming the field."""
        try:
            return self.stage_index[code]
        except (KeyError, TypeError):
            raise InputError(
                f"{field_name}: unknown stage code {code!r}; expected one of "
                f"{', '.join(repr(s) for s in self.stage_order)}"
            ) from None

    def instrument(self, field_name: str, code: str) -> int:
        """Column of an instrument code, or an error naming the field."""
        try:
            return self.instrument_index[code]
        except (KeyError, TypeError):
            raise InputError(
                f"{field_name}: unknown instrument code {code!r}; expected one of "
                f"{', '.join(repr(s) for s in self.instruments)}"
            ) from None

    def institution(self, field_name: str, code: str) -> int:
        """Column of an institution code, or an error naming the field."""
        try:
            return self.institution_index[code]
        except (KeyError, TypeError):
            examples = ", ".join(repr(c) for c in self.institution_codes[:5])
            raise InputError(
                f"{field_name}: unknown institution code {code!r}; expected one of the "
                f"{len(self.institution_codes)} taxonomy institutions (e.g. {examples})"
            ) from None

    def is_northern(self, region: str) -> bool:
        """True when a region lies inside any northern region."""
        tree = self.regions
        chain = tree.chains[tree.lookup("region", region)]
        return any(tree.codes[i] in self.northern_regions for i in chain)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form, stored inside model artefacts."""
        return {
            "sector_parent": dict(self.sector_parent),
            "stage_order": list(self.stage_order),
            "region_parent": dict(self.region_parent),
            "northern_regions": sorted(self.northern_regions),
            "instruments": list(self.instruments),
            "institution_region": dict(self.institution_region),
            "labels": dict(self.labels),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Inverse of `to_dict`."""
        return cls(
            sector_parent=dict(data["sector_parent"]),
            stage_order=tuple(data["stage_order"]),
            region_parent=dict(data["region_parent"]),
            northern_regions=frozenset(data.get("northern_regions", ())),
            instruments=tuple(data.get("instruments", ())),
            institution_region=dict(data.get("institution_region", {})),
            labels=dict(data.get("labels", {})),
        ).validate()
