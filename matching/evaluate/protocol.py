"""The evaluation protocol of the deals README: time split, queries, metrics per subset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.evaluate.data import Row
from matching.metrics import QueryMetrics, mean_metrics, query_metrics

SUBSETS = ("all", "new_company")
BLOCK = 256  # queries scored at once
ScoreBlock = Callable[[Sequence["Query"]], npt.NDArray[np.floating]]


@dataclass(frozen=True)
class Query:
    """One test round: who took part (as training-investor indices) and what it looked like."""

    round_id: str
    row: Row
    relevant: npt.NDArray[np.int64]
    new_company: bool


@dataclass(frozen=True)
class Split:
    """Training rows, the investors seen in them (sorted by name: ties break that way), queries."""

    train: list[Row]
    investors: list[str]
    queries: list[Query]

    @property
    def index(self) -> dict[str, int]:
        """Investor name → column of every score vector."""
        return {name: n for n, name in enumerate(self.investors)}


def make_split(rows: Sequence[Row], cutoff: dt.date, end: dt.date) -> Split:
    """Train on rows before `cutoff`; query each round dated cutoff…end with a known investor."""
    train = [r for r in rows if r.date < cutoff]
    investors = sorted({r.investor for r in train})
    index = {name: n for n, name in enumerate(investors)}
    known_companies = {r.company for r in train}
    rounds: dict[str, list[Row]] = {}
    for r in rows:
        if cutoff <= r.date <= end:
            rounds.setdefault(r.round_id, []).append(r)
    queries = []
    for round_id, members in rounds.items():
        relevant = sorted({index[m.investor] for m in members if m.investor in index})
        if relevant:
            first = members[0]
            queries.append(
                Query(
                    round_id,
                    first,
                    np.array(relevant, np.int64),
                    first.company not in known_companies,
                )
            )
    return Split(train, investors, queries)


def blocks(queries: Sequence[Query], size: int = BLOCK) -> Iterator[Sequence[Query]]:
    """Consecutive slices of the queries."""
    for start in range(0, len(queries), size):
        yield queries[start : start + size]


def evaluate(
    split: Split, score: ScoreBlock, progress: Callable[[int], None] | None = None, k: int = 10
) -> dict[str, dict[str, float | int]]:
    """Mean NDCG@k, Recall@k and MRR per subset for one ranker."""
    results: dict[str, list[QueryMetrics]] = {s: [] for s in SUBSETS}
    for block in blocks(split.queries):
        scores = np.asarray(score(block), dtype=np.float64)
        for query, row in zip(block, scores, strict=True):
            metrics = query_metrics(row, query.relevant, k)
            results["all"].append(metrics)
            if query.new_company:
                results["new_company"].append(metrics)
        if progress is not None:
            progress(len(block))
    return {s: {"rounds": len(m), **mean_metrics(m, k)} for s, m in results.items()}


def unique_company_groups(queries: Iterable[Query]) -> list[list[int]]:
    """Positions of queries split into groups where each company appears once (frame ids)."""
    groups: list[list[int]] = []
    seen: list[set[str]] = []
    for n, q in enumerate(queries):
        for group, companies in zip(groups, seen, strict=True):
            if q.row.company not in companies:
                group.append(n)
                companies.add(q.row.company)
                break
        else:
            groups.append([n])
            seen.append({q.row.company})
    return groups
