"""The supply–demand gap: where ventures look for money that no mandate offers.

Cells are growth sector (top level) × stage × region (as the venture records it). Demand in a
cell is the currently published ventures in it and the capital they seek; a venture in two
growth sectors counts in both cells. Supply is the active investors whose mandate covers at
least one of the cell's ventures *for that sector* (the rules of `matching.mandate`, asked as
"who could take part in this round", `ticket="part"`), and:

    capacity_gbp = the sum of those investors' largest single ticket (`ticket_max_gbp`),
                   each investor counted once per cell

— the money the cell could raise if every investor in mandate wrote one full ticket. It is an
upper bound on one round's supply, not a fund size. `shortfall_gbp` is capital sought minus
capacity (never below 0); `coverage` is capacity over capital sought. Worst gaps come first:
largest shortfall, then lowest coverage, then most ventures.

"Unserved" ventures are published ventures with no active investor in mandate at all; each
comes with the nearest investors (fewest broken rules, then nearest stage and ticket) and why
they miss.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlmodel import Session, col

from webapp.models import Venture
from webapp.models.enums import Visibility
from webapp.services.common.taxonomy import reference_data
from webapp.services.reports.mandate_coverage import (
    MandateIndex,
    Mask,
    Miss,
    VentureShape,
    cached_mandates,
)
from webapp.services.reports.pipeline_filters import PipelineFilters, venture_conditions

NEAREST = 3


@dataclass
class GapCell:
    """Demand and supply in one cell."""

    sector: str
    stage: str
    region: str | None  # None in the sector × stage heat map, which sums over regions
    ventures: int = 0
    capital_sought_gbp: int = 0
    ventures_without_investor: int = 0
    covering: Mask | None = field(default=None, repr=False)
    investors_in_mandate: int = 0
    capacity_gbp: int = 0

    @property
    def shortfall_gbp(self) -> int:
        """Capital sought beyond one full ticket from every investor in mandate."""
        return max(0, self.capital_sought_gbp - self.capacity_gbp)

    @property
    def coverage(self) -> float:
        """Capacity over capital sought (0 when nobody covers the cell)."""
        return round(self.capacity_gbp / self.capital_sought_gbp, 3)

    def settle(self, mandates: MandateIndex) -> None:
        """Turn the union of covering investors into counts and capacity."""
        assert self.covering is not None
        self.investors_in_mandate = int(self.covering.sum())
        self.capacity_gbp = int(mandates.ticket_max[self.covering].sum())
        self.covering = None

    def as_dict(self) -> dict[str, object]:
        """A cell as `GET /api/v1/pipeline/gaps` returns it."""
        body: dict[str, object] = {
            "sector": self.sector,
            "stage": self.stage,
            "region": self.region,
            "ventures": self.ventures,
            "capital_sought_gbp": self.capital_sought_gbp,
            "investors_in_mandate": self.investors_in_mandate,
            "capacity_gbp": self.capacity_gbp,
            "shortfall_gbp": self.shortfall_gbp,
            "coverage": self.coverage,
            "ventures_without_investor": self.ventures_without_investor,
        }
        if self.region is None:
            del body["region"]
        return body


@dataclass(frozen=True)
class UnservedVenture:
    """A published venture no active investor's mandate covers."""

    id: int
    name: str
    sectors: tuple[str, ...]
    stage: str
    region: str
    raise_amount_gbp: int
    nearest: tuple[Miss, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "venture": {
                "id": self.id,
                "name": self.name,
                "sectors": list(self.sectors),
                "stage": self.stage,
                "region": self.region,
                "raise_amount_gbp": self.raise_amount_gbp,
            },
            "nearest_investors": [
                {
                    "investor": {
                        "id": m.investor_id,
                        "name": m.investor_name,
                        "investor_type": m.investor_type,
                    },
                    "misses": list(m.reasons),
                }
                for m in self.nearest
            ],
        }


@dataclass
class GapReport:
    """Cells worst first, the sector × stage heat map, and the unserved ventures."""

    cells: list[GapCell]
    heatmap: list[GapCell]
    unserved: list[UnservedVenture]
    ventures: int
    investors: int


def _worst_first(cell: GapCell) -> tuple[int, float, int, str, str, str]:
    return (
        -cell.shortfall_gbp,
        cell.coverage,
        -cell.ventures,
        cell.sector,
        cell.stage,
        cell.region or "",
    )


def supply_gaps(*, session: Session, filters: PipelineFilters) -> GapReport:
    """Demand against supply for every cell with published ventures, in one pass."""
    reference = reference_data()
    top_of = {s.code: reference.sector_ancestors(s.code)[-1] for s in reference.sectors}
    mandates = cached_mandates(session=session)
    query = (
        select(
            col(Venture.id),
            col(Venture.name),
            col(Venture.sectors),
            col(Venture.stage),
            col(Venture.region),
            col(Venture.instruments),
            col(Venture.raise_amount_gbp),
            col(Venture.eis),
            col(Venture.seis),
        )
        .where(col(Venture.visibility) == Visibility.PUBLISHED.value)
        .where(*venture_conditions(session, filters, dated=False))
        .order_by(col(Venture.id))
    )
    cells: dict[tuple[str, str, str | None], GapCell] = {}
    unserved: list[UnservedVenture] = []
    count = 0
    for (
        vid,
        name,
        sectors,
        stage,
        region,
        instruments,
        raise_gbp,
        eis,
        seis,
    ) in session.connection().execute(query):
        relief = {"eis": bool(eis), "seis": bool(seis)}
        count += 1
        by_top: dict[str, list[str]] = defaultdict(list)
        for code in sectors:
            by_top[top_of[code]].append(code)
        whole = VentureShape(tuple(sectors), stage, region, tuple(instruments), raise_gbp, **relief)
        if not mandates.covering(whole).any():
            unserved.append(
                UnservedVenture(
                    id=int(vid or 0),
                    name=name,
                    sectors=tuple(sectors),
                    stage=stage,
                    region=region,
                    raise_amount_gbp=raise_gbp,
                    nearest=tuple(mandates.nearest_misses(whole, NEAREST)),
                )
            )
        for top, codes in by_top.items():
            shape = VentureShape(
                tuple(codes), stage, region, tuple(instruments), raise_gbp, **relief
            )
            covering = mandates.covering(shape)
            for key in ((top, stage, region), (top, stage, None)):
                cell = cells.get(key)
                if cell is None:
                    sector, cell_stage, cell_region = key
                    cell = cells[key] = GapCell(
                        sector, cell_stage, cell_region, covering=np.zeros(len(mandates), bool)
                    )
                assert cell.covering is not None
                cell.ventures += 1
                cell.capital_sought_gbp += raise_gbp
                cell.ventures_without_investor += not covering.any()
                cell.covering |= covering
    for cell in cells.values():
        cell.settle(mandates)
    by_region = [c for c in cells.values() if c.region is not None]
    overall = [c for c in cells.values() if c.region is None]
    return GapReport(
        cells=sorted(by_region, key=_worst_first),
        heatmap=sorted(overall, key=_worst_first),
        unserved=sorted(unserved, key=lambda u: (-u.raise_amount_gbp, u.name)),
        ventures=count,
        investors=int(mandates.active.sum()),
    )
