"""Per-investor tables from past deals: what each investor backs, how often, and with whom."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matching.config import SIZE_BAND_EDGES, FeatureConfig
from matching.frames import HistoryFrame, InvestorFrame
from matching.taxonomy import Taxonomy

F32 = npt.NDArray[np.float32]
B = npt.NDArray[np.bool_]


def size_band(amount_gbp: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Band index of amounts on a log scale; NaN (unknown) maps to -1."""
    amount = np.asarray(amount_gbp, dtype=np.float64)
    bands = np.searchsorted(SIZE_BAND_EDGES, np.log10(np.where(amount > 0, amount, 1.0)))
    return np.where(np.isfinite(amount) & (amount > 0), bands, -1).astype(np.int64)


N_SIZE_BANDS = len(SIZE_BAND_EDGES) + 1


def _lift(
    counts: npt.NDArray[np.float64],
    known: npt.NDArray[np.float64],
    market_counts: npt.NDArray[np.float64],
    market_total: float,
    alpha: float,
) -> F32:
    """log of an investor's smoothed share of deals with a code over the market's share.

    The market share comes from the whole history, so an investor's lift does not depend on
    which other investors are in the pool. A code nobody has invested in says nothing: its
    lift is 0. Returned as codes × investors, so a venture's code gathers one contiguous row.
    """
    market = np.where(market_counts > 0, market_counts / max(market_total, 1e-12), 1.0)
    share = (counts + alpha * market) / (known[:, None] + alpha)
    lift = np.where(market_counts > 0, np.log(share / market), 0.0)
    return np.ascontiguousarray(lift.T, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class TrackRecord:
    """Lift tables (codes × investors), activity per investor, and deal links per venture."""

    sector_lift: F32  # sectors × investors, counts include deals in sub-sectors
    stage_lift: F32
    region_lift: F32  # regions × investors, counts include deals in sub-regions
    size_lift: F32
    deal_count: npt.NDArray[np.int64]
    last_active: F32  # 0.5 ** (days since the investor's latest deal / last_active_half_life)
    backers: dict[int, npt.NDArray[np.int64]]  # venture id → pool rows that backed it
    # venture id → per backer (as in `backers`): 1 / (1 + the venture's rounds since its last)
    backer_latest: dict[int, F32]
    activity_first: F32  # log1p of recency-weighted deals that were a company's first round
    backers_universe: dict[int, npt.NDArray[np.int64]]  # venture id → universe indices
    universe_size: int
    co_invest: sparse.csr_matrix  # universe × pool investors: shared companies

    @classmethod
    def build(
        cls,
        history: HistoryFrame,
        investors: InvestorFrame,
        taxonomy: Taxonomy,
        config: FeatureConfig,
        as_of: dt.date | None = None,
    ) -> TrackRecord:
        """Aggregate each pool investor's history; market shares use every deal."""
        n_inv = len(investors)
        # Universe = every investor in the history plus the pool, so co-investment through
        # investors outside the pool still counts.
        universe_ids = np.union1d(history.investor_id, investors.ids)
        deal_u = np.searchsorted(universe_ids, history.investor_id)
        pool_u = np.searchsorted(universe_ids, investors.ids)
        u_to_pool = np.full(len(universe_ids), -1, dtype=np.int64)
        u_to_pool[pool_u] = np.arange(n_inv)
        rows = u_to_pool[deal_u]  # pool row of each deal, -1 if not a pool investor
        today = as_of.toordinal() if as_of is not None else int(history.day.max(initial=0))
        age = np.maximum(today - history.day, 0).astype(np.float64)
        weight = 0.5 ** (age / config.half_life_days)
        mine = rows >= 0
        alpha = config.smoothing

        def per_investor(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            return np.asarray(
                np.bincount(rows[mine], weights=values[mine], minlength=n_inv), dtype=np.float64
            )

        def lift(codes: npt.NDArray[np.int64], width: int, below: sparse.csr_matrix | None) -> F32:
            known = codes >= 0
            one_hot = sparse.csr_matrix(
                (np.ones(int(known.sum())), (np.flatnonzero(known), codes[known])),
                shape=(len(codes), width),
            )
            return lift_of(one_hot, below, known)

        def lift_of(
            deal_codes: sparse.csr_matrix, below: sparse.csr_matrix | None, known: B
        ) -> F32:
            if below is not None:  # count a deal under its code and every broader one, once
                deal_codes = sparse.csr_matrix(deal_codes @ below.T)
                deal_codes.data = np.minimum(deal_codes.data, 1.0)
            weighted = sparse.diags(weight) @ deal_codes
            market = np.asarray(weighted.sum(axis=0), dtype=np.float64).ravel()
            pick = sparse.csr_matrix(
                (np.ones(int(mine.sum())), (rows[mine], np.flatnonzero(mine))),
                shape=(n_inv, len(rows)),
            )
            counts = (pick @ weighted).toarray()
            total = float(weight @ known)
            return _lift(counts, per_investor(weight * known), market, total, alpha)

        sector_below = sparse.csr_matrix(taxonomy.sectors.below.astype(np.float64))
        region_below = sparse.csr_matrix(taxonomy.regions.below.astype(np.float64))
        has_sector = np.diff(history.sectors.indptr) > 0
        backers_u: dict[int, list[int]] = {}
        last_day: dict[int, dict[int, int]] = {}  # venture → pool row → its latest deal day
        round_days: dict[int, set[int]] = {}  # venture → days it raised (one round per day)
        for venture, u, row, day in zip(
            history.venture_id.tolist(),
            deal_u.tolist(),
            rows.tolist(),
            history.day.tolist(),
            strict=True,
        ):
            if venture >= 0:
                backers_u.setdefault(venture, []).append(u)
                round_days.setdefault(venture, set()).add(day)
                if row >= 0:
                    mine_in = last_day.setdefault(venture, {})
                    mine_in[row] = max(mine_in.get(row, day), day)
        backers = {v: np.array(sorted(days), np.int64) for v, days in last_day.items()}
        # Investors in a company's latest round follow on far more than its first angels.
        latest = {
            v: np.array(
                [1.0 / (1.0 + sum(d > last_day[v][r] for d in round_days[v])) for r in rows_],
                np.float32,
            )
            for v, rows_ in backers.items()
        }
        first_day = np.full(int(history.company.max(initial=-1)) + 1, np.iinfo(np.int64).max)
        np.minimum.at(first_day, history.company, history.day)
        first_round = (history.day == first_day[history.company]).astype(np.float64)
        latest_day = np.full(n_inv, np.iinfo(np.int64).min // 2, dtype=np.int64)
        np.maximum.at(latest_day, rows[mine], history.day[mine])
        idle = np.maximum(today - latest_day, 0).astype(np.float64)
        return cls(
            sector_lift=lift_of(history.sectors.astype(np.float64), sector_below, has_sector),
            stage_lift=lift(history.stage, len(taxonomy.stage_order), None),
            region_lift=lift(history.region, len(taxonomy.regions), region_below),
            size_lift=lift(size_band(history.amount_gbp), N_SIZE_BANDS, None),
            deal_count=np.bincount(rows[mine], minlength=n_inv).astype(np.int64),
            last_active=(0.5 ** (idle / config.last_active_half_life_days)).astype(np.float32),
            backers=backers,
            backer_latest=latest,
            activity_first=np.log1p(per_investor(weight * first_round)).astype(np.float32),
            backers_universe={v: np.unique(np.array(r, np.int64)) for v, r in backers_u.items()},
            universe_size=len(universe_ids),
            co_invest=_co_investment(deal_u, history.company, weight, pool_u),
        )

    def take(self, cols: npt.NDArray[np.int64]) -> TrackRecord:
        """The tables of these pool investors only (ascending positions), renumbered 0..n-1."""
        remap = np.full(len(self.deal_count), -1, dtype=np.int64)
        remap[cols] = np.arange(len(cols))
        backers: dict[int, npt.NDArray[np.int64]] = {}
        latest: dict[int, F32] = {}
        for venture in sorted({v for c in cols.tolist() for v in self._backed.get(c, ())}):
            new = remap[self.backers[venture]]
            keep = new >= 0
            backers[venture] = new[keep]
            latest[venture] = self.backer_latest[venture][keep]
        return replace(
            self,
            sector_lift=np.ascontiguousarray(self.sector_lift[:, cols]),
            stage_lift=np.ascontiguousarray(self.stage_lift[:, cols]),
            region_lift=np.ascontiguousarray(self.region_lift[:, cols]),
            size_lift=np.ascontiguousarray(self.size_lift[:, cols]),
            deal_count=self.deal_count[cols],
            last_active=self.last_active[cols],
            backers=backers,
            backer_latest=latest,
            activity_first=self.activity_first[cols],
            co_invest=sparse.csr_matrix(self.co_invest[:, cols]),
        )

    @cached_property
    def _backed(self) -> dict[int, list[int]]:
        """Pool row → platform ventures it backed (the inverse of `backers`)."""
        out: dict[int, list[int]] = {}
        for venture, rows in self.backers.items():
            for row in rows.tolist():
                out.setdefault(row, []).append(venture)
        return out


def _co_investment(
    investor_u: npt.NDArray[np.int64],
    company: npt.NDArray[np.int64],
    weight: npt.NDArray[np.float64],
    pool_u: npt.NDArray[np.int64],
) -> sparse.csr_matrix:
    """Universe × pool investors: how much each pair backed the same companies (not itself)."""
    n_universe = int(max(investor_u.max(initial=-1), pool_u.max(initial=-1))) + 1
    if len(investor_u) == 0:
        return sparse.csr_matrix((n_universe, len(pool_u)), dtype=np.float32)
    n_companies = int(company.max()) + 1
    backed = sparse.csr_matrix((weight, (company, investor_u)), shape=(n_companies, n_universe))
    backed.data = np.minimum(backed.data, 1.0)  # several rounds in one company count once
    pairs = sparse.csr_matrix(backed.T @ backed[:, pool_u], dtype=np.float32)
    own = np.arange(len(pool_u))
    self_links = np.asarray(pairs[pool_u, own], dtype=np.float32).ravel()
    pairs = sparse.csr_matrix(
        pairs - sparse.csr_matrix((self_links, (pool_u, own)), shape=pairs.shape)
    )
    pairs.eliminate_zeros()
    return pairs
