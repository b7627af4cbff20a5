"""Fit the ranker on time windows of labels and validate it on the newest window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.artefacts import library_version
from matching.config import FEATURES, FeatureConfig, TrainingConfig
from matching.estimator import MatchClassifier
from matching.frames import DealInput, InvestorFrame, InvestorInput, VentureInput
from matching.labels import label_events, link_companies
from matching.model import MatchModel, ModelMetadata
from matching.prior import PRIOR_INTERCEPT, prior_vector
from matching.records import DealRecord, Outcome, VentureRecord, coerce_all
from matching.taxonomy import Taxonomy
from matching.text import TextVectoriser
from matching.windows import Holdout, TrainingSet, Window, build_window, ranking_quality


def prior_estimator(prior_strength: float = TrainingConfig.prior_strength) -> MatchClassifier:
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


@dataclass(frozen=True)
class TrainingRun:
    """A trained model, its metrics, and the holdout it was validated on (None: too few labels).

    Metrics: `rows`/`positives` of the served fit; `holdout_auc`/`holdout_ndcg@10` of a fit on
    the windows before the newest, scored on the newest window's labelled pairs plus sampled
    negatives (so they are not the quality of a full ranking); `prior_holdout_*` the hand-set
    weights on the same rows; `holdout_rows`/`holdout_positives`/`holdout_queries` its size.
    """

    model: MatchModel
    metrics: dict[str, float]
    holdout: Holdout | None


def _fit(data: TrainingSet, training: TrainingConfig, random_state: int) -> MatchClassifier:
    est = MatchClassifier(
        prior_coef=prior_vector(),
        prior_intercept=PRIOR_INTERCEPT,
        prior_strength=training.prior_strength,
        random_state=random_state,
    )
    return est.fit(data.X, data.y, sample_weight=data.weight)


def train_and_validate(
    ventures: VentureInput,
    investors: InvestorInput,
    history: DealInput,
    outcomes: Sequence[Outcome | Mapping[str, Any]],
    taxonomy: Taxonomy,
    *,
    config: FeatureConfig | None = None,
    training: TrainingConfig | None = None,
    as_of: dt.date | None = None,
    unplaced_region: str | None = None,
    validate: bool = True,
    holdout_from: dt.date | None = None,
    random_state: int = 0,
    version: str | None = None,
) -> TrainingRun:
    """Fit on the newest label windows; validate a fit on the windows before them.

    `as_of`: the last day whose labels count (default: the newest label or deal).
    `unplaced_region`: the taxonomy's region code for "not recorded", if it has one (see
    `label_events`). With `validate=False` the holdout fit is skipped; the served model is
    the same. `holdout_from` starts the holdout later than the newest window (e.g. the day the
    active model was trained, so that no model compared on it has learned from its labels).
    """
    config = config or FeatureConfig()
    training = training or TrainingConfig()
    taxonomy = taxonomy.validate()
    v_records = coerce_all(VentureRecord, ventures)
    deals = link_companies(coerce_all(DealRecord, history))
    events = label_events(
        v_records, deals, coerce_all(Outcome, outcomes), unplaced_region=unplaced_region
    )
    frame = InvestorFrame.from_records(investors, taxonomy)
    vectoriser = TextVectoriser.fit(_profile_texts(v_records, frame.records))
    last = max([e.date for e in events] + [d.date for d in deals], default=dt.date.today())
    end = (as_of or last) + dt.timedelta(days=1)
    span = dt.timedelta(days=training.window_days)
    built: dict[tuple[dt.date, dt.date], Window] = {}

    def window(start: dt.date, stop: dt.date) -> Window:
        """Labels dated start…stop (exclusive) with features from before `start`, built once."""
        if (start, stop) not in built:
            inside = [e for e in events if start <= e.date < stop]
            # One generator per window: skipping validation leaves the served rows alike.
            rng = np.random.default_rng([random_state, start.toordinal()])
            built[start, stop] = build_window(
                inside, deals, frame, vectoriser, config, start, rng, training.negatives
            )
        return built[start, stop]

    def windows_until(stop: dt.date) -> TrainingSet:
        """`label_windows` windows ending at `stop`, oldest first."""
        starts = [stop - span * n for n in range(training.label_windows, 0, -1)]
        return TrainingSet.concat([window(start, start + span).data for start in starts])

    served = windows_until(end)
    metrics: dict[str, float] = {"rows": float(len(served.y)), "positives": float(served.y.sum())}
    holdout = None
    check_from = max(end - span, holdout_from or end - span)
    newest = window(check_from, end)
    if validate and newest.data.y.sum() > 0 and (earlier := windows_until(check_from)).learnable:
        past = tuple(d for d in deals if d.date < check_from)
        holdout = Holdout(newest, frame.records, past)
        X = newest.data.X
        candidate = _fit(earlier, training, random_state).decision_function(X)
        prior = prior_estimator(training.prior_strength).decision_function(X)
        for prefix, scores in (("", candidate), ("prior_", prior)):
            for name, value in ranking_quality(scores, newest.data).items():
                metrics[f"{prefix}holdout_{name}"] = value
        metrics["holdout_rows"] = float(len(newest.data.y))
        metrics["holdout_positives"] = float(newest.data.y.sum())
        metrics["holdout_queries"] = float(len(np.unique(newest.data.group)))
    estimator = (
        _fit(served, training, random_state)
        if served.learnable
        else prior_estimator(training.prior_strength)
    )
    when = _now()
    model = MatchModel(
        taxonomy=taxonomy,
        estimator=estimator,
        vectoriser=vectoriser,
        config=config,
        metadata=ModelMetadata(
            version=version or when.strftime("%Y%m%dT%H%M%SZ"),
            trained_at=when.isoformat(),
            training_size=len(served.y),
            metrics=metrics,
            library_version=library_version(),
        ),
    )
    return TrainingRun(model, metrics, holdout)


def train_model(
    ventures: VentureInput,
    investors: InvestorInput,
    history: DealInput,
    outcomes: Sequence[Outcome | Mapping[str, Any]],
    taxonomy: Taxonomy,
    *,
    config: FeatureConfig | None = None,
    training: TrainingConfig | None = None,
    as_of: dt.date | None = None,
    random_state: int = 0,
    version: str | None = None,
) -> tuple[MatchModel, dict[str, float]]:
    """`train_and_validate` for callers that need only the model and its metrics."""
    run = train_and_validate(
        ventures,
        investors,
        history,
        outcomes,
        taxonomy,
        config=config,
        training=training,
        as_of=as_of,
        random_state=random_state,
        version=version,
    )
    return run.model, run.metrics
