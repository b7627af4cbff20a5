"""Ranking metrics (NDCG@k, Recall@k, reciprocal rank) for one query's full score vector."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt


class QueryMetrics(NamedTuple):
    """Metrics of one ranked query."""

    ndcg: float
    recall: float
    reciprocal_rank: float


def ranks_of(
    scores: npt.NDArray[np.floating], items: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """0-based rank of each item when sorting by score, higher first, ties by lower index.

    Ties are broken by position so that every ranking is a strict order and reproducible.
    """
    scores = np.asarray(scores)
    out = np.empty(len(items), dtype=np.int64)
    for n, item in enumerate(items):
        value = scores[item]
        out[n] = int((scores > value).sum()) + int((scores[:item] == value).sum())
    return out


def query_metrics(
    scores: npt.NDArray[np.floating], relevant: npt.NDArray[np.int64], k: int = 10
) -> QueryMetrics:
    """NDCG@k (ideal DCG over min(relevant, k)), Recall@k and reciprocal rank of one query."""
    relevant = np.unique(np.asarray(relevant, dtype=np.int64))
    if len(relevant) == 0:
        raise ValueError("relevant: empty; a query needs at least one relevant item")
    ranks = ranks_of(scores, relevant)
    hits = ranks[ranks < k]
    dcg = float((1.0 / np.log2(hits + 2.0)).sum())
    ideal = float((1.0 / np.log2(np.arange(min(len(relevant), k)) + 2.0)).sum())
    return QueryMetrics(dcg / ideal, len(hits) / len(relevant), 1.0 / (1.0 + float(ranks.min())))


def mean_metrics(rows: list[QueryMetrics], k: int = 10) -> dict[str, float]:
    """Average over queries, with the keys the evaluation JSON uses."""
    if not rows:
        return {f"ndcg@{k}": 0.0, f"recall@{k}": 0.0, "mrr": 0.0}
    array = np.array(rows, dtype=np.float64)
    return {
        f"ndcg@{k}": float(array[:, 0].mean()),
        f"recall@{k}": float(array[:, 1].mean()),
        "mrr": float(array[:, 2].mean()),
    }
