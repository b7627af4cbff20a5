"""Training rows of one time window, and the holdout window any model can be scored on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

from matching.config import FEATURES, FeatureConfig
from matching.features import PairFeatures
from matching.frames import HistoryFrame, InvestorFrame, VentureFrame
from matching.labels import LabelEvent
from matching.metrics import mean_metrics, query_metrics
from matching.pool import InvestorPool, VentureSide
from matching.records import DealRecord, InvestorRecord, VentureRecord
from matching.text import TextVectoriser

if TYPE_CHECKING:
    from matching.model import MatchModel

I64 = npt.NDArray[np.int64]


@dataclass
class TrainingSet:
    """Pair features with labels and weights; `group` numbers the query (venture) of each row."""

    X: npt.NDArray[np.float32]
    y: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    group: npt.NDArray[np.int64]

    @classmethod
    def concat(cls, parts: Sequence[TrainingSet]) -> TrainingSet:
        """Stack windows, keeping group numbers distinct."""
        offset, groups = 0, []
        for p in parts:
            groups.append(p.group + offset)
            offset += int(p.group.max(initial=-1)) + 1
        return cls(
            np.vstack([p.X for p in parts]) if parts else np.zeros((0, len(FEATURES)), np.float32),
            np.concatenate([p.y for p in parts]) if parts else np.zeros(0, np.int64),
            np.concatenate([p.weight for p in parts]) if parts else np.zeros(0),
            np.concatenate(groups) if groups else np.zeros(0, np.int64),
        )

    @property
    def learnable(self) -> bool:
        """Both classes present: a classifier can be fitted."""
        return len(np.unique(self.y)) == 2


@dataclass(frozen=True)
class _Batch:
    """Queries whose ventures have distinct ids (one frame), and their pairs by investor id."""

    ventures: tuple[VentureRecord, ...]
    rows: I64
    investor_ids: I64


def _batches(queries: Sequence[Sequence[LabelEvent]]) -> list[list[int]]:
    """Positions of queries split so that no venture id appears twice in one batch."""
    batches: list[list[int]] = []
    seen: list[set[int]] = []
    for n, query in enumerate(queries):
        vid = query[0].venture.id
        for batch, ids in zip(batches, seen, strict=True):
            if vid not in ids:
                batch.append(n)
                ids.add(vid)
                break
        else:
            batches.append([n])
            seen.append({vid})
    return batches


def _query_labels(
    events: Sequence[LabelEvent], index: dict[int, int]
) -> dict[int, tuple[int, float]]:
    """Investor column → (label, weight) of one query; a round's participants share its weight."""
    labels = {index[e.investor_id]: (e.label, e.weight) for e in events}
    if events[0].shared:
        positives = sum(y for y, _ in labels.values())
        labels = {i: (y, w / max(positives, 1)) for i, (y, w) in labels.items()}
    return labels


@dataclass(frozen=True)
class Window:
    """One window's training rows and the pairs behind them (to score another model on)."""

    data: TrainingSet
    batches: tuple[_Batch, ...]
    start: dt.date


def build_window(
    events: Sequence[LabelEvent],
    deals: Sequence[DealRecord],
    investors: InvestorFrame,
    vectoriser: TextVectoriser,
    config: FeatureConfig,
    start: dt.date,
    rng: np.random.Generator,
    negatives: int,
) -> Window:
    """Labelled pairs plus sampled negatives, with features from the history before `start`."""
    taxonomy = investors.taxonomy
    past = HistoryFrame.from_records([d for d in deals if d.date < start], taxonomy)
    pool = InvestorPool.build(investors, past, vectoriser, config, as_of=start)
    by_query: dict[tuple[int, int], list[LabelEvent]] = {}
    for e in events:
        if e.investor_id in investors.index:
            by_query.setdefault(e.query, []).append(e)
    queries = [by_query[q] for q in sorted(by_query)]
    parts, batches = [], []
    for members in _batches(queries):
        chosen = [queries[n] for n in members]
        frame = VentureFrame.from_records([q[0].venture for q in chosen], taxonomy)
        rows, cols, ys, ws = [], [], [], []
        for row, query in enumerate(chosen):  # a venture row is one query: its group number
            labels = _query_labels(query, investors.index)
            for col, (y, w) in sorted(labels.items()):
                rows.append(row)
                cols.append(col)
                ys.append(y)
                ws.append(w)
            if any(y == 1 for y, _ in labels.values()):
                unlabelled = np.setdiff1d(np.arange(len(investors)), list(labels))
                size = min(negatives, len(unlabelled))
                for col in rng.choice(unlabelled, size=size, replace=False).tolist():
                    rows.append(row)
                    cols.append(col)
                    ys.append(0)
                    ws.append(1.0)
        r, c = np.array(rows, np.int64), np.array(cols, np.int64)
        features = PairFeatures(VentureSide.build(frame, vectoriser), pool, config)
        X = features.matrix(r, c) if len(r) else np.zeros((0, len(FEATURES)), np.float32)
        parts.append(TrainingSet(X, np.array(ys, np.int64), np.array(ws), r))
        batches.append(_Batch(frame.records, r, investors.ids[c]))
    return Window(TrainingSet.concat(parts), tuple(batches), start)


def ranking_quality(scores: npt.ArrayLike, data: TrainingSet) -> dict[str, float]:
    """AUC and NDCG@10 of each query's labelled rows plus its sampled negatives."""
    values = np.asarray(scores, dtype=np.float64)
    rows = []
    for g in np.unique(data.group):
        member = data.group == g
        relevant = np.flatnonzero(data.y[member] == 1)
        if len(relevant):
            rows.append(query_metrics(values[member], relevant, k=10))
    auc = float(roc_auc_score(data.y, values, sample_weight=data.weight)) if data.learnable else 0.5
    return {"auc": auc, "ndcg@10": mean_metrics(rows)["ndcg@10"]}


@dataclass(frozen=True)
class Holdout:
    """The newest window's pairs (same sampled negatives), scorable by any model.

    Promotion compares the candidate, the prior and the active model on exactly these rows:
    each model computes its own features for the pairs, from the history before `start`.
    """

    window: Window
    investors: tuple[InvestorRecord, ...]
    past: tuple[DealRecord, ...]

    @property
    def data(self) -> TrainingSet:
        """The candidate's feature rows, labels and weights."""
        return self.window.data

    def score(self, model: MatchModel) -> dict[str, float]:
        """`ranking_quality` of another model on the same pairs."""
        pool = model.prepare(list(self.investors), list(self.past), as_of=self.window.start)
        blocks = [
            model.pair_features(list(b.ventures), pool).matrix(
                b.rows, pool.frame.positions(b.investor_ids.tolist())
            )
            for b in self.window.batches
        ]
        X = np.vstack(blocks) if blocks else np.zeros((0, len(FEATURES)), np.float32)
        return ranking_quality(model.estimator.decision_function(X), self.data)
