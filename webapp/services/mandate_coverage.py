"""Which investors' mandates cover a venture, computed over every active investor at once.

"In mandate" is the stated mandate, rule by rule (empty lists mean "any"):
- sector: one of the venture's sectors lies within a mandate sector (a parent covers its
  sub-sectors), and none of them lies within an excluded sector;
- stage: the venture's stage is one of the mandate's stages;
- region: the venture's region lies within a mandate region (whether or not the investor marked
  its regions strict: the gap view asks who says they back this place);
- instrument: the venture offers at least one instrument the investor uses;
- ticket: the investor's smallest ticket is no larger than the whole raise.
Each rule is a boolean matrix (investors × codes), so a venture is checked against every investor
with a few vector operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlmodel import Session, col

from seeds.taxonomy import ReferenceData
from webapp.models import InvestorProfile
from webapp.services.taxonomy import reference_data

Mask = NDArray[np.bool_]
RULES = ("sector", "excluded_sector", "stage", "region", "instrument", "ticket")


def format_gbp(amount: float) -> str:
    """£750k, £1.5m: the way people in the market write amounts."""
    if amount >= 1_000_000:
        return f"£{amount / 1_000_000:.1f}m"
    if amount >= 1_000:
        return f"£{amount / 1_000:.0f}k"
    return f"£{amount:.0f}"


@dataclass(frozen=True, slots=True)
class VentureShape:
    """The parts of a venture that mandates are about."""

    sectors: tuple[str, ...]
    stage: str
    region: str
    instruments: tuple[str, ...]
    raise_amount_gbp: int

    @property
    def signature(self) -> tuple[tuple[str, ...], str, str, tuple[str, ...]]:
        """Everything but the amount: ventures sharing it share most of their coverage."""
        return (self.sectors, self.stage, self.region, self.instruments)


@dataclass(frozen=True, slots=True)
class InvestorRow:
    """One active investor's mandate, as loaded."""

    id: int
    name: str
    investor_type: str
    sectors: tuple[str, ...]
    excluded_sectors: tuple[str, ...]
    stages: tuple[str, ...]
    regions: tuple[str, ...]
    instruments: tuple[str, ...]
    ticket_min_gbp: int
    ticket_max_gbp: int
    hq_region: str | None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Miss:
    """An investor near a venture and the rules it breaks, in words."""

    investor_id: int
    investor_name: str
    investor_type: str
    reasons: tuple[str, ...]


def _any_of(matrix: Mask, columns: Sequence[int]) -> Mask:
    """Rows with at least one True among `columns`."""
    return np.asarray(matrix[:, columns].any(axis=1), dtype=bool)


def _index(codes: Iterable[str]) -> dict[str, int]:
    return {code: i for i, code in enumerate(codes)}


class MandateIndex:
    """Every investor's mandate as boolean matrices over the taxonomy codes.

    Inactive investors are kept (their past deals still count for retention) but never cover.
    """

    def __init__(self, investors: Sequence[InvestorRow], reference: ReferenceData) -> None:
        self.reference = reference
        self.investors = list(investors)
        self.sector_at = _index(s.code for s in reference.sectors)
        self.stage_at = _index(s.code for s in reference.stages)
        self.region_at = _index(r.code for r in reference.regions)
        self.instrument_at = _index(i.code for i in reference.instruments)
        n = len(self.investors)
        self.sector = np.zeros((n, len(self.sector_at)), dtype=bool)
        self.excluded = np.zeros((n, len(self.sector_at)), dtype=bool)
        self.stage = np.zeros((n, len(self.stage_at)), dtype=bool)
        self.region = np.zeros((n, len(self.region_at)), dtype=bool)
        self.instrument = np.zeros((n, len(self.instrument_at)), dtype=bool)
        self.ticket_min = np.array([i.ticket_min_gbp for i in self.investors], dtype=np.int64)
        self.ticket_max = np.array([i.ticket_max_gbp for i in self.investors], dtype=np.int64)
        self.ids = np.array([i.id for i in self.investors], dtype=np.int64)
        self.active = np.array([i.active for i in self.investors], dtype=bool)
        self.position = {investor.id: row for row, investor in enumerate(self.investors)}
        for row, investor in enumerate(self.investors):
            self._fill(row, investor)
        self._cache: dict[tuple[tuple[str, ...], str, str, tuple[str, ...]], Mask] = {}

    def _fill(self, row: int, investor: InvestorRow) -> None:
        ref = self.reference
        if investor.sectors:
            for code in investor.sectors:
                for below in ref.sector_descendants(code):
                    self.sector[row, self.sector_at[below]] = True
        else:
            self.sector[row, :] = True
        for code in investor.excluded_sectors:
            for below in ref.sector_descendants(code):
                self.excluded[row, self.sector_at[below]] = True
        if investor.stages:
            for code in investor.stages:
                self.stage[row, self.stage_at[code]] = True
        else:
            self.stage[row, :] = True
        if investor.regions:
            for code in investor.regions:
                for below in ref.region_descendants(code):
                    self.region[row, self.region_at[below]] = True
        else:
            self.region[row, :] = True
        if investor.instruments:
            for code in investor.instruments:
                self.instrument[row, self.instrument_at[code]] = True
        else:
            self.instrument[row, :] = True

    def __len__(self) -> int:
        return len(self.investors)

    @cached_property
    def northern(self) -> Mask:
        """Investors headquartered in the North or naming a Northern region in their mandate."""
        ref = self.reference
        return np.array(
            [
                bool(i.hq_region and ref.is_northern(i.hq_region))
                or any(ref.is_northern(code) for code in i.regions)
                for i in self.investors
            ],
            dtype=bool,
        )

    def rule_masks(self, venture: VentureShape) -> dict[str, Mask]:
        """For each rule, which investors the venture passes."""
        sectors = [self.sector_at[c] for c in venture.sectors]
        instruments = [self.instrument_at[c] for c in venture.instruments]
        return {
            "sector": _any_of(self.sector, sectors),
            "excluded_sector": ~_any_of(self.excluded, sectors),
            "stage": self.stage[:, self.stage_at[venture.stage]],
            "region": self.region[:, self.region_at[venture.region]],
            "instrument": _any_of(self.instrument, instruments),
            "ticket": self.ticket_min <= venture.raise_amount_gbp,
        }

    def covering(self, venture: VentureShape) -> Mask:
        """Investors whose mandate covers the venture."""
        base = self._cache.get(venture.signature)
        if base is None:
            masks = self.rule_masks(venture)
            base = np.logical_and.reduce([masks[r] for r in RULES if r != "ticket"]) & self.active
            self._cache[venture.signature] = base
        return base & (self.ticket_min <= venture.raise_amount_gbp)

    def covering_filter(self, *, sector: str | None, stage: str | None, region: str | None) -> Mask:
        """Investors whose mandate reaches any part of a sector / stage / region filter."""
        ref = self.reference
        mask = self.active.copy()
        if sector:
            codes = [self.sector_at[c] for c in ref.sector_descendants(sector)]
            mask &= _any_of(self.sector, codes) & ~self.excluded[:, self.sector_at[sector]]
        if stage:
            mask &= self.stage[:, self.stage_at[stage]]
        if region:
            codes = [self.region_at[c] for c in ref.region_descendants(region)]
            mask &= _any_of(self.region, codes)
        return mask

    def nearest_misses(self, venture: VentureShape, limit: int = 3) -> list[Miss]:
        """The investors breaking the fewest mandate rules, with the rules they break."""
        if not self.active.any():
            return []
        masks = self.rule_masks(venture)
        broken = np.sum([~masks[r] for r in RULES], axis=0) + len(RULES) * ~self.active
        # Among equally near investors, prefer the closer stage and then the closer ticket.
        stage_gap = self._stage_distance(venture.stage)
        ticket_gap = np.abs(np.log1p(self.ticket_min) - np.log1p(venture.raise_amount_gbp))
        order = np.lexsort((ticket_gap, stage_gap, broken))[: min(limit, int(self.active.sum()))]
        return [
            Miss(
                investor_id=self.investors[i].id,
                investor_name=self.investors[i].name,
                investor_type=self.investors[i].investor_type,
                reasons=tuple(
                    self._say(rule, venture, self.investors[i])
                    for rule in RULES
                    if not masks[rule][i]
                ),
            )
            for i in order
        ]

    def _stage_distance(self, stage: str) -> NDArray[np.int64]:
        order = self.reference.stage_order
        wanted = order[stage]
        distance = np.zeros(len(self), dtype=np.int64)
        for row, investor in enumerate(self.investors):
            if investor.stages:
                distance[row] = min(abs(order[s] - wanted) for s in investor.stages)
        return distance

    def _labels(self, kind: str, codes: Sequence[str], limit: int = 3) -> str:
        ref = self.reference
        lookup: Mapping[str, Any] = {
            "sector": ref.sector_by_code,
            "stage": ref.stage_by_code,
            "region": ref.region_by_code,
            "instrument": {i.code: i for i in ref.instruments},
        }[kind]
        words = [lookup[c].label if c in lookup else c for c in codes[:limit]]
        more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
        return ", ".join(words) + more

    def _say(self, rule: str, venture: VentureShape, investor: InvestorRow) -> str:
        """One sentence a programme manager can act on."""
        if rule == "sector":
            return (
                f"Invests in {self._labels('sector', investor.sectors)}; the venture is in "
                f"{self._labels('sector', venture.sectors)}"
            )
        if rule == "excluded_sector":
            return f"Excludes {self._labels('sector', investor.excluded_sectors)}"
        if rule == "stage":
            return (
                f"Backs {self._labels('stage', investor.stages, 6)}; the venture is at "
                f"{self._labels('stage', [venture.stage])}"
            )
        if rule == "region":
            return (
                f"Invests in {self._labels('region', investor.regions)}; the venture is in "
                f"{self._labels('region', [venture.region])}"
            )
        if rule == "instrument":
            return (
                f"Uses {self._labels('instrument', investor.instruments)}; the venture offers "
                f"{self._labels('instrument', venture.instruments)}"
            )
        return (
            f"Smallest ticket {format_gbp(investor.ticket_min_gbp)} is more than the whole "
            f"{format_gbp(venture.raise_amount_gbp)} raise"
        )


def load_mandates(*, session: Session, reference: ReferenceData | None = None) -> MandateIndex:
    """Every investor's mandate, in one query."""
    query = select(
        col(InvestorProfile.id),
        col(InvestorProfile.name),
        col(InvestorProfile.investor_type),
        col(InvestorProfile.sectors),
        col(InvestorProfile.excluded_sectors),
        col(InvestorProfile.stages),
        col(InvestorProfile.regions),
        col(InvestorProfile.instruments),
        col(InvestorProfile.ticket_min_gbp),
        col(InvestorProfile.ticket_max_gbp),
        col(InvestorProfile.hq_region),
        col(InvestorProfile.active),
    ).order_by(col(InvestorProfile.id))
    rows = [
        InvestorRow(
            id=cast(int, r[0]),
            name=r[1],
            investor_type=r[2],
            sectors=tuple(r[3] or ()),
            excluded_sectors=tuple(r[4] or ()),
            stages=tuple(r[5] or ()),
            regions=tuple(r[6] or ()),
            instruments=tuple(r[7] or ()),
            ticket_min_gbp=r[8],
            ticket_max_gbp=r[9],
            hq_region=r[10],
            active=bool(r[11]),
        )
        for r in session.connection().execute(query).all()
    ]
    return MandateIndex(rows, reference or reference_data())


_CACHE: dict[tuple[str, tuple[Any, ...]], MandateIndex] = {}
_CACHE_SIZE = 4


def cached_mandates(*, session: Session) -> MandateIndex:
    """The mandate index, rebuilt only when an investor profile was added, changed or removed.

    Services bump `updated_at` on every change, so the count, the newest id and the newest update
    time together fingerprint the table; one cheap aggregate replaces a full reload per request.
    """
    fingerprint = tuple(
        session.connection()
        .execute(
            select(
                func.count(),
                func.max(col(InvestorProfile.id)),
                func.max(col(InvestorProfile.updated_at)),
            )
        )
        .one()
    )
    key = (str(session.get_bind().engine.url), fingerprint)
    index = _CACHE.get(key)
    if index is None:
        index = load_mandates(session=session)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = index
    return index
