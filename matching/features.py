"""Pair features and hard exclusions, vectorised over a block of ventures × all investors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matching import mandate
from matching.config import FEATURES, INTERACTIONS, FeatureConfig
from matching.pool import InvestorPool, VentureSide, ticket_distance

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
Rows = I64


class PairFeatures:
    """One venture side against one investor pool.

    Two modes share the code: a *block* (venture rows × every investor, `cols=None`) for
    ranking, and *pairs* (equal-length venture rows and investor columns) for training and
    explanations. Venture-side arrays are indexed by rows and broadcast against investor arrays.
    """

    def __init__(self, side: VentureSide, pool: InvestorPool, config: FeatureConfig) -> None:
        self.side = side
        self.pool = pool
        self.config = config
        self._thesis_rows: sparse.csr_matrix | None = None

    # -- helpers that make the two modes look alike ------------------------------------------
    @staticmethod
    def _take(table: npt.NDArray[Any], keys: I64, cols: I64 | None) -> npt.NDArray[Any]:
        return table[keys] if cols is None else table[keys, cols]

    @staticmethod
    def _inv(vector: npt.NDArray[Any], cols: I64 | None) -> npt.NDArray[Any]:
        return vector[None, :] if cols is None else vector[cols]

    @staticmethod
    def _ven(vector: npt.NDArray[Any], cols: I64 | None) -> npt.NDArray[Any]:
        return vector[:, None] if cols is None else vector

    def _slot_max(self, table: F32, slots: I64, cols: I64 | None) -> F32:
        out = np.array(self._take(table, slots[:, 0], cols), dtype=np.float32)
        for j in range(1, slots.shape[1]):
            np.maximum(out, self._take(table, slots[:, j], cols), out=out)
        return out

    def _links(
        self, rows: Rows, universe: bool, values: dict[int, F32] | None = None
    ) -> sparse.csr_matrix:
        """Ventures (rows) × investors that already backed them (pool or whole universe).

        Each link is 1, or its entry in `values` (per venture, aligned with `track.backers`).
        """
        track = self.pool.track
        backers = track.backers_universe if universe else track.backers
        width = track.universe_size if universe else len(self.pool)
        ids = self.side.frame.ids[rows]
        # Vectorised over the block: Python touches only the ventures that have backers (a
        # streamed column over every venture calls this for thousands of rows at a time).
        uniq, inverse = np.unique(ids, return_inverse=True)
        known = np.fromiter(backers.keys(), dtype=np.int64, count=len(backers))
        order = np.argsort(known)
        found = np.zeros(len(uniq), dtype=np.bool_)
        if len(known):
            at = np.minimum(np.searchsorted(known[order], uniq), len(known) - 1)
            found = known[order][at] == uniq
        hits = [int(v) for v in uniq[found]]
        parts = [backers[v] for v in hits]
        sizes = np.zeros(len(uniq), dtype=np.int64)
        sizes[found] = [len(p) for p in parts]
        starts = np.zeros(len(uniq), dtype=np.int64)
        starts[found] = np.cumsum([0, *sizes[found][:-1]], dtype=np.int64) if hits else []
        lengths = sizes[inverse]
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        take = np.repeat(starts[inverse] - indptr[:-1], lengths) + np.arange(indptr[-1])
        flat = np.concatenate(parts) if parts else np.empty(0, np.int64)
        if values is None:
            data = np.ones(len(take), dtype=np.float32)
        else:
            weights = [values[v] for v in hits]
            data = (np.concatenate(weights) if weights else np.empty(0, np.float32))[take]
        shape = (len(ids), width)
        return sparse.csr_matrix((data.astype(np.float32), flat[take], indptr), shape=shape)

    def _pick(self, matrix: sparse.csr_matrix | F32, cols: I64 | None) -> F32:
        """Dense block, or each row's own column in pairs mode."""
        if cols is None:
            if isinstance(matrix, np.ndarray):
                return np.asarray(matrix, dtype=np.float32)
            return np.asarray(matrix.toarray(), dtype=np.float32)
        picked = matrix[np.arange(len(cols)), cols]
        return np.asarray(picked, dtype=np.float32).ravel()

    # -- features ------------------------------------------------------------------------------
    def _base(self, rows: Rows, cols: I64 | None) -> tuple[dict[str, F32], dict[str, F32]]:
        """Features other than interactions (after ablation), and the interactions' gates
        ("seasoned": the venture has earlier backers; "backer": it is one of them) and
        per-investor factors."""
        s, p, c = self.side, self.pool, self.config
        t = p.track
        slots, family = s.sector_slots[rows], s.family_slots[rows]
        overlap, offered = self._instrument_overlap(rows, cols)
        distance = ticket_distance(
            self._ven(s.log_raise[rows], cols),
            self._inv(p.log_ticket_min, cols),
            self._inv(p.log_ticket_max, cols),
        )
        follow_on = self._pick(self._links(rows, universe=False), cols)
        universe = self._links(rows, universe=True)  # every earlier backer, in or out of the pool
        values = {
            "sector_fit": self._slot_max(p.sector_fit, slots, cols),
            "stage_fit": self._take(p.stage_fit, s.stage[rows], cols),
            "ticket_fit": 1.0 - np.minimum(distance / c.ticket_decades_to_zero, 1.0),
            "region_fit": self._take(p.region_fit, s.region[rows], cols),
            "instrument_fit": np.where(
                self._ven(offered, cols) > 0,
                overlap / np.maximum(self._ven(offered, cols), 1.0),
                1.0,
            ),
            "tax_relief_fit": self._take(p.tax_relief, s.tax_code[rows], cols),
            "institution_fit": self._take(p.institution, s.institution[rows], cols),
            "text_similarity": self._text(rows, cols),
            "track_sector": self._slot_max(p.sector_lift, slots, cols),
            "track_sector_family": self._slot_max(p.sector_lift, family, cols),
            "track_stage": self._take(t.stage_lift, s.stage[rows], cols),
            "track_region": self._take(t.region_lift, s.region[rows], cols),
            "track_region_broad": self._take(t.region_lift, s.region_broad[rows], cols),
            "track_size": self._take(t.size_lift, s.band[rows], cols),
            # First rounds count only for ventures it has not backed: a follow-on is no debut.
            "activity_first": (1.0 - follow_on) * self._inv(t.activity_first, cols),
            "follow_on": follow_on,
            "follow_on_latest": self._pick(self._links(rows, False, t.backer_latest), cols),
            "co_investors": np.log1p(self._pick(universe @ t.co_invest, cols)),
        }
        for name in c.disabled:  # ablation studies (before interactions: they scale these)
            if name in values:
                values[name] = np.zeros_like(values[name])
        seasoned = np.asarray(universe.getnnz(axis=1) > 0, dtype=np.float32)
        extra = {
            "seasoned": self._ven(seasoned, cols),
            "backer": follow_on,
            "deal_count": self._inv(np.log1p(t.deal_count).astype(np.float32), cols),
            "last_active": self._inv(t.last_active, cols),
        }
        return values, extra

    def compute(self, rows: Rows, cols: I64 | None = None) -> dict[str, F32]:
        """Every feature for the block `rows` × all investors, or for the pairs (rows, cols)."""
        values, extra = self._base(rows, cols)
        shape = np.broadcast_shapes(values["follow_on"].shape, extra["seasoned"].shape)
        for name, (base, gate) in INTERACTIONS.items():
            factor = values[base] if base in values else extra[base]
            values[name] = np.broadcast_to(extra[gate] * factor, shape).astype(np.float32)
            if name in self.config.disabled:
                values[name] = np.zeros(shape, dtype=np.float32)
        return values

    def matrix(self, rows: Rows, cols: I64) -> F32:
        """Pairs × FEATURES, the estimator's input."""
        values = self.compute(rows, cols)
        return np.column_stack([np.broadcast_to(values[name], (len(rows),)) for name in FEATURES])

    def logit(self, rows: Rows, coef: Mapping[str, float], intercept: float) -> F32:
        """Linear score of the block `rows` × all investors, without keeping every feature.

        Interactions are added only where their gate is open (ventures with earlier backers,
        pairs where the investor is one), so they cost next to nothing on fresh ventures.
        """
        values, extra = self._base(rows, None)
        out = np.full((len(rows), len(self.pool)), intercept, dtype=np.float32)
        for name, value in values.items():
            weight = coef.get(name, 0.0)
            if weight:
                out += np.float32(weight) * value
        where: dict[str, tuple[I64, ...]] = {
            "seasoned": (np.flatnonzero(extra["seasoned"][:, 0]),),
            "backer": np.nonzero(extra["backer"]),
        }
        for name, (base, gate) in INTERACTIONS.items():
            weight = 0.0 if name in self.config.disabled else coef.get(name, 0.0)
            if weight:
                factor = np.broadcast_to(values[base] if base in values else extra[base], out.shape)
                at = where[gate]
                out[at] += np.float32(weight) * factor[at]
        return out

    def excluded(self, rows: Rows, cols: I64 | None = None) -> B:
        """Hard mandate exclusions: the bars of `matching.mandate` (one definition)."""
        return mandate.barred(self.side.frame, self.pool.frame, rows, cols)

    def _instrument_overlap(self, rows: Rows, cols: I64 | None) -> tuple[F32, F32]:
        """Shared instruments (investors with no list share all) and the venture's count."""
        p = self.pool
        venture = self.side.instruments[rows]
        offered = venture.sum(axis=1)
        if cols is None:
            # 0/1 flags: "invalid" can only be OpenBLAS's spurious FE_INVALID (numpy #24067),
            # seen once in ~45 runs; it would fail a run that treats warnings as errors.
            with np.errstate(invalid="ignore"):
                shared = venture @ p.instruments
        else:
            shared = (venture * p.instruments.T[cols]).sum(axis=1)
        anyone = self._inv(p.instruments_any, cols)
        return np.where(anyone, self._ven(offered, cols), shared).astype(np.float32), offered

    def _text(self, rows: Rows, cols: I64 | None) -> F32:
        summaries = self.side.text[rows]
        thesis = self.pool.thesis
        if cols is None:
            product = summaries @ thesis
            dense = product.toarray() if sparse.issparse(product) else product
            return np.asarray(dense, dtype=np.float32)
        if isinstance(thesis, np.ndarray):
            return _paired_dots(summaries, thesis, cols)
        if self._thesis_rows is None:
            self._thesis_rows = sparse.csr_matrix(thesis.T, dtype=np.float32)
        paired = summaries.multiply(self._thesis_rows[cols])
        return np.asarray(paired.sum(axis=1), dtype=np.float32).ravel()


def _paired_dots(summaries: sparse.csr_matrix, thesis: F32, cols: I64) -> F32:
    """Row j of `summaries` dotted with column cols[j] of the dense `thesis`, over the row's
    few words only (a sparse copy of the whole thesis matrix took ~90 ms at 2,000 investors,
    for any number of pairs). Added up word by word in float32, in the row's word order, as
    the block product `summaries @ thesis` adds them (numpy's own sums would add in another
    order): both modes give the same numbers, bit for bit."""
    counts = np.diff(summaries.indptr)
    owner = np.repeat(np.arange(len(counts)), counts)
    cells = (summaries.data * thesis[summaries.indices, cols[owner]]).astype(np.float32)
    out = np.zeros(len(counts), dtype=np.float32)
    starts = summaries.indptr[:-1]
    for word in range(int(counts.max(initial=0))):
        live = np.flatnonzero(counts > word)
        out[live] += cells[starts[live] + word]
    return out
