"""The active model: prior until one is promoted; the previous one stays on any failure."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

import matching
from tests.workers.builders import market
from webapp.config import Settings
from webapp.models import ModelVersion
from webapp.services.model_registry import (
    PRIOR_VERSION,
    active_model,
    promotion_verdict,
    train_and_promote,
)
from webapp.services.taxonomy import matching_taxonomy


def _saved(session: Session, directory: Path, version: str, *, active: bool) -> ModelVersion:
    model = matching.prior_model(matching_taxonomy(), version=version)
    path = matching.save_model(model, directory)
    row = ModelVersion(
        version=version,
        artefact_path=str(path),
        active=active,
        trained_at=datetime(2025, 1, 1, tzinfo=UTC),
        metrics={"holdout_auc": 0.7},
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


@pytest.mark.parametrize(
    ("new", "current", "promoted"),
    [
        ({"holdout_auc": 0.8, "holdout_ndcg@10": 0.5}, None, True),
        (
            {"holdout_auc": 0.8, "holdout_ndcg@10": 0.5},
            {"holdout_auc": 0.8, "holdout_ndcg@10": 0.5},
            True,
        ),
        (
            {"holdout_auc": 0.79, "holdout_ndcg@10": 0.6},
            {"holdout_auc": 0.8, "holdout_ndcg@10": 0.5},
            False,
        ),
        ({"holdout_auc": 0.9, "holdout_ndcg@10": 0.6, "prior_holdout_auc": 0.95}, {}, False),
        ({"rows": 10.0}, {"holdout_auc": 0.8}, False),
    ],
)
def test_promotion_needs_metrics_no_worse(
    new: dict[str, float], current: dict[str, float] | None, promoted: bool
) -> None:
    assert promotion_verdict(new, current)[0] is promoted
