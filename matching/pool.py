"""Investor-side tables prepared once, and venture-side keys, so pair features are gathers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matching.config import FeatureConfig
from matching.frames import HistoryFrame, InvestorFrame, VentureFrame, widen_slots
from matching.taxonomy import Taxonomy
from matching.text import TextVectoriser
from matching.track_record import TrackRecord, size_band

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# Dense thesis matrices above this many cells stay sparse (memory over speed).
_DENSE_TEXT_CELLS = 40_000_000


def _with_pad_rows(
    table: npt.NDArray[Any], pad: float | bool, none: float | bool
) -> npt.NDArray[Any]:
    """Append two rows: `pad` for unused sector slots, `none` for a venture with no sectors."""
    extra = np.empty((2, table.shape[1]), dtype=table.dtype)
    extra[0], extra[1] = pad, none
    return np.ascontiguousarray(np.vstack([table, extra]))


@dataclass(frozen=True, eq=False)
class InvestorPool:
    """Everything about a set of investors that scoring needs; build once, score many times."""

    frame: InvestorFrame
    history: HistoryFrame
    vectoriser: TextVectoriser  # the pool only works with the model whose vectoriser built it
    track: TrackRecord
    sector_fit: F32  # (sectors + 2) × investors
    sector_excluded: B  # (sectors + 2) × investors
    sector_lift: F32  # (sectors + 2) × investors
    stage_fit: F32  # stages × investors
    region_fit: F32  # regions × investors
    region_barred: B  # regions × investors: outside a strict mandate
    log_ticket_min: F32
    log_ticket_max: F32
    instruments: F32  # instruments × investors
    instruments_any: B
    tax_relief: F32  # 4 × investors, row = 2·eis + seis of the venture
    institution: F32  # (institutions + 1) × investors, last row = no institution
    thesis: F32 | sparse.csr_matrix  # vocabulary × investors

    def __len__(self) -> int:
        return len(self.frame)

    @classmethod
    def build(
        cls,
        frame: InvestorFrame,
        history: HistoryFrame,
        vectoriser: TextVectoriser,
        config: FeatureConfig,
        as_of: dt.date | None = None,
    ) -> InvestorPool:
        """Precompute mandate coverage per code and the track record of each investor."""
        tax = frame.taxonomy
        track = TrackRecord.build(history, frame, tax, config, as_of)
        thesis = sparse.csr_matrix(vectoriser.transform(frame.theses).T, dtype=np.float32)
        dense_text = thesis.shape[0] * thesis.shape[1] <= _DENSE_TEXT_CELLS
        region_fit, region_barred = _region_fit(frame, tax)
        return cls(
            frame=frame,
            history=history,
            vectoriser=vectoriser,
            track=track,
            sector_fit=_with_pad_rows(_sector_fit(frame, tax, config), -np.inf, 0.5),
            sector_excluded=_with_pad_rows(_sector_excluded(frame, tax), False, False),
            sector_lift=_with_pad_rows(track.sector_lift, -np.inf, 0.0),
            stage_fit=_stage_fit(frame, tax, config),
            region_fit=region_fit,
            region_barred=region_barred,
            log_ticket_min=np.log10(frame.ticket_min).astype(np.float32),
            log_ticket_max=np.log10(frame.ticket_max).astype(np.float32),
            instruments=np.ascontiguousarray(frame.instruments.T, dtype=np.float32),
            instruments_any=np.asarray(~frame.instruments.any(axis=1), dtype=np.bool_),
            tax_relief=_tax_relief(frame),
            institution=_institution(frame),
            thesis=np.ascontiguousarray(thesis.toarray()) if dense_text else thesis,
        )

    def take(self, cols: I64) -> InvestorPool:
        """These investors only (pool positions, ascending): their columns of every table.

        Each pair's features are computed cell by cell, so a sub-pool's scores equal the
        same columns of the whole pool's bit for bit.
        """
        cols = np.asarray(cols, dtype=np.int64)
        if len(cols) > 1 and bool((np.diff(cols) <= 0).any()):
            raise ValueError("InvestorPool.take: positions must be ascending and distinct")

        def pick(table: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.ascontiguousarray(table[:, cols])

        thesis = self.thesis
        return InvestorPool(
            frame=self.frame.take(cols),
            history=self.history,
            vectoriser=self.vectoriser,
            track=self.track.take(cols),
            sector_fit=pick(self.sector_fit),
            sector_excluded=pick(self.sector_excluded),
            sector_lift=pick(self.sector_lift),
            stage_fit=pick(self.stage_fit),
            region_fit=pick(self.region_fit),
            region_barred=pick(self.region_barred),
            log_ticket_min=self.log_ticket_min[cols],
            log_ticket_max=self.log_ticket_max[cols],
            instruments=pick(self.instruments),
            instruments_any=self.instruments_any[cols],
            tax_relief=pick(self.tax_relief),
            institution=pick(self.institution),
            thesis=sparse.csr_matrix(thesis[:, cols]) if sparse.issparse(thesis) else pick(thesis),
        )


def _sector_fit(frame: InvestorFrame, tax: Taxonomy, config: FeatureConfig) -> F32:
    sim = tax.sectors.similarity  # venture code × mandate code
    out = np.full((len(tax.sectors), len(frame)), config.generalist_fit, dtype=np.float32)
    matrix = frame.sectors
    for i in range(len(frame)):
        codes = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]
        if len(codes):
            out[:, i] = sim[:, codes].max(axis=1)
    return out


def _sector_excluded(frame: InvestorFrame, tax: Taxonomy) -> B:
    below = sparse.csr_matrix(tax.sectors.below.astype(np.float32))
    return np.ascontiguousarray((frame.excluded_sectors @ below).toarray().T > 0)


def _stage_fit(frame: InvestorFrame, tax: Taxonomy, config: FeatureConfig) -> F32:
    n = len(tax.stage_order)
    order = np.arange(n)
    out = np.ones((n, len(frame)), dtype=np.float32)
    for i in range(len(frame)):
        listed = np.flatnonzero(frame.stages[i])
        if len(listed):
            steps = np.abs(order[:, None] - listed[None, :]).min(axis=1)
            out[:, i] = np.clip(1.0 - steps / config.stage_steps_to_zero, 0.0, 1.0)
    return out


def _region_fit(frame: InvestorFrame, tax: Taxonomy) -> tuple[F32, B]:
    below = sparse.csr_matrix(tax.regions.below.astype(np.float32))
    inside = (frame.regions @ below).toarray().T > 0  # regions × investors
    open_to_all = np.diff(frame.regions.indptr) == 0
    inside[:, open_to_all] = True
    # Outside the mandate but in the same top-level area (e.g. same nation) still half-fits.
    top = tax.regions.top
    named_tops = sparse.csr_matrix(
        (np.ones(frame.regions.nnz, np.float32), top[frame.regions.indices], frame.regions.indptr),
        shape=frame.regions.shape,
    )
    same_top = (named_tops.toarray().T > 0)[top]
    fit = np.where(inside, 1.0, np.where(same_top, 0.4, 0.0)).astype(np.float32)
    barred = ~inside & frame.regions_strict[None, :]
    return np.ascontiguousarray(fit), np.ascontiguousarray(barred)


def _tax_relief(frame: InvestorFrame) -> F32:
    out = np.empty((4, len(frame)), dtype=np.float32)
    wants = frame.eis | frame.seis
    for code in range(4):
        eis, seis = bool(code & 2), bool(code & 1)
        meets = (frame.eis & eis) | (frame.seis & seis)
        out[code] = np.where(wants, meets.astype(np.float32), 0.5)
    return out


def _institution(frame: InvestorFrame) -> F32:
    prefs = frame.institutions.T.astype(np.float32)  # institutions × investors
    has_pref = np.asarray(frame.institutions.any(axis=1), dtype=np.bool_)
    table = np.where(has_pref[None, :], prefs, 0.5)
    none_row = np.where(has_pref, 0.0, 0.5)[None, :]
    return np.ascontiguousarray(np.vstack([table, none_row]), dtype=np.float32)


@dataclass(frozen=True, eq=False)
class VentureSide:
    """Venture keys into the investor tables, plus the text vectors of the summaries."""

    frame: VentureFrame
    sector_slots: I64  # padded with the pad row; no sectors → the "none" row
    family_slots: I64
    stage: I64
    region: I64
    region_broad: I64
    log_raise: F32
    band: I64
    tax_code: I64
    institution: I64
    instruments: F32
    text: sparse.csr_matrix

    @classmethod
    def build(
        cls,
        frame: VentureFrame,
        vectoriser: TextVectoriser,
        text: sparse.csr_matrix | None = None,
    ) -> VentureSide:
        """Derive gather keys for every venture once per call. `text`: the summaries' vectors
        when the caller holds them already (the same vectoriser's rows for the same texts)."""
        tax = frame.taxonomy
        n_sectors = len(tax.sectors)
        raw = frame.sector_slots
        slots = np.where(raw >= 0, raw, n_sectors)
        slots[:, 0] = np.where(raw[:, 0] >= 0, slots[:, 0], n_sectors + 1)
        family = np.where(raw >= 0, tax.sectors.top[np.maximum(raw, 0)], slots)
        parent = tax.regions.parent[frame.region]
        institution = np.where(
            frame.institution >= 0, frame.institution, len(tax.institution_codes)
        )
        return cls(
            frame=frame,
            sector_slots=slots,
            family_slots=family,
            stage=frame.stage,
            region=frame.region,
            region_broad=np.where(parent >= 0, parent, frame.region),
            log_raise=np.log10(frame.raise_gbp).astype(np.float32),
            band=size_band(frame.raise_gbp),
            tax_code=frame.eis.astype(np.int64) * 2 + frame.seis.astype(np.int64),
            institution=institution,
            instruments=frame.instruments.astype(np.float32),
            text=vectoriser.transform(frame.summaries) if text is None else text,
        )

    def take(self, rows: I64) -> VentureSide:
        """These rows only: keys copied, not derived again (so they score bit for bit alike)."""
        frame = self.frame.take(rows)
        width = frame.sector_slots.shape[1]  # the slots past it are padding only
        return VentureSide(
            frame=frame,
            sector_slots=self.sector_slots[rows][:, :width],
            family_slots=self.family_slots[rows][:, :width],
            stage=self.stage[rows],
            region=self.region[rows],
            region_broad=self.region_broad[rows],
            log_raise=self.log_raise[rows],
            band=self.band[rows],
            tax_code=self.tax_code[rows],
            institution=self.institution[rows],
            instruments=self.instruments[rows],
            text=sparse.csr_matrix(self.text[rows]),
        )

    @classmethod
    def concat(cls, sides: Sequence[VentureSide]) -> VentureSide:
        """Sides of one model, one after another: the side `build` makes of their ventures
        together, without packing records or embedding summaries again."""
        frame = VentureFrame.concat([s.frame for s in sides])
        width, pad = frame.sector_slots.shape[1], len(frame.taxonomy.sectors)
        return cls(
            frame=frame,
            sector_slots=np.vstack([widen_slots(s.sector_slots, width, pad) for s in sides]),
            family_slots=np.vstack([widen_slots(s.family_slots, width, pad) for s in sides]),
            stage=np.concatenate([s.stage for s in sides]),
            region=np.concatenate([s.region for s in sides]),
            region_broad=np.concatenate([s.region_broad for s in sides]),
            log_raise=np.concatenate([s.log_raise for s in sides]),
            band=np.concatenate([s.band for s in sides]),
            tax_code=np.concatenate([s.tax_code for s in sides]),
            institution=np.concatenate([s.institution for s in sides]),
            instruments=np.vstack([s.instruments for s in sides]),
            text=sparse.csr_matrix(sparse.vstack([s.text for s in sides], format="csr")),
        )


def ticket_distance(log_raise: F32 | float, log_min: F32 | float, log_max: F32 | float) -> F32:
    """Decades (log10 units) by which a raise falls outside a ticket range; 0 inside."""
    below = np.maximum(np.subtract(log_min, log_raise), 0.0)
    above = np.maximum(np.subtract(log_raise, log_max), 0.0)
    return np.asarray(below + above, dtype=np.float32)
