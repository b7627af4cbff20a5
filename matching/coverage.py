"""Which investors' mandates cover a venture, for the staff gap, coverage and evidence views.

The rules are `matching.mandate`'s, asked as "who could take part in this round?"
(`ticket="part"`: the raise may be above an investor's largest ticket, never below its
smallest). Inactive investors are kept (their past deals still count for retention) but never
cover. A broken rule is worded by `matching.wording`, as in the ranked lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from matching import mandate
from matching.frames import InvestorFrame, VentureFrame
from matching.reasons import mandate_facts
from matching.records import InvestorRecord, VentureRecord
from matching.taxonomy import Taxonomy
from matching.wording import say

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class VentureShape:
    """The parts of a venture that mandates are about."""

    sectors: tuple[str, ...]
    stage: str
    region: str
    instruments: tuple[str, ...]
    raise_amount_gbp: int
    eis: bool = False
    seis: bool = False

    @property
    def signature(self) -> tuple[object, ...]:
        """Everything but the amount: ventures sharing it share most of their coverage."""
        return (self.sectors, self.stage, self.region, self.instruments, self.eis, self.seis)

    def record(self) -> VentureRecord:
        """As the ranker's venture record (ids and names play no part in the rules)."""
        return VentureRecord(
            id=0,
            name="",
            sectors=self.sectors,
            stage=self.stage,
            raise_amount_gbp=max(int(self.raise_amount_gbp), 1),
            instruments=self.instruments,
            region=self.region,
            eis=self.eis,
            seis=self.seis,
        )


@dataclass(frozen=True, slots=True)
class Miss:
    """An investor near a venture and the rules it breaks, in words."""

    investor_id: int
    investor_name: str
    investor_type: str
    reasons: tuple[str, ...]


class Coverage:
    """Every investor's mandate, asked for one venture shape (or a filter) at a time."""

    def __init__(
        self, investors: Sequence[InvestorRecord], active: Sequence[bool], taxonomy: Taxonomy
    ) -> None:
        self.taxonomy = taxonomy
        self.investors = tuple(investors)
        self.frame = InvestorFrame.from_records(self.investors, taxonomy) if investors else None
        self.ids = np.array([i.id for i in self.investors], dtype=np.int64)
        self.active = np.array(list(active), dtype=np.bool_)
        self.ticket_min = np.array([i.ticket_min_gbp for i in self.investors], dtype=np.int64)
        self.ticket_max = np.array([i.ticket_max_gbp for i in self.investors], dtype=np.int64)
        self.position = {investor.id: row for row, investor in enumerate(self.investors)}
        self._cache: dict[tuple[object, ...], Mask] = {}

    def __len__(self) -> int:
        return len(self.investors)

    @cached_property
    def northern(self) -> Mask:
        """Investors headquartered in the North or naming a Northern region in their mandate."""
        tax = self.taxonomy
        return np.array(
            [
                bool(i.hq_region and tax.is_northern(i.hq_region))
                or any(tax.is_northern(code) for code in i.regions)
                for i in self.investors
            ],
            dtype=np.bool_,
        )

    def checks(self, venture: VentureShape) -> mandate.RuleChecks:
        """Every rule of the venture against every investor (1 × investors arrays)."""
        assert self.frame is not None
        frame = VentureFrame.from_records([venture.record()], self.taxonomy)
        return mandate.check(frame, self.frame)

    def covering(self, venture: VentureShape) -> Mask:
        """Active investors that could take part in the venture's round."""
        if self.frame is None:
            return np.zeros(0, dtype=np.bool_)
        base = self._cache.get(venture.signature)
        if base is None:
            base = self.checks(venture).fits("none")[0] & self.active
            self._cache[venture.signature] = base
        return base & (self.ticket_min <= venture.raise_amount_gbp)

    def covering_filter(self, *, sector: str | None, stage: str | None, region: str | None) -> Mask:
        """Active investors whose mandate reaches any part of a sector / stage / region filter."""
        mask = self.active.copy()
        if self.frame is None:
            return mask
        tables = mandate.tables(self.frame)
        tax = self.taxonomy
        if sector:
            at = tax.sectors.index[sector]
            below = np.flatnonzero(tax.sectors.below[at])
            mask &= tables.sector[below].any(axis=0) & ~tables.excluded[at]
        if stage:
            mask &= tables.stage[tax.stage_index[stage]]
        if region:
            below = np.flatnonzero(tax.regions.below[tax.regions.index[region]])
            mask &= tables.region[below].any(axis=0)
        return mask

    def nearest_misses(self, venture: VentureShape, limit: int = 3) -> list[Miss]:
        """The active investors breaking the fewest rules, with the rules they break."""
        if self.frame is None or not self.active.any():
            return []
        checks = self.checks(venture)
        rules = [r for r in mandate.RULES if r != "ticket_max"]  # the "part" question
        broken = np.sum([~checks.passed[r][0] for r in rules], axis=0)
        broken = broken + len(rules) * ~self.active
        stages = self.frame.stages
        wanted = self.taxonomy.stage_index[venture.stage]
        order_ = np.arange(stages.shape[1])
        gap = np.where(stages, np.abs(order_[None, :] - wanted), stages.shape[1]).min(axis=1)
        stage_gap = np.where(stages.any(axis=1), gap, 0)
        ticket_gap = np.abs(np.log1p(self.ticket_min) - np.log1p(venture.raise_amount_gbp))
        picked = np.lexsort((ticket_gap, stage_gap, broken))[: min(limit, int(self.active.sum()))]
        record = venture.record()
        out = []
        for row in picked.tolist():
            investor = self.investors[row]
            codes = dict.fromkeys(
                mandate.REASON_CODE[r] for r in rules if not checks.passed[r][0, row]
            )
            words = tuple(
                say(self.taxonomy, code, "-", mandate_facts(self.taxonomy, code, record, investor))
                for code in codes
            )
            out.append(Miss(investor.id, investor.name, investor.investor_type, words))
        return out
