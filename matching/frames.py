"""Columnar frames of ventures, investors and deal history: id↔row mappings live here only."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matching.errors import InputError
from matching.records import DealRecord, InvestorRecord, VentureRecord, coerce_all
from matching.taxonomy import Taxonomy

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

VentureInput = Sequence[VentureRecord | Mapping[str, Any]]
InvestorInput = Sequence[InvestorRecord | Mapping[str, Any]]
DealInput = Sequence[DealRecord | Mapping[str, Any]]


def _id_index(kind: str, ids: Iterable[int]) -> tuple[IntArray, dict[int, int]]:
    array = np.fromiter(ids, dtype=np.int64)
    index = {int(v): i for i, v in enumerate(array)}
    if len(index) != len(array):
        values, counts = np.unique(array, return_counts=True)
        raise InputError(f"{kind}: id {int(values[counts > 1][0])} appears more than once")
    return array, index


def _codes_matrix(rows: Sequence[Sequence[int]], width: int) -> sparse.csr_matrix:
    indptr = np.cumsum([0, *(len(r) for r in rows)], dtype=np.int64)
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float32)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _flags(rows: Sequence[Sequence[int]], width: int) -> BoolArray:
    out = np.zeros((len(rows), width), dtype=np.bool_)
    for i, cols in enumerate(rows):
        out[i, list(cols)] = True
    return out


def _money(kind: str, rid: int, name: str, value: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{kind} {rid}: {name} {value!r} is not a whole number of pounds")
    if value <= 0:
        raise InputError(f"{kind} {rid}: {name} {value!r} must be a positive amount of pounds")
    return float(value)


class _Frame:
    """Shared id lookup for the frames."""

    kind = "record"
    ids: IntArray
    index: dict[int, int]

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, record_id: int) -> int:
        """Row of an id, or an error naming it."""
        try:
            return self.index[int(record_id)]
        except KeyError:
            raise InputError(f"{self.kind}: no record with id {record_id}") from None

    def positions(self, record_ids: Iterable[int]) -> IntArray:
        """Rows of many ids, in order."""
        return np.fromiter((self.position(i) for i in record_ids), dtype=np.int64)


def venture_text(record: VentureRecord) -> str:
    """A venture's text the thesis is compared with: its name and summary."""
    return f"{record.name}. {record.summary}"


@dataclass(frozen=True, eq=False)
class VentureFrame(_Frame):
    """Ventures as arrays; `records` keeps the originals for explanations and hints."""

    taxonomy: Taxonomy
    records: tuple[VentureRecord, ...]
    ids: IntArray
    index: dict[int, int]
    sectors: sparse.csr_matrix  # rows × sector codes, 1 where listed
    sector_slots: IntArray  # rows × max sectors, padded with -1, for gathers
    stage: IntArray
    raise_gbp: FloatArray
    instruments: BoolArray
    region: IntArray
    institution: IntArray  # -1 when none
    spinout: BoolArray
    eis: BoolArray
    seis: BoolArray
    kind = "ventures"

    @classmethod
    def from_records(cls, items: VentureInput, taxonomy: Taxonomy) -> VentureFrame:
        """Validate and pack ventures; unknown codes and bad amounts raise `InputError`."""
        records = tuple(coerce_all(VentureRecord, items))
        if not records:
            raise InputError("ventures: empty; at least one venture is needed")
        ids, index = _id_index("ventures", (r.id for r in records))
        sec, ins, stage, raise_gbp, region, inst = [], [], [], [], [], []
        for r in records:
            where = f"venture {r.id}"
            sec.append([taxonomy.sectors.lookup(f"{where} sectors", c) for c in r.sectors])
            ins.append([taxonomy.instrument(f"{where} instruments", c) for c in r.instruments])
            stage.append(taxonomy.stage(f"{where} stage", r.stage))
            raise_gbp.append(_money("venture", r.id, "raise_amount_gbp", r.raise_amount_gbp))
            region.append(taxonomy.regions.lookup(f"{where} region", r.region))
            inst.append(
                -1
                if r.institution is None
                else taxonomy.institution(f"{where} institution", r.institution)
            )
        width = max(1, *(len(s) for s in sec))
        slots = np.full((len(records), width), -1, dtype=np.int64)
        for i, s in enumerate(sec):
            slots[i, : len(s)] = s
        return cls(
            taxonomy=taxonomy,
            records=records,
            ids=ids,
            index=index,
            sectors=_codes_matrix(sec, len(taxonomy.sectors)),
            sector_slots=slots,
            stage=np.array(stage, dtype=np.int64),
            raise_gbp=np.array(raise_gbp, dtype=np.float64),
            instruments=_flags(ins, len(taxonomy.instruments)),
            region=np.array(region, dtype=np.int64),
            institution=np.array(inst, dtype=np.int64),
            spinout=np.array([r.spinout for r in records], dtype=np.bool_),
            eis=np.array([r.eis for r in records], dtype=np.bool_),
            seis=np.array([r.seis for r in records], dtype=np.bool_),
        )

    @property
    def summaries(self) -> list[str]:
        """Text the thesis is compared with."""
        return [venture_text(r) for r in self.records]

    def take(self, rows: IntArray | slice) -> VentureFrame:
        """A sub-frame (a chunk or a block) sharing the taxonomy."""
        picked = np.arange(len(self))[rows]
        records = tuple(self.records[int(i)] for i in picked)
        width = max(1, int((self.sector_slots[picked] >= 0).sum(axis=1).max(initial=0)))
        return VentureFrame(
            taxonomy=self.taxonomy,
            records=records,
            ids=self.ids[picked],
            index={r.id: i for i, r in enumerate(records)},
            sectors=self.sectors[picked],
            sector_slots=self.sector_slots[picked][:, :width],
            stage=self.stage[picked],
            raise_gbp=self.raise_gbp[picked],
            instruments=self.instruments[picked],
            region=self.region[picked],
            institution=self.institution[picked],
            spinout=self.spinout[picked],
            eis=self.eis[picked],
            seis=self.seis[picked],
        )

    @classmethod
    def concat(cls, frames: Sequence[VentureFrame]) -> VentureFrame:
        """Frames of one taxonomy, one after another: the frame `from_records` makes of all
        their records, without validating and packing them again."""
        if not frames:
            raise InputError("ventures: empty; at least one venture is needed")
        records = tuple(r for f in frames for r in f.records)
        ids, index = _id_index("ventures", (r.id for r in records))
        width = max(f.sector_slots.shape[1] for f in frames)
        slots = [widen_slots(f.sector_slots, width, -1) for f in frames]
        return cls(
            taxonomy=frames[0].taxonomy,
            records=records,
            ids=ids,
            index=index,
            sectors=sparse.vstack([f.sectors for f in frames], format="csr"),
            sector_slots=np.vstack(slots),
            stage=np.concatenate([f.stage for f in frames]),
            raise_gbp=np.concatenate([f.raise_gbp for f in frames]),
            instruments=np.vstack([f.instruments for f in frames]),
            region=np.concatenate([f.region for f in frames]),
            institution=np.concatenate([f.institution for f in frames]),
            spinout=np.concatenate([f.spinout for f in frames]),
            eis=np.concatenate([f.eis for f in frames]),
            seis=np.concatenate([f.seis for f in frames]),
        )


def widen_slots(slots: IntArray, width: int, pad: int) -> IntArray:
    """Slot rows padded on the right to `width` columns."""
    return np.pad(slots, ((0, 0), (0, width - slots.shape[1])), constant_values=pad)


@dataclass(frozen=True, eq=False)
class InvestorFrame(_Frame):
    """Investors as arrays; an empty code list becomes an `*_any` flag."""

    taxonomy: Taxonomy
    records: tuple[InvestorRecord, ...]
    ids: IntArray
    index: dict[int, int]
    sectors: sparse.csr_matrix
    excluded_sectors: sparse.csr_matrix
    stages: BoolArray
    ticket_min: FloatArray
    ticket_max: FloatArray
    regions: sparse.csr_matrix
    regions_strict: BoolArray
    instruments: BoolArray
    eis: BoolArray
    seis: BoolArray
    institutions: BoolArray
    hq_region: IntArray  # -1 when unknown
    kind = "investors"

    @classmethod
    def from_records(cls, items: InvestorInput, taxonomy: Taxonomy) -> InvestorFrame:
        """Validate and pack investors; ticket_min above ticket_max raises `InputError`."""
        records = tuple(coerce_all(InvestorRecord, items))
        if not records:
            raise InputError("investors: empty; at least one investor is needed")
        ids, index = _id_index("investors", (r.id for r in records))
        sec, exc, stg, reg, ins, inst, hq, tmin, tmax = [], [], [], [], [], [], [], [], []
        sectors, regions = taxonomy.sectors, taxonomy.regions
        for r in records:
            where = f"investor {r.id}"
            sec.append([sectors.lookup(f"{where} sectors", c) for c in r.sectors])
            exc.append([sectors.lookup(f"{where} excluded_sectors", c) for c in r.excluded_sectors])
            stg.append([taxonomy.stage(f"{where} stages", c) for c in r.stages])
            reg.append([regions.lookup(f"{where} regions", c) for c in r.regions])
            ins.append([taxonomy.instrument(f"{where} instruments", c) for c in r.instruments])
            inst.append([taxonomy.institution(f"{where} institutions", c) for c in r.institutions])
            hq.append(
                -1 if r.hq_region is None else regions.lookup(f"{where} hq_region", r.hq_region)
            )
            low = _money("investor", r.id, "ticket_min_gbp", r.ticket_min_gbp)
            high = _money("investor", r.id, "ticket_max_gbp", r.ticket_max_gbp)
            if low > high:
                raise InputError(
                    f"investor {r.id}: ticket_min_gbp {r.ticket_min_gbp} is above "
                    f"ticket_max_gbp {r.ticket_max_gbp}; the minimum must not exceed the maximum"
                )
            tmin.append(low)
            tmax.append(high)
        return cls(
            taxonomy=taxonomy,
            records=records,
            ids=ids,
            index=index,
            sectors=_codes_matrix(sec, len(sectors)),
            excluded_sectors=_codes_matrix(exc, len(sectors)),
            stages=_flags(stg, len(taxonomy.stage_order)),
            ticket_min=np.array(tmin, dtype=np.float64),
            ticket_max=np.array(tmax, dtype=np.float64),
            regions=_codes_matrix(reg, len(regions)),
            regions_strict=np.array([r.regions_strict for r in records], dtype=np.bool_),
            instruments=_flags(ins, len(taxonomy.instruments)),
            eis=np.array([r.eis for r in records], dtype=np.bool_),
            seis=np.array([r.seis for r in records], dtype=np.bool_),
            institutions=_flags(inst, len(taxonomy.institution_codes)),
            hq_region=np.array(hq, dtype=np.int64),
        )

    def take(self, rows: IntArray) -> InvestorFrame:
        """A sub-frame of these rows (a few investors scored against many ventures)."""
        records = tuple(self.records[int(i)] for i in rows)
        return InvestorFrame(
            taxonomy=self.taxonomy,
            records=records,
            ids=self.ids[rows],
            index={r.id: i for i, r in enumerate(records)},
            sectors=self.sectors[rows],
            excluded_sectors=self.excluded_sectors[rows],
            stages=self.stages[rows],
            ticket_min=self.ticket_min[rows],
            ticket_max=self.ticket_max[rows],
            regions=self.regions[rows],
            regions_strict=self.regions_strict[rows],
            instruments=self.instruments[rows],
            eis=self.eis[rows],
            seis=self.seis[rows],
            institutions=self.institutions[rows],
            hq_region=self.hq_region[rows],
        )

    @property
    def theses(self) -> list[str]:
        """Text the venture summaries are compared with."""
        return [r.thesis for r in self.records]


@dataclass(frozen=True, eq=False)
class HistoryFrame:
    """Past deals as columns; unknown optional fields are -1 (codes) or NaN (amounts)."""

    investor_id: IntArray
    company: IntArray  # index into `company_keys`
    company_keys: tuple[str, ...]
    venture_id: IntArray  # -1 when the deal is not with a platform venture
    sectors: sparse.csr_matrix
    stage: IntArray
    region: IntArray
    amount_gbp: FloatArray
    day: IntArray  # proleptic Gregorian ordinal of the deal date

    @classmethod
    def from_records(cls, items: DealInput | None, taxonomy: Taxonomy) -> HistoryFrame:
        """Validate and pack deals; an empty history is allowed (no track record yet)."""
        records = coerce_all(DealRecord, items)
        keys: dict[str, int] = {}
        sec, stage, region, amount, venture, day, company = [], [], [], [], [], [], []
        for n, r in enumerate(records):
            where = f"history[{n}] (investor {r.investor_id})"
            sec.append([taxonomy.sectors.lookup(f"{where} sectors", c) for c in r.sectors])
            stage.append(-1 if r.stage is None else taxonomy.stage(f"{where} stage", r.stage))
            region.append(
                -1 if r.region is None else taxonomy.regions.lookup(f"{where} region", r.region)
            )
            amount.append(
                math.nan
                if r.amount_gbp is None
                else _money("deal", r.investor_id, "amount_gbp", r.amount_gbp)
            )
            venture.append(-1 if r.venture_id is None else r.venture_id)
            if not isinstance(r.date, dt.date):
                raise InputError(f"{where} date: {r.date!r} is not a date")
            day.append(r.date.toordinal())
            company.append(keys.setdefault(r.company_key, len(keys)))
        return cls(
            investor_id=np.array([r.investor_id for r in records], dtype=np.int64),
            company=np.array(company, dtype=np.int64),
            company_keys=tuple(keys),
            venture_id=np.array(venture, dtype=np.int64),
            sectors=_codes_matrix(sec, len(taxonomy.sectors)),
            stage=np.array(stage, dtype=np.int64),
            region=np.array(region, dtype=np.int64),
            amount_gbp=np.array(amount, dtype=np.float64),
            day=np.array(day, dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.investor_id)
