"""Which ranker scores everything: the active ModelVersion, loaded once per process.

Public functions:
- `active_model(*, session, settings) -> ActiveModel` — the active version's model, cached per
  process and reloaded when another version becomes active; the prior model (version
  `"prior"`) while none is; if the active artefact is missing or corrupt, the newest loadable
  earlier version (or the prior), so scoring never stops.
- `train_and_promote(*, session, settings, progress=None, now=None) -> TrainingOutcome` —
  train on the platform's labels and history, save the artefact, record a ModelVersion and make
  it active only if its offline metrics are no worse (see `promotion_verdict`); a failed
  training leaves the active model as it was. Commits.
- `promotion_verdict(new, current) -> tuple[bool, str]` — the promotion rule on metric dicts.
- `retrain_due(*, session, threshold=RETRAIN_AFTER_OUTCOMES) -> bool` — enough new outcomes
  (feedback, accepted introductions, investments) since the newest model was trained.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select, update

import matching
from webapp.config import Settings
from webapp.models import ModelVersion, utcnow
from webapp.services import scoring_data, training_data
from webapp.services.locks import begin_write
from webapp.services.taxonomy import matching_taxonomy

log = logging.getLogger(__name__)

PRIOR_VERSION = "prior"
# Offline metrics compared before promotion, each measured on the newest time window.
PROMOTION_METRICS = ("holdout_ndcg@10", "holdout_auc")
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
    new: Mapping[str, float], current: Mapping[str, float] | None
) -> tuple[bool, str]:
    """Promote when every metric is at least the prior's on the same rows and the active one's."""
    if current is None:
        return True, "first trained model"
    missing = [name for name in PROMOTION_METRICS if name not in new]
    if missing:
        return False, f"too few labels to validate ({', '.join(missing)} not measured)"
    for name in PROMOTION_METRICS:
        baseline = new.get(f"prior_{name}")
        if baseline is not None and new[name] < baseline:
            return False, f"{name} {new[name]:.4f} is below the prior's {baseline:.4f}"
        if name in current and new[name] < current[name]:
            return False, f"{name} {new[name]:.4f} is below the active model's {current[name]:.4f}"
    return True, "metrics no worse than the active model's"


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
    session.rollback()  # end the read transaction before the long fit
    version = f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"
    say(f"training on {len(labels)} outcomes and {len(history)} past deals")
    try:
        model, metrics = matching.train_model(
            ventures, investors, history, labels, matching_taxonomy(), version=version
        )
        model, metrics = _better_of_learned_and_prior(model, metrics, ventures, investors)
        say("saving the model artefact")
        path = matching.save_model(model, settings.resolved_model_dir)
    except (matching.MatchingError, ValueError, OSError) as exc:
        log.error("training failed; the active model stays: %s", exc)
        return TrainingOutcome(None, False, f"training failed: {type(exc).__name__}: {exc}")

    begin_write(session=session, name="models")
    current = session.exec(
        select(ModelVersion).where(col(ModelVersion.active) == True)  # noqa: E712
    ).first()
    promote, reason = promotion_verdict(metrics, dict(current.metrics) if current else None)
    row = ModelVersion(
        version=version,
        artefact_path=str(path),
        trained_at=now,
        training_size=model.metadata.training_size,
        metrics={**{k: float(v) for k, v in metrics.items()}, "outcomes": float(outcome_total)},
        features=list(model.metadata.feature_names),
        active=False,
        notes=reason[:500],
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
    session.commit()
    with _cache.lock:
        _cache.models[version] = model
    say(f"model {version}: {'promoted' if promote else 'kept inactive'} ({reason})")
    return TrainingOutcome(version, promote, reason, dict(metrics), model.metadata.training_size)


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
