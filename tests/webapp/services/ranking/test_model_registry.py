"""The active model: prior until one is promoted; the previous one stays on any failure."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

import matching
from tests.workers.builders import market, preference_market
from webapp.config import Settings
from webapp.models import ModelVersion
from webapp.services.common.taxonomy import matching_taxonomy
from webapp.services.ranking.model_registry import (
    PRIOR_VERSION,
    active_model,
    promotion_verdict,
    train_and_promote,
)

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def _saved(
    session: Session,
    directory: Path,
    version: str,
    *,
    active: bool,
    trained_at: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    metrics: dict[str, float] | None = None,
    backwards: bool = False,
) -> ModelVersion:
    model = matching.prior_model(matching_taxonomy(), version=version)
    if backwards:  # a model that ranks sector fit the wrong way round
        coef = model.estimator.coef_.copy()
        coef[matching.FEATURES.index("sector_fit")] = -matching.PRIOR_WEIGHTS["sector_fit"]
        model.estimator.coef_ = coef
    path = matching.save_model(model, directory)
    row = ModelVersion(
        version=version,
        artefact_path=str(path),
        active=active,
        trained_at=trained_at,
        metrics=metrics or {"holdout_auc": 0.7},
    )
    session.add(row)
    session.commit()
    return row


def test_the_prior_scores_until_a_model_is_promoted(session: Session, settings: Settings) -> None:
    assert active_model(session=session, settings=settings).version == PRIOR_VERSION


def test_a_corrupt_active_artefact_falls_back_to_the_previous_model(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    _saved(session, tmp_path, "v-good", active=False)
    broken = _saved(session, tmp_path, "v-broken", active=True)
    (Path(broken.artefact_path) / "model.json").write_text("{not json", encoding="utf-8")
    assert active_model(session=session, settings=settings).version == "v-good"


def test_a_failed_training_keeps_the_active_model(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    _saved(session, tmp_path, "v-live", active=True)
    market(random.Random(1), ventures=8, investors=3)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the model directory should be", encoding="utf-8")
    outcome = train_and_promote(
        session=session, settings=settings.model_copy(update={"model_dir": blocked})
    )
    assert outcome.version is None
    assert not outcome.promoted
    assert "training failed" in outcome.reason
    assert active_model(session=session, settings=settings).version == "v-live"


def test_a_first_model_is_promoted_when_it_beats_the_prior_on_held_back_outcomes(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    lesson = preference_market(random.Random(2), NOW)
    outcome = train_and_promote(
        session=session, settings=settings.model_copy(update={"model_dir": tmp_path}), now=NOW
    )
    assert outcome.promoted, outcome.reason
    assert "no worse than the hand-set weights on the same" in outcome.reason
    assert outcome.metrics["holdout_ndcg@10"] >= outcome.metrics["prior_holdout_ndcg@10"]
    row = session.exec(select(ModelVersion).where(ModelVersion.version == outcome.version)).one()
    assert row.active
    assert row.promoted_at == NOW
    assert row.outcome_count == len(lesson.group) * (len(lesson.passed) + len(lesson.kept))
    assert row.deal_count == 0
    assert row.metrics["labels_passed"] == len(lesson.group) * len(lesson.passed)
    assert active_model(session=session, settings=settings).version == outcome.version


def test_the_active_model_is_judged_on_the_same_rows_not_on_its_stored_figures(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    preference_market(random.Random(2), NOW)
    # Stored figures from some other window look unbeatable; on today's rows it is poor.
    _saved(session, tmp_path, "v-backwards", active=True, backwards=True,
           metrics={"holdout_ndcg@10": 1.0, "holdout_auc": 1.0})  # fmt: skip
    outcome = train_and_promote(
        session=session, settings=settings.model_copy(update={"model_dir": tmp_path}), now=NOW
    )
    assert outcome.promoted, outcome.reason
    assert "active model v-backwards" in outcome.reason
    assert outcome.metrics["holdout_auc"] < 1.0  # below the stored figure, promoted all the same
    for name in ("holdout_ndcg@10", "holdout_auc"):
        assert outcome.metrics[f"active_{name}"] < outcome.metrics[name]


def test_without_outcomes_newer_than_the_active_model_nothing_is_promoted(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    preference_market(random.Random(2), NOW)
    _saved(session, tmp_path, "v-current", active=True, trained_at=NOW, backwards=True)
    outcome = train_and_promote(
        session=session, settings=settings.model_copy(update={"model_dir": tmp_path}), now=NOW
    )
    assert not outcome.promoted
    assert outcome.reason.startswith("too few labels since active model v-current was trained")
    assert active_model(session=session, settings=settings).version == "v-current"
    row = session.exec(select(ModelVersion).where(ModelVersion.version == outcome.version)).one()
    assert (row.active, row.promoted_at, row.notes) == (False, None, outcome.reason)


SAME_ROWS = {"holdout_rows": 500.0}


@pytest.mark.parametrize(
    ("metrics", "active_version", "promoted"),
    [
        ({"holdout_auc": 0.8, "holdout_ndcg@10": 0.5, **SAME_ROWS}, None, True),
        (
            {"holdout_auc": 0.8, "holdout_ndcg@10": 0.5, "prior_holdout_auc": 0.8,
             "prior_holdout_ndcg@10": 0.5, "active_holdout_auc": 0.8,
             "active_holdout_ndcg@10": 0.5, **SAME_ROWS},
            "v1",
            True,
        ),
        (
            {"holdout_auc": 0.79, "holdout_ndcg@10": 0.6, "active_holdout_auc": 0.8,
             "active_holdout_ndcg@10": 0.5, **SAME_ROWS},
            "v1",
            False,
        ),
        ({"holdout_auc": 0.9, "holdout_ndcg@10": 0.6, "prior_holdout_auc": 0.95}, None, False),
        ({"holdout_auc": 0.9, "holdout_ndcg@10": 0.6}, "v1", False),  # active not scored
        ({"rows": 10.0}, None, False),  # no holdout: never promoted unvalidated
    ],
)  # fmt: skip
def test_promotion_needs_metrics_no_worse_on_the_same_rows(
    metrics: dict[str, float], active_version: str | None, promoted: bool
) -> None:
    assert promotion_verdict(metrics, active_version=active_version)[0] is promoted
