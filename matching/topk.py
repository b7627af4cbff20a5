"""Top-k lists for both sides of a refresh, kept as arrays and mergeable across chunks.

One order everywhere: log-odds descending, the smaller id first on ties (`ranks_above`), so a
list computed in one go, in chunks, or patched one member at a time comes out the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from matching.errors import InputError
from matching.records import Ranked

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
_NO_ID = np.iinfo(np.int64).max  # key of an empty slot: it loses every tie


def ranks_above(a_logit: Any, a_id: Any, b_logit: Any, b_id: Any) -> Any:
    """Whether member a is listed above member b: the one tie-break rule, for one pair or
    element by element over arrays (then a boolean array)."""
    return (a_logit > b_logit) | ((a_logit == b_logit) & (a_id < b_id))


def probability(logits: npt.ArrayLike) -> F64:
    """The 0–1 score people see, from log-odds (float64, so distinct log-odds stay distinct)."""
    return np.asarray(expit(np.asarray(logits, dtype=np.float64)), dtype=np.float64)


def _best_k(values: F32, keys: I64, k: int) -> I64:
    """Positions (along axis 1) of the k best values, ties to the smaller key, best first.

    argpartition alone picks among tied values arbitrarily; rows where a tie straddles the
    cut are redone exactly, so chunked and whole refreshes keep the same pairs.
    """
    n_rows, n_cols = values.shape
    if k < n_cols:
        part = np.argpartition(-values, k - 1, axis=1)[:, :k]
        picked = np.take_along_axis(values, part, axis=1)
        cut = picked.min(axis=1)
        ties_outside = (values == cut[:, None]).sum(axis=1) > (picked == cut[:, None]).sum(axis=1)
        for row in np.flatnonzero(ties_outside & np.isfinite(cut)):
            part[row] = np.lexsort((keys[row], -values[row]))[:k]
    else:
        part = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols)).copy()
    picked = np.take_along_axis(values, part, axis=1)
    order = np.lexsort((np.take_along_axis(keys, part, axis=1), -picked), axis=1)
    return np.take_along_axis(part, order, axis=1)


def top_k_rows(logits: F32, k: int, ids: I64 | None = None) -> tuple[I64, F32]:
    """Per row, the columns of the k largest finite values, best first (-1 pads).

    Ties go to the column with the smaller id (`ids`, one per column; default its position).
    """
    if logits.shape[1] == 0:
        return _pad(np.zeros((len(logits), 0), np.int64), np.zeros((len(logits), 0), np.float32), k)
    keys = np.broadcast_to(np.arange(logits.shape[1]) if ids is None else ids, logits.shape)
    cols = _best_k(logits, keys, min(k, logits.shape[1]))
    values = np.take_along_axis(logits, cols, axis=1)
    cols = np.where(np.isfinite(values), cols, -1)
    return _pad(cols, values, k)


def _pad(cols: I64, values: F32, k: int) -> tuple[I64, F32]:
    if cols.shape[1] == k:
        return cols.astype(np.int64), values.astype(np.float32)
    extra = k - cols.shape[1]
    cols = np.hstack([cols, np.full((cols.shape[0], extra), -1, np.int64)])
    values = np.hstack([values, np.full((values.shape[0], extra), -np.inf, np.float32)])
    return cols, values.astype(np.float32)


class ColumnTopK:
    """Running top-k per column (investor) over row blocks (ventures) seen so far."""

    def __init__(self, n_cols: int, k: int) -> None:
        self.k = k
        self.rows = np.full((k, n_cols), -1, dtype=np.int64)
        self.values = np.full((k, n_cols), -np.inf, dtype=np.float32)

    def update(self, logits: F32, ids: I64) -> None:
        """Fold in a block of logits (rows × columns) whose cells carry the given ids.

        `ids` has the block's shape, or is one id per row (a block of ventures).
        """
        if len(logits) == 0:
            return
        ids = np.broadcast_to(ids[:, None] if ids.ndim == 1 else ids, logits.shape)
        # Only columns where some cell reaches the current k-th value can change (a tie may
        # still win on its id); once lists fill up that is a small share of each block.
        cols = np.flatnonzero((logits >= self.values[-1][None, :]).any(axis=0))
        if len(cols) == 0:
            return
        values = np.vstack([self.values[:, cols], logits[:, cols]])
        rows = np.vstack([self.rows[:, cols], ids[:, cols]])
        # Unused slots carry id -1 and -inf, so they lose every tie that matters.
        keep = _best_k(values.T, np.where(rows.T >= 0, rows.T, _NO_ID), self.k)
        self.values[:, cols] = np.take_along_axis(values.T, keep, axis=1).T
        self.rows[:, cols] = np.take_along_axis(rows.T, keep, axis=1).T

    def merge(self, top: I64, logit: F32) -> None:
        """Fold in another running top-k given as (columns × k) ids and log-odds."""
        self.update(np.ascontiguousarray(logit.T), np.ascontiguousarray(top.T))

    def result(self) -> tuple[I64, F32]:
        """Columns' top-k as (n_cols × k) arrays, best first."""
        values, rows = self.values.T, self.rows.T  # already best first
        return np.where(np.isfinite(values), rows, -1), np.ascontiguousarray(values)


@dataclass(frozen=True, eq=False)
class TopK:
    """Each venture's top-k investors and each investor's top-k ventures, as logits.

    `*_top` hold ids (−1 pads), `*_logit` the model's log-odds (−inf pads); use `for_venture`
    / `for_investor` for probabilities. Excluded pairs never appear.
    """

    k: int
    venture_ids: I64
    venture_top: I64  # ventures × k investor ids
    venture_logit: F32
    investor_ids: I64
    investor_top: I64  # investors × k venture ids
    investor_logit: F32

    def for_venture(self, venture_id: int) -> list[Ranked]:
        """A venture's investors, best first."""
        return _ranked(self.venture_ids, self.venture_top, self.venture_logit, venture_id)

    def for_investor(self, investor_id: int) -> list[Ranked]:
        """An investor's ventures, best first."""
        return _ranked(self.investor_ids, self.investor_top, self.investor_logit, investor_id)


def _ranked(ids: I64, top: I64, logit: F32, wanted: int) -> list[Ranked]:
    hits = np.flatnonzero(ids == wanted)
    if len(hits) == 0:
        raise InputError(f"top-k: no list for id {wanted}")
    row = int(hits[0])
    keep = top[row] >= 0
    scores = probability(logit[row][keep])
    return [Ranked(int(i), float(s)) for i, s in zip(top[row][keep], scores, strict=True)]


def merge_topk(parts: Sequence[TopK], k: int | None = None) -> TopK:
    """Combine chunk results: venture lists concatenate, investor lists merge to the best k."""
    if not parts:
        raise InputError("merge_topk: no parts to merge")
    k = k or parts[0].k
    investor_ids = parts[0].investor_ids
    for part in parts[1:]:
        if not np.array_equal(part.investor_ids, investor_ids):
            raise InputError("merge_topk: the parts were scored against different investors")
    venture_ids = np.concatenate([p.venture_ids for p in parts])
    if len(np.unique(venture_ids)) != len(venture_ids):
        raise InputError("merge_topk: a venture appears in more than one part")
    merged = ColumnTopK(len(investor_ids), k)
    for part in parts:
        merged.merge(part.investor_top, part.investor_logit)
    inv_top, inv_logit = merged.result()
    ven_top = np.vstack([_width(p.venture_top, k, -1) for p in parts])
    ven_logit = np.vstack([_width(p.venture_logit, k, -np.inf) for p in parts])
    return TopK(k, venture_ids, ven_top, ven_logit, investor_ids, inv_top, inv_logit)


def _width(array: npt.NDArray[np.generic], k: int, fill: float) -> npt.NDArray[np.generic]:
    if array.shape[1] >= k:
        return array[:, :k]
    pad = np.full((array.shape[0], k - array.shape[1]), fill, dtype=array.dtype)
    return np.hstack([array, pad])
