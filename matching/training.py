"""Build a time-split training set from outcomes and history, fit, and report offline metrics."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

from matching.artefacts import library_version
from matching.config import FEATURES, FeatureConfig
from matching.estimator import MatchClassifier
from matching.features import PairFeatures
from matching.frames import (
    DealInput,
    HistoryFrame,
    InvestorFrame,
    InvestorInput,
    VentureFrame,
    VentureInput,
)
from matching.metrics import mean_metrics, query_metrics
from matching.model import MatchModel, ModelMetadata
from matching.pool import InvestorPool, VentureSide
from matching.prior import PRIOR_INTERCEPT, prior_vector
from matching.records import DealRecord, Outcome, VentureRecord, coerce_all
from matching.taxonomy import Taxonomy
from matching.text import TextVectoriser

# (label, weight) per outcome kind: investment and accepted intros are the real positives;
# a shortlist is a weaker yes; a pass is a no; shown-and-ignored is a weak no.
OUTCOME_LABELS: dict[str, tuple[int, float]] = {
    "invested": (1, 1.0),
    "intro_accepted": (1, 1.0),
    "shortlisted": (1, 0.5),
    "passed": (0, 1.0),
    "ignored": (0, 0.3),
}
# Pass reasons about the venture itself rather than the investor's mandate.
QUALITY_REASONS = frozenset({"team", "traction", "other"})
_PRIORITY = ("invested", "intro_accepted", "passed", "shortlisted", "ignored")


def prior_estimator(prior_strength: float = 20.0) -> MatchClassifier:
    """The hand-set weights as a fitted estimator (no labels needed)."""
    est = MatchClassifier(
        prior_coef=prior_vector(), prior_intercept=PRIOR_INTERCEPT, prior_strength=prior_strength
    )
    est.classes_ = np.array([0, 1])
    est.base_coef_ = prior_vector()
    est.base_intercept_ = PRIOR_INTERCEPT
    est.coef_ = prior_vector()
    est.intercept_ = PRIOR_INTERCEPT
    est.calibration_ = (1.0, 0.0)
    est.n_iter_ = 0
    est.n_features_in_ = len(FEATURES)
    return est


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def prior_model(
    taxonomy: Taxonomy,
    *,
    ventures: VentureInput = (),
    investors: InvestorInput = (),
    config: FeatureConfig | None = None,
    version: str | None = None,
) -> MatchModel:
    """A usable model before any labels: prior weights, vocabulary from the given profiles."""
    texts = _profile_texts(ventures, investors)
    when = _now()
    return MatchModel(
        taxonomy=taxonomy,
        estimator=prior_estimator(),
        vectoriser=TextVectoriser.fit(texts),
        config=config or FeatureConfig(),
        metadata=ModelMetadata(
            version=version or "prior-" + when.strftime("%Y%m%dT%H%M%SZ"),
            trained_at=when.isoformat(),
            training_size=0,
            library_version=library_version(),
        ),
    )


def _profile_texts(ventures: VentureInput, investors: InvestorInput) -> list[str]:
    def get(item: Any, key: str) -> str:
        value = item.get(key, "") if isinstance(item, Mapping) else getattr(item, key, "")
        return str(value or "")

    return [f"{get(v, 'name')}. {get(v, 'summary')}" for v in ventures] + [
        get(i, "thesis") for i in investors
    ]


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


def examples_for(
    features: PairFeatures,
    labels: Mapping[tuple[int, int], tuple[int, float]],
    rng: np.random.Generator,
    negatives: int,
) -> TrainingSet:
    """Rows for labelled (venture row, investor row) pairs plus sampled negatives per query."""
    n_inv = len(features.pool)
    by_venture: dict[int, dict[int, tuple[int, float]]] = {}
    for (v, i), label in labels.items():
        by_venture.setdefault(v, {})[i] = label
    rows, cols, ys, ws, groups = [], [], [], [], []
    for group, (v, pairs) in enumerate(sorted(by_venture.items())):
        for i, (y, w) in sorted(pairs.items()):
            rows.append(v)
            cols.append(i)
            ys.append(y)
            ws.append(w)
            groups.append(group)
        if any(y == 1 for y, _ in pairs.values()):
            pool = np.setdiff1d(np.arange(n_inv), list(pairs))
            for i in rng.choice(pool, size=min(negatives, len(pool)), replace=False):
                rows.append(v)
                cols.append(int(i))
                ys.append(0)
                ws.append(1.0)
                groups.append(group)
    r, c = np.array(rows, np.int64), np.array(cols, np.int64)
    X = features.matrix(r, c) if len(r) else np.zeros((0, len(FEATURES)), np.float32)
    return TrainingSet(X, np.array(ys, np.int64), np.array(ws, np.float64), np.array(groups))


def _link_companies(deals: list[DealRecord]) -> tuple[list[DealRecord], dict[str, int]]:
    """Give imported companies stable negative venture ids, so follow-ons link across rounds."""
    ids: dict[str, int] = {}
    linked = []
    for d in deals:
        if d.venture_id is None:
            d = dataclasses.replace(d, venture_id=ids.setdefault(d.company_key, -1 - len(ids)))
        linked.append(d)
    return linked, ids


def _label_events(
    ventures: list[VentureRecord], deals: list[DealRecord], outcomes: list[Outcome]
) -> list[tuple[dt.date, VentureRecord, int, int, float]]:
    """(date, venture, investor id, label, weight): outcomes, platform deals, imported rounds."""
    by_id = {v.id: v for v in ventures}
    best: dict[tuple[int, int], Outcome] = {}
    for o in outcomes:
        if o.kind not in OUTCOME_LABELS:
            raise ValueError(f"outcome kind {o.kind!r}; expected one of {', '.join(_PRIORITY)}")
        key = (o.venture_id, o.investor_id)
        if key not in best or _PRIORITY.index(o.kind) < _PRIORITY.index(best[key].kind):
            best[key] = o
    events = []
    for (vid, iid), o in best.items():
        if vid in by_id:
            y, w = OUTCOME_LABELS[o.kind]
            if o.kind == "passed" and o.reason in QUALITY_REASONS:
                w *= 0.5  # a pass on the team or traction says less about the fit
            events.append((o.date, by_id[vid], iid, y, w))
    seen_rounds: set[tuple[int, int]] = set()
    for d in deals:
        vid = d.venture_id if d.venture_id is not None else 0
        if (vid, d.investor_id) in best or (vid, d.investor_id) in seen_rounds:
            continue
        seen_rounds.add((vid, d.investor_id))
        if vid in by_id:
            events.append((d.date, by_id[vid], d.investor_id, 1, 1.0))
        elif vid < 0 and d.stage and d.region and d.amount_gbp:
            pseudo = VentureRecord(
                id=vid,
                name=d.company_key,
                sectors=tuple(d.sectors),
                stage=d.stage,
                raise_amount_gbp=int(d.amount_gbp),
                region=d.region,
            )
            events.append((d.date, pseudo, d.investor_id, 1, 1.0))
    return events


def _window_set(
    events: list[tuple[dt.date, VentureRecord, int, int, float]],
    deals: list[DealRecord],
    investors: InvestorFrame,
    vectoriser: TextVectoriser,
    config: FeatureConfig,
    start: dt.date,
    rng: np.random.Generator,
    negatives: int,
) -> TrainingSet:
    """Examples of one window, with features from the history before it (no leakage)."""
    taxonomy = investors.taxonomy
    past = HistoryFrame.from_records([d for d in deals if d.date < start], taxonomy)
    pool = InvestorPool.build(investors, past, vectoriser, config, as_of=start)
    chosen: dict[int, VentureRecord] = {}
    for _, venture, *_ in events:
        chosen.setdefault(venture.id, venture)  # a company's first round in the window
    if not chosen:
        return TrainingSet.concat([])
    frame = VentureFrame.from_records(list(chosen.values()), taxonomy)
    labels: dict[tuple[int, int], tuple[int, float]] = {}
    for _, venture, investor_id, y, w in events:
        if investor_id in investors.index and chosen[venture.id] is venture:
            labels[(frame.index[venture.id], investors.index[investor_id])] = (y, w)
    features = PairFeatures(VentureSide.build(frame, vectoriser), pool, config)
    return examples_for(features, labels, rng, negatives)


def _ranking_quality(est: MatchClassifier, data: TrainingSet) -> dict[str, float]:
    """AUC and NDCG@10 of each query's labelled rows plus its sampled negatives."""
    scores = est.decision_function(data.X)
    rows = []
    for g in np.unique(data.group):
        member = data.group == g
        relevant = np.flatnonzero(data.y[member] == 1)
        if len(relevant):
            rows.append(query_metrics(scores[member], relevant, k=10))
    both = len(np.unique(data.y)) == 2
    auc = float(roc_auc_score(data.y, scores, sample_weight=data.weight)) if both else 0.5
    return {"auc": auc, "ndcg@10": mean_metrics(rows)["ndcg@10"]}


def train_model(
    ventures: VentureInput,
    investors: InvestorInput,
    history: DealInput,
    outcomes: Sequence[Outcome | Mapping[str, Any]],
    taxonomy: Taxonomy,
    *,
    random_state: int = 0,
    config: FeatureConfig | None = None,
    negatives: int = 20,
    window_days: int = 365,
    max_windows: int = 3,
    as_of: dt.date | None = None,
    prior_strength: float = 20.0,
    version: str | None = None,
) -> tuple[MatchModel, dict[str, float]]:
    """Fit on time windows (features from the history before each), validate on the newest.

    Returns the model refitted on every window and metrics on the newest window, for this
    model and for the prior on the same rows (promote a model only if it is no worse).
    """
    config = config or FeatureConfig()
    taxonomy = taxonomy.validate()
    v_records = coerce_all(VentureRecord, ventures)
    deals, _ = _link_companies(coerce_all(DealRecord, history))
    events = _label_events(v_records, deals, coerce_all(Outcome, outcomes))
    frame = InvestorFrame.from_records(investors, taxonomy)
    vectoriser = TextVectoriser.fit(_profile_texts(v_records, frame.records))
    last = max([e[0] for e in events] + [d.date for d in deals], default=dt.date.today())
    end = (as_of or last) + dt.timedelta(days=1)
    rng = np.random.default_rng(random_state)
    sets = []
    for j in reversed(range(max_windows)):
        stop = end - dt.timedelta(days=window_days * j)
        start = stop - dt.timedelta(days=window_days)
        inside = [e for e in events if start <= e[0] < stop]
        sets.append(_window_set(inside, deals, frame, vectoriser, config, start, rng, negatives))
    every = TrainingSet.concat(sets)
    metrics: dict[str, float] = {"rows": float(len(every.y)), "positives": float(every.y.sum())}
    earlier, newest = TrainingSet.concat(sets[:-1]), sets[-1]

    def fit(data: TrainingSet) -> MatchClassifier:
        est = MatchClassifier(
            prior_coef=prior_vector(),
            prior_intercept=PRIOR_INTERCEPT,
            prior_strength=prior_strength,
            random_state=random_state,
        )
        return est.fit(data.X, data.y, sample_weight=data.weight)

    if len(np.unique(earlier.y)) == 2 and newest.y.sum() > 0:
        for name, value in _ranking_quality(fit(earlier), newest).items():
            metrics[f"holdout_{name}"] = value
        for name, value in _ranking_quality(prior_estimator(), newest).items():
            metrics[f"prior_holdout_{name}"] = value
    estimator = fit(every) if len(np.unique(every.y)) == 2 else prior_estimator(prior_strength)
    when = _now()
    model = MatchModel(
        taxonomy=taxonomy,
        estimator=estimator,
        vectoriser=vectoriser,
        config=config,
        metadata=ModelMetadata(
            version=version or when.strftime("%Y%m%dT%H%M%SZ"),
            trained_at=when.isoformat(),
            training_size=len(every.y),
            metrics=metrics,
            library_version=library_version(),
        ),
    )
    return model, metrics
