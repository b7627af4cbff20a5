"""The four reference rankings of the protocol, with the README's tie-breaking."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matching.evaluate.data import UNKNOWN
from matching.evaluate.protocol import Query, ScoreBlock, Split

F64 = npt.NDArray[np.float64]
_FIRST = 1e9  # lifts a group above every popularity count


def popularity(split: Split) -> F64:
    """Distinct training rounds per investor."""
    index = split.index
    counts = np.zeros(len(split.investors))
    for _, name in {(r.round_id, r.investor) for r in split.train}:
        counts[index[name]] += 1
    return counts


def by_popularity(split: Split) -> ScoreBlock:
    """Everyone ranked by popularity (ties: investor name order)."""
    pop = popularity(split)
    return lambda queries: np.broadcast_to(pop, (len(queries), len(pop)))


def by_random(split: Split, seed: int = 0) -> ScoreBlock:
    """A fresh random order for every round."""
    rng = np.random.default_rng(seed)
    return lambda queries: rng.random((len(queries), len(split.investors)))


def by_sector_then_popularity(split: Split) -> ScoreBlock:
    """Investors whose most frequent training category is the round's, then popularity.

    Category counts are over distinct (round, investor) pairs; ties go to the alphabetically
    first category. A round without a category ranks by popularity alone.
    """
    pop = popularity(split)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for _, name, sector in {(r.round_id, r.investor, r.sector) for r in split.train}:
        if sector != UNKNOWN:
            counts[name][sector] += 1
    top = np.array(
        [
            min((c for c, v in counts[n].items() if v == max(counts[n].values())), default="")
            for n in split.investors
        ]
    )

    def score(queries: Sequence[Query]) -> F64:
        out = np.tile(pop, (len(queries), 1))
        for row, q in zip(out, queries, strict=True):
            if q.row.sector != UNKNOWN:
                row[top == q.row.sector] += _FIRST
        return out

    return score


def by_prior_then_popularity(split: Split) -> ScoreBlock:
    """The company's investors in the training rows first, then popularity."""
    pop = popularity(split)
    index = split.index
    earlier: dict[str, set[int]] = defaultdict(set)
    for r in split.train:
        earlier[r.company].add(index[r.investor])

    def score(queries: Sequence[Query]) -> F64:
        out = np.tile(pop, (len(queries), 1))
        for row, q in zip(out, queries, strict=True):
            row[sorted(earlier.get(q.row.company, ()))] += _FIRST
        return out

    return score
