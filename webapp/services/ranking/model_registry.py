"""Which ranker scores everything: the active ModelVersion, loaded once per process.

The prior model (version `"prior"`) scores while no trained model is active; if the active
artefact is missing or corrupt, the newest loadable earlier version does, so scoring never
stops. A trained model becomes active only if, on the very same holdout rows (the same pairs,
the same sampled negatives), it is no worse than the prior and than the active model.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select, update

import matching
from webapp.config import Settings
from webapp.models import ModelVersion, utcnow
from webapp.services.common.locks import begin_write
from webapp.services.common.taxonomy import matching_taxonomy
from webapp.services.ranking import scoring_data, training_data

log = logging.getLogger(__name__)

PRIOR_VERSION = "prior"
# Offline metrics compared before promotion, each measured on the holdout rows, for the
# candidate (`holdout_*`), the prior (`prior_holdout_*`) and the active model
# (`active_holdout_*`).
PROMOTION_METRICS = ("holdout_ndcg@10", "holdout_auc")
METRIC_LABELS = {"holdout_ndcg@10": "NDCG@10", "holdout_auc": "AUC"}
RETRY_BROKEN_ARTEFACT_S = 60.0
RETRAIN_AFTER_OUTCOMES = 200


@dataclass(frozen=True)
class ActiveModel:
    """A loaded model and the version string stored with every score it produced."""

    model: matching.MatchModel
    version: str


@dataclass(frozen=True)
class TrainingOutcome:
    """What a training run produced and whether it now scores everything."""

    version: str | None
    promoted: bool
    reason: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    training_size: int = 0


class _Cache:
    """Per-process models by version, plus versions whose artefact failed to load recently."""

    def __init__(self) -> None:
        self.models: dict[str, matching.MatchModel] = {}
        self.broken: dict[str, float] = {}
        self.lock = threading.Lock()


_cache = _Cache()


def _prior() -> matching.MatchModel:
    with _cache.lock:
        model = _cache.models.get(PRIOR_VERSION)
        if model is None:
            # No vocabulary: every process builds the very same prior, whatever the data.
            model = matching.prior_model(matching_taxonomy(), version=PRIOR_VERSION)
            _cache.models[PRIOR_VERSION] = model
        return model


def _load(row: ModelVersion) -> matching.MatchModel | None:
    """The row's model from the cache or its artefact; None if the artefact is unusable."""
    with _cache.lock:
        if row.version in _cache.models:
            return _cache.models[row.version]
        failed_at = _cache.broken.get(row.version)
        if failed_at is not None and time.monotonic() - failed_at < RETRY_BROKEN_ARTEFACT_S:
            return None
    path = Path(row.artefact_path)
    try:
        model = matching.load_model(path.parent, version=path.name)
    except matching.ArtefactError as exc:
        log.error("model %s cannot be loaded (%s); keeping the previous model", row.version, exc)
        with _cache.lock:
            _cache.broken[row.version] = time.monotonic()
        return None
    with _cache.lock:
        _cache.models[row.version] = model
    return model


def active_model(*, session: Session, settings: Settings) -> ActiveModel:  # noqa: ARG001
    """The model that should score right now (one indexed query when nothing changed)."""
    active = session.exec(
        select(ModelVersion).where(col(ModelVersion.active) == True)  # noqa: E712
    ).first()
    if active is None:
        return ActiveModel(_prior(), PRIOR_VERSION)
    model = _load(active)
    if model is not None:
        return ActiveModel(model, active.version)
    earlier = session.exec(
        select(ModelVersion)
        .where(col(ModelVersion.id) != active.id)
        .order_by(col(ModelVersion.trained_at).desc())
    ).all()
    for row in earlier:
        fallback = _load(row)
        if fallback is not None:
            return ActiveModel(fallback, row.version)
    return ActiveModel(_prior(), PRIOR_VERSION)


def promotion_verdict(
    metrics: Mapping[str, float], *, active_version: str | None
) -> tuple[bool, str]:
    """Promote when the candidate is no worse than the prior (and than the active trained
    model, if there is one) on every promotion metric, all measured on the same holdout rows."""
    if any(name not in metrics for name in PROMOTION_METRICS):
        since = f" since active model {active_version} was trained" if active_version else ""
        return False, f"too few labels{since} to hold some back and validate it"
    rows = int(metrics.get("holdout_rows", 0))
    pairs = f"on the same {rows:,} held-back pairs (sampled negatives)"
    for name in PROMOTION_METRICS:
        rivals = [("the hand-set weights", metrics.get(f"prior_{name}"))]
        if active_version is not None:
            rivals.append((f"active model {active_version}", metrics.get(f"active_{name}")))
        for rival, value in rivals:
            label = METRIC_LABELS[name]
            if value is None and rival != "the hand-set weights":
                return False, f"{rival} could not be scored {pairs}"
            if value is not None and metrics[name] < value:
                return False, f"{label} {metrics[name]:.4f} is below {rival}: {value:.4f} {pairs}"
    rival = f"active model {active_version} and " if active_version else ""
    return True, f"no worse than {rival}the hand-set weights {pairs}"


def train_and_promote(
    *,
    session: Session,
    settings: Settings,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> TrainingOutcome:
    """Train, save, record, and promote if no worse; the previous model stays on any failure."""
    say = progress or (lambda _message: None)
    now = now or utcnow()
    say("reading ventures, investors, history and outcomes")
    ventures = scoring_data.venture_rows(session=session)
    investors = scoring_data.investor_rows(session=session)
    history = scoring_data.history_rows(session=session)
    labels = training_data.outcomes(session=session, now=now)
    outcome_total = training_data.outcome_count(session=session)
    active = active_model(session=session, settings=settings)  # what scores now
    active_row = _active_row(session)
    scoring_row = session.exec(
        select(ModelVersion).where(col(ModelVersion.version) == active.version)
    ).first()
    session.rollback()  # end the read transaction before the long fit
    trained = scoring_row is not None
    # Hold out only labels the active model has not learned from, so the comparison is fair.
    holdout_from = scoring_row.trained_at.date() + timedelta(days=1) if scoring_row else None
    version = f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"
    say(f"training on {len(labels)} outcomes and {len(history)} past deals")
    try:
        run = matching.train_and_validate(
            ventures,
            investors,
            history,
            labels,
            matching_taxonomy(),
            holdout_from=holdout_from,
            version=version,
        )
        model, metrics = _better_of_learned_and_prior(run.model, run.metrics, ventures, investors)
        unscorable = None
        if trained and run.holdout is not None:
            try:
                quality = run.holdout.score(active.model)
                metrics.update({f"active_holdout_{k}": v for k, v in quality.items()})
            except matching.MatchingError as exc:
                # e.g. an older taxonomy that lacks a code today's data uses
                unscorable = f"active model {active.version} cannot score the holdout: {exc}"
        say("saving the model artefact")
        path = matching.save_model(model, settings.resolved_model_dir)
    except (matching.MatchingError, ValueError, OSError) as exc:
        log.error("training failed; the active model stays: %s", exc)
        return TrainingOutcome(None, False, f"training failed: {type(exc).__name__}: {exc}")

    begin_write(session=session, name="models")
    current = _active_row(session)
    if (current.version if current else None) != (active_row.version if active_row else None):
        promote, reason = False, "another model became active while this one trained"
    else:
        rival = active.version if trained and unscorable is None else None
        promote, reason = promotion_verdict(metrics, active_version=rival)
        if unscorable:
            reason = f"{unscorable}; {reason}"
        if metrics.get("prior_weights"):
            reason = f"its learned weights did worse, so it keeps the hand-set ones; {reason}"
    counts = Counter(str(label["kind"]) for label in labels)
    row = ModelVersion(
        version=version,
        artefact_path=str(path),
        trained_at=now,
        training_size=model.metadata.training_size,
        metrics={
            **{k: float(v) for k, v in metrics.items()},
            **{f"labels_{kind}": float(n) for kind, n in sorted(counts.items())},
            "outcomes": float(outcome_total),
        },
        features=list(model.metadata.feature_names),
        active=False,
        notes=reason[:500],
        outcome_count=len(labels),
        deal_count=len(history),
    )
    session.add(row)
    session.flush()
    if promote:
        # The partial unique index allows one active row: switch the old one off first.
        session.exec(
            update(ModelVersion)
            .where(col(ModelVersion.active) == True)  # noqa: E712
            .values(active=False)
        )
        session.flush()
        row.active = True
        row.promoted_at = now
    session.commit()
    with _cache.lock:
        _cache.models[version] = model
    say(f"model {version}: {'promoted' if promote else 'kept inactive'} ({reason})")
    return TrainingOutcome(version, promote, reason, dict(metrics), model.metadata.training_size)


def _active_row(session: Session) -> ModelVersion | None:
    return session.exec(
        select(ModelVersion).where(col(ModelVersion.active) == True)  # noqa: E712
    ).first()


def _better_of_learned_and_prior(
    learned: matching.MatchModel,
    metrics: Mapping[str, float],
    ventures: list[dict[str, object]],
    investors: list[dict[str, object]],
) -> tuple[matching.MatchModel, dict[str, float]]:
    """The learned model, or the prior weights (with the same vocabulary) when they validated
    better on the same rows: then the prior is what gets saved and compared for promotion."""
    worse = [
        name
        for name in PROMOTION_METRICS
        if name in metrics
        and f"prior_{name}" in metrics
        and metrics[name] < metrics[f"prior_{name}"]
    ]
    if not worse:
        return learned, dict(metrics)
    prior = matching.prior_model(
        matching_taxonomy(),
        ventures=ventures,
        investors=investors,
        version=learned.metadata.version,
    )
    chosen = {f"learned_{name}": metrics[name] for name in PROMOTION_METRICS if name in metrics}
    chosen.update({name: metrics[f"prior_{name}"] for name in PROMOTION_METRICS if name in metrics})
    merged = {**dict(metrics), **chosen, "prior_weights": 1.0}
    return prior, merged


def retrain_due(*, session: Session, threshold: int = RETRAIN_AFTER_OUTCOMES) -> bool:
    """True when `threshold` outcomes arrived since the newest model (active or not) was trained."""
    newest = session.exec(
        select(ModelVersion).order_by(col(ModelVersion.trained_at).desc()).limit(1)
    ).first()
    seen = float(newest.metrics.get("outcomes", 0.0)) if newest else 0.0
    return training_data.outcome_count(session=session) - seen >= threshold
