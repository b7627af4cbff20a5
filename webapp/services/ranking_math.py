"""Array helpers shared by the incremental and the full refresh, so both give identical lists.

Every score is computed in `matching`'s block mode (venture rows × all investors): its value
for a pair does not depend on which other rows are in the block, so a venture scored alone, in
a chunk, or in the whole set gets bit-identical log-odds. Lists are ordered by log-odds, best
first, ties broken by the smaller id, and cut at K; the stored score is expit(log-odds).

Public functions:
- `block_logits(model, features, rows) -> F32` — log-odds, −inf where the mandate excludes.
- `mask_passed(logits, venture_ids, investor_ids, passed) -> None` — −inf for passed pairs.
- `top_k_rows(values, ids, k) -> I64` — per row, the positions of the k best columns.
- `group_top_k(groups, values, ids, k) -> (selected, rank)` — the k best per group.
- `probability(logits) -> F64` — the stored 0–1 score.
- `beats(a_logit, a_id, b_logit, b_id) -> bool` — the list order for two members.

Reasons for stored pairs are `matching.reasons.pair_reasons` (codes with their facts).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit

import matching

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def block_logits(model: matching.MatchModel, features: Any, rows: I64) -> F32:
    """Log-odds of `rows` × every investor of the features' pool; −inf marks exclusions."""
    logits: F32 = features.logit(rows, model.coef, model.intercept)
    logits[features.excluded(rows)] = -np.inf
    return logits


def mask_passed(
    logits: F32, venture_ids: I64, investor_ids: I64, passed: set[tuple[int, int]]
) -> None:
    """Bar pairs the investor passed on (in place): a pass takes the pair off both lists."""
    if not passed:
        return
    v_pos = {int(v): r for r, v in enumerate(venture_ids.tolist())}
    i_pos = {int(i): c for c, i in enumerate(investor_ids.tolist())}
    for venture_id, investor_id in passed:
        r, c = v_pos.get(venture_id), i_pos.get(investor_id)
        if r is not None and c is not None:
            logits[r, c] = -np.inf


def top_k_rows(values: F32, ids: I64, k: int) -> I64:
    """Per row, the column positions of the k best finite values (−1 pads), best first."""
    n, m = values.shape
    out = np.full((n, k), -1, dtype=np.int64)
    if n == 0 or m == 0:
        return out
    kk = min(k, m)
    kth = -np.partition(-values, kk - 1, axis=1)[:, kk - 1]
    rows, cols = np.nonzero((values >= kth[:, None]) & np.isfinite(values))
    chosen, rank = group_top_k(rows, values[rows, cols], ids[cols], k)
    out[rows[chosen], rank] = cols[chosen]
    return out


def group_top_k(groups: I64, values: F32, ids: I64, k: int) -> tuple[I64, I64]:
    """Indices of the k best (value desc, id asc) items of each group, and their 0-based rank."""
    if len(groups) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((ids, -values.astype(np.float64), groups))
    ordered = groups[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    lengths = np.diff(np.r_[starts, len(ordered)])
    rank = np.arange(len(ordered)) - np.repeat(starts, lengths)
    keep = rank < k
    return order[keep].astype(np.int64), rank[keep].astype(np.int64)


def probability(logits: F32 | F64) -> F64:
    """The 0–1 score people see (float64, so distinct log-odds stay distinct)."""
    return np.asarray(expit(np.asarray(logits, dtype=np.float64)), dtype=np.float64)


def beats(a_logit: float, a_id: int, b_logit: float, b_id: int) -> bool:
    """True when member a ranks above member b in a list."""
    return a_logit > b_logit or (a_logit == b_logit and a_id < b_id)
