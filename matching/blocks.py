"""Scoring in blocks of ventures × investors: the one path every ranking goes through.

Log-odds come from `PairFeatures.logit` cell by cell; hard mandate exclusions and barred pairs
(an investor passed on the venture) are −inf; each side's top k is kept while the blocks stream
past. No step holds more than one block of scores, so memory grows with ventures + investors,
never with their product. A venture scored alone, in a chunk or against a sub-pool
(`InvestorPool.take`) gets bit-identical log-odds, which is what lets a refresh that patches
one list agree with one that recomputes every list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matching.config import FeatureConfig
from matching.errors import InputError
from matching.features import PairFeatures
from matching.pool import InvestorPool, VentureSide
from matching.topk import ColumnTopK, TopK, top_k_rows

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
Progress = Callable[[int, int], None]

# Scores per block. Computing a block keeps about 20 feature arrays of this many float32 cells
# (~160 MB at 2M), whatever the number of investors: more investors, fewer ventures per block.
CELLS_PER_BLOCK = 1 << 21


class Linear(Protocol):
    """What block scoring needs of a model: its weights and feature settings."""

    @property
    def config(self) -> FeatureConfig: ...

    @property
    def coef(self) -> Mapping[str, float]: ...

    @property
    def intercept(self) -> float: ...


def block_size(n_investors: int, cap: int = 4096) -> int:
    """Ventures per block so that a block holds about `CELLS_PER_BLOCK` scores."""
    return max(1, min(cap, CELLS_PER_BLOCK // max(n_investors, 1)))


def positions_of(ids: I64, wanted: I64) -> I64:
    """Position of each wanted id in `ids` (any order), −1 where it is absent."""
    wanted = np.asarray(wanted, dtype=np.int64)
    if len(ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
    return np.where(ordered[at] == wanted, order[at], -1).astype(np.int64)


def barred_pairs(pairs: Iterable[tuple[int, int]]) -> I64:
    """(venture id, investor id) pairs kept off both lists, as an n × 2 array."""
    found = sorted(pairs)
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return np.array(found, dtype=np.int64).reshape(-1, 2)


def mask_pairs(logits: F32, venture_ids: I64, investor_ids: I64, barred: I64) -> None:
    """Set barred (venture, investor) cells of a block to −inf, in place."""
    if len(barred) == 0 or logits.size == 0:
        return
    r = positions_of(venture_ids, barred[:, 0])
    c = positions_of(investor_ids, barred[:, 1])
    hit = (r >= 0) & (c >= 0)
    logits[r[hit], c[hit]] = -np.inf


def block_logits(
    model: Linear, features: PairFeatures, rows: I64, barred: I64 | None = None
) -> F32:
    """Log-odds of venture `rows` × every pool investor; −inf where excluded or barred."""
    logits: F32 = features.logit(rows, model.coef, model.intercept)
    logits[features.excluded(rows)] = -np.inf
    if barred is not None:
        mask_pairs(logits, features.side.frame.ids[rows], features.pool.frame.ids, barred)
    return logits


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"k: {k!r}; expected a positive whole number")


def score_both_sides(
    model: Linear,
    features: PairFeatures,
    k: int,
    *,
    barred: I64 | None = None,
    rows: I64 | None = None,
    rows_per_block: int | None = None,
    progress: Progress | None = None,
) -> TopK:
    """Every venture's top-k investors and each investor's top-k of these ventures.

    `rows` picks some ventures of the side (default: all). The investor side covers only these
    ventures: merge chunks with `ColumnTopK.merge` (or `merge_topk`).
    """
    _check_k(k)
    size = rows_per_block or block_size(len(features.pool))
    if size < 1:
        raise InputError(f"block_size: {size}; expected a positive number of ventures")
    picked = np.arange(len(features.side.frame)) if rows is None else rows
    ids = features.side.frame.ids[picked]
    pool_ids = features.pool.frame.ids
    n = len(ids)
    ven_top = np.full((n, k), -1, dtype=np.int64)
    ven_logit = np.full((n, k), -np.inf, dtype=np.float32)
    columns = ColumnTopK(len(pool_ids), k)
    for start in range(0, n, size):
        at = np.arange(start, min(start + size, n))
        logits = block_logits(model, features, picked[at], barred)
        cols, values = top_k_rows(logits, k, pool_ids)
        ven_top[at] = np.where(cols >= 0, pool_ids[np.maximum(cols, 0)], -1)
        ven_logit[at] = values
        columns.update(logits, ids[at])
        if progress is not None:
            progress(int(at[-1]) + 1, n)
    inv_top, inv_logit = columns.result()
    return TopK(k, ids.copy(), ven_top, ven_logit, pool_ids.copy(), inv_top, inv_logit)


Sides = Iterable[tuple[VentureSide, B | None]]


def stream_logits(
    model: Linear, sides: Sides, pool: InvestorPool, barred: I64 | None = None
) -> Iterator[tuple[I64, F32]]:
    """(venture ids, log-odds against every pool investor) block by block.

    Each side comes with an optional mask of rows to skip (ventures known to be stale there).
    """
    size = block_size(len(pool))
    for side, dead in sides:
        features = PairFeatures(side, pool, model.config)
        live = np.flatnonzero(~dead) if dead is not None else np.arange(len(side.frame))
        for start in range(0, len(live), size):
            rows = live[start : start + size]
            yield side.frame.ids[rows], block_logits(model, features, rows, barred)


def stream_column_top_k(
    model: Linear, sides: Sides, pool: InvestorPool, k: int, barred: I64 | None = None
) -> tuple[I64, F32]:
    """Each pool investor's top-k ventures over every side, as (investors × k) ids and log-odds."""
    _check_k(k)
    columns = ColumnTopK(len(pool), k)
    for ids, logits in stream_logits(model, sides, pool, barred):
        columns.update(logits, ids)
    return columns.result()
