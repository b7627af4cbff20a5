"""The model card: which ranker is live, what it learned from, how good it is, how it got there.

Read-only. Everything comes from the active model, the ModelVersion rows, and the results file
`python -m matching.evaluate --record` ships with the library (quality on real history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

import matching
from matching.evaluate.results import published_results, settings_current
from webapp.config import Settings
from webapp.models import ModelVersion
from webapp.services.ranking.model_registry import PRIOR_VERSION, active_model

HISTORY_LIMIT = 50
# Every holdout figure is measured on each query's labelled pairs plus sampled negatives, not
# on a ranking of every investor: it says so wherever it is shown.
SAMPLED_NOTE = (
    "Measured on sampled negatives: each venture's labelled investors plus up to {negatives} "
    "investors drawn at random as 'not chosen', not on a ranking of every investor."
)
RANKER_LABELS = {
    "model": "venturematch's ranker (these settings)",
    "prior_then_popularity": "The company's earlier investors, then the most active",
    "popularity": "The most active investors",
    "sector_then_popularity": "Investors whose top sector matches, then the most active",
    "random": "Random order",
}
SUBSET_LABELS = {"all": "All rounds", "new_company": "Companies with no earlier round (new)"}
ROLE_LABELS = {
    "test": "Test year (reported once, after every choice was made)",
    "validation": "Validation year (where the settings were chosen)",
}
SETTING_LABELS = {
    "half_life_days": "Days after which a past deal counts half in a track record",
    "last_active_half_life_days": "Days after which an investor's last deal counts as half recent",
    "smoothing": "Pseudo-deals pulling a small track record towards the market's",
    "generalist_fit": "Sector fit of an investor that names no sector",
    "ticket_decades_to_zero": "How far outside the ticket range (×10) a raise stops fitting",
    "stage_steps_to_zero": "Stages away from the mandate at which stage fit reaches zero",
    "window_days": "Days of outcomes in each training window",
    "label_windows": "Training windows the model learns from (newest first)",
    "negatives": "Investors sampled as 'not chosen' per venture in training",
    "prior_strength": "Pseudo-observations holding weights near the hand-set ones",
}
OUTCOME_KIND_LABELS = {
    "invested": "investments",
    "intro_accepted": "accepted introductions",
    "shortlisted": "shortlists",
    "passed": "passes",
    "ignored": "ignored impressions",
}


@dataclass(frozen=True)
class Weight:
    """One feature's weight in words: how much it moves the log-odds of a match."""

    code: str
    label: str
    weight: float
    prior: float

    @property
    def effect(self) -> str:
        """Raises, lowers or leaves the score."""
        return "raises" if self.weight > 0 else "lowers" if self.weight < 0 else "ignores"


Comparison = tuple[str, float, float]  # (measure, learned weights, hand-set weights)


@dataclass(frozen=True)
class Holdout:
    """Quality on the platform's own newest outcomes, beside the prior (and the model it beat)."""

    rows: int
    positives: int
    queries: int
    ndcg: float
    auc: float
    prior_ndcg: float | None
    prior_auc: float | None
    compared_ndcg: float | None  # the model that was active when this one was promoted
    compared_auc: float | None
    learned_ndcg: float | None  # the learned weights, when they lost to the hand-set ones
    learned_auc: float | None
    note: str

    def learned_against_hand_set(self) -> tuple[list[Comparison], list[Comparison]]:
        """(measures the learned weights lost on, the others), each as (label, learned,
        hand-set). They are set aside when they lose on either measure, so the card must name
        the one they lost on: one can be better while the other is worse."""
        lost: list[Comparison] = []
        other: list[Comparison] = []
        for label, learned, hand_set in (("NDCG@10", self.learned_ndcg, self.ndcg),
                                         ("AUC", self.learned_auc, self.auc)):  # fmt: skip
            if learned is not None:
                (lost if learned < hand_set else other).append((label, learned, hand_set))
        return lost, other


@dataclass(frozen=True)
class RankerResult:
    """One ranking's figures on one subset of the historical test."""

    ranker: str
    label: str
    ndcg: float
    recall: float
    mrr: float


@dataclass(frozen=True)
class Subset:
    """A subset of the rounds (all, or new companies) with every ranking's figures."""

    code: str
    label: str
    rounds: int
    results: tuple[RankerResult, ...]


@dataclass(frozen=True)
class HistoryRun:
    """The ranker on real past rounds (Crunchbase 2005–2012), one time split."""

    role: str
    label: str
    train_before: str
    test_from: str
    test_to: str
    training_rows: int
    investors: int
    data_file: str
    measured_at: str
    settings_current: bool
    subsets: tuple[Subset, ...]


@dataclass(frozen=True)
class VersionEntry:
    """A trained model and the promotion decision about it."""

    version: str
    trained_at: datetime
    promoted: bool
    promoted_at: datetime | None
    active: bool
    reason: str
    training_size: int
    outcome_count: int | None
    deal_count: int | None
    holdout_ndcg: float | None
    holdout_auc: float | None


@dataclass(frozen=True)
class ModelCard:
    """Everything the card page and `GET /api/v1/model` show."""

    version: str
    is_prior: bool
    hand_set_weights: bool  # trained, but its learned weights lost: it ranks by hand-set ones
    trained_at: datetime | None
    training_rows: int
    outcome_count: int | None
    deal_count: int | None
    outcomes_by_kind: tuple[tuple[str, int], ...]
    weights: tuple[Weight, ...]
    intercept: float
    settings: dict[str, Any]
    settings_default: bool
    holdout: Holdout | None
    history: tuple[HistoryRun, ...]
    versions: tuple[VersionEntry, ...]
    versions_total: int


def _number(metrics: dict[str, Any], key: str) -> float | None:
    value = metrics.get(key)
    return float(value) if isinstance(value, int | float) else None


def _holdout(metrics: dict[str, Any]) -> Holdout | None:
    ndcg, auc = _number(metrics, "holdout_ndcg@10"), _number(metrics, "holdout_auc")
    if ndcg is None or auc is None:
        return None
    return Holdout(
        rows=int(metrics.get("holdout_rows", 0)),
        positives=int(metrics.get("holdout_positives", 0)),
        queries=int(metrics.get("holdout_queries", 0)),
        ndcg=ndcg,
        auc=auc,
        prior_ndcg=_number(metrics, "prior_holdout_ndcg@10"),
        prior_auc=_number(metrics, "prior_holdout_auc"),
        compared_ndcg=_number(metrics, "active_holdout_ndcg@10"),
        compared_auc=_number(metrics, "active_holdout_auc"),
        learned_ndcg=_number(metrics, "learned_holdout_ndcg@10"),
        learned_auc=_number(metrics, "learned_holdout_auc"),
        note=SAMPLED_NOTE.format(negatives=matching.TrainingConfig().negatives),
    )


def _history_run(role: str, run: dict[str, Any]) -> HistoryRun:
    subsets = []
    for code, entry in run["subsets"].items():
        results = tuple(
            RankerResult(
                ranker=name,
                label=RANKER_LABELS.get(name, name),
                ndcg=float(entry[name]["ndcg@10"]),
                recall=float(entry[name]["recall@10"]),
                mrr=float(entry[name]["mrr"]),
            )
            for name in RANKER_LABELS
            if name in entry
        )
        subsets.append(Subset(code, SUBSET_LABELS.get(code, code), int(entry["rounds"]), results))
    return HistoryRun(
        role=role,
        label=ROLE_LABELS.get(role, role),
        train_before=run["cutoff"],
        test_from=run["cutoff"],
        test_to=run["end"],
        training_rows=int(run["training_rows"]),
        investors=int(run["investors"]),
        data_file=str(run["data"]["file"]),
        measured_at=str(run["measured_at"]),
        settings_current=settings_current(run),
        subsets=tuple(subsets),
    )


def _history() -> tuple[HistoryRun, ...]:
    runs = published_results().get("runs", {})
    order = [role for role in ("test", "validation") if role in runs]
    order += sorted(role for role in runs if role not in order)
    return tuple(_history_run(role, runs[role]) for role in order)


def _entry(row: ModelVersion) -> VersionEntry:
    return VersionEntry(
        version=row.version,
        trained_at=row.trained_at,
        promoted=row.promoted_at is not None or row.active,
        promoted_at=row.promoted_at,
        active=row.active,
        reason=row.notes or "",
        training_size=row.training_size,
        outcome_count=row.outcome_count,
        deal_count=row.deal_count,
        holdout_ndcg=_number(row.metrics, "holdout_ndcg@10"),
        holdout_auc=_number(row.metrics, "holdout_auc"),
    )


def model_card(*, session: Session, settings: Settings) -> ModelCard:
    """The card of the model scoring right now."""
    live = active_model(session=session, settings=settings)
    row = session.exec(
        select(ModelVersion).where(col(ModelVersion.version) == live.version)
    ).first()
    rows = session.exec(
        select(ModelVersion).order_by(col(ModelVersion.trained_at).desc()).limit(HISTORY_LIMIT)
    ).all()
    total = session.exec(select(func.count()).select_from(ModelVersion)).one()
    model = live.model
    coef = model.coef
    weights = sorted(
        (
            Weight(name, matching.FEATURE_LABELS[name], coef[name], matching.PRIOR_WEIGHTS[name])
            for name in matching.FEATURES
        ),
        key=lambda w: -abs(w.weight),
    )
    metrics = dict(row.metrics) if row is not None else {}
    kinds = tuple(
        (OUTCOME_KIND_LABELS[kind], int(metrics[f"labels_{kind}"]))
        for kind in OUTCOME_KIND_LABELS
        if f"labels_{kind}" in metrics
    )
    return ModelCard(
        version=live.version,
        is_prior=live.version == PRIOR_VERSION,
        hand_set_weights=bool(metrics.get("prior_weights")),
        trained_at=row.trained_at if row is not None else None,
        training_rows=int(metrics.get("rows", model.metadata.training_size)),
        outcome_count=row.outcome_count if row is not None else None,
        deal_count=row.deal_count if row is not None else None,
        outcomes_by_kind=kinds,
        weights=tuple(weights),
        intercept=model.intercept,
        settings={
            "features": model.config.to_dict(),
            "training": matching.TrainingConfig().to_dict(),
        },
        settings_default=model.config == matching.FeatureConfig(),
        holdout=_holdout(metrics),
        history=_history(),
        versions=tuple(_entry(r) for r in rows),
        versions_total=int(total),
    )
