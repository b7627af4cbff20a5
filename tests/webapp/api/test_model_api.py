"""`GET /api/v1/model`: the model card for every signed-in role, documented in OpenAPI."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

import matching
from tests.factories import StaffFactory
from tests.webapp.api.helpers import Caller
from tests.webapp.ventures.parties import Founder, Investor
from tests.workers.builders import preference_market
from webapp.config import Settings
from webapp.models import User
from webapp.services.ranking.model_registry import train_and_promote

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def test_signed_out_callers_get_a_problem(as_user: Callable[[User | None], Caller]) -> None:
    response = as_user(None).get("/api/v1/model")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_every_role_reads_the_prior_card_with_labelled_weights_and_history(
    as_user: Callable[[User | None], Caller], founder: Founder, investor: Investor
) -> None:
    for user in (founder.user, investor.user, StaffFactory()):
        response = as_user(user).get("/api/v1/model")
        assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["version"], body["is_prior"], body["holdout"]) == ("prior", True, None)
    weights = {w["code"]: w for w in body["weights"]}
    assert set(weights) == set(matching.FEATURES)
    assert weights["sector_fit"]["label"] == matching.FEATURE_LABELS["sector_fit"]
    assert weights["sector_fit"]["weight"] == weights["sector_fit"]["prior"] > 0
    assert weights["sector_fit"]["effect"] == "raises"
    # The shipped results measure today's settings: the published number is the model we run.
    runs = {run["role"]: run for run in body["history"]}
    assert {"test", "validation"} <= set(runs)
    test = runs["test"]
    assert (test["test_from"], test["test_to"]) == ("2012-01-01", "2012-12-31")
    assert test["settings_current"] is True
    subsets = {s["code"]: s for s in test["subsets"]}
    assert set(subsets) == {"all", "new_company"}
    rankers = {r["ranker"] for r in subsets["new_company"]["results"]}
    assert rankers == {
        "model", "popularity", "random", "sector_then_popularity", "prior_then_popularity",
    }  # fmt: skip
    assert body["settings_default"] is True


def test_a_trained_model_shows_what_it_learned_from_and_its_promotion(
    as_user: Callable[[User | None], Caller],
    session: Session,
    settings: Settings,
    investor: Investor,
    tmp_path: Path,
) -> None:
    lesson = preference_market(random.Random(2), NOW)
    here = settings.model_copy(update={"model_dir": tmp_path})
    first = train_and_promote(session=session, settings=here, now=NOW)
    second = train_and_promote(session=session, settings=here, now=NOW)  # nothing new
    assert first.promoted
    assert not second.promoted
    body = as_user(investor.user).get("/api/v1/model").get_json()
    assert body["version"] == first.version
    assert body["is_prior"] is False
    assert body["outcome_count"] == len(lesson.group) * (len(lesson.passed) + len(lesson.kept))
    assert body["deal_count"] == 0
    kinds = {k["kind"]: k["count"] for k in body["outcomes_by_kind"]}
    assert kinds == {"passes": 100, "shortlists": 100}
    holdout = body["holdout"]
    assert "sampled" in holdout["note"]
    assert holdout["rows"] > holdout["positives"] > 0
    assert holdout["ndcg"] >= holdout["prior_ndcg"]
    versions = {v["version"]: v for v in body["versions"]}
    assert versions[first.version]["promoted"]
    assert versions[first.version]["active"]
    assert not versions[second.version]["promoted"]
    assert versions[second.version]["reason"] == second.reason
    assert body["versions_total"] == 2
    learned = {w["code"]: w["weight"] for w in body["weights"]}
    assert learned != {w["code"]: w["prior"] for w in body["weights"]}


@pytest.mark.parametrize("path", ["/api/v1/model"])
def test_the_card_is_documented(client: FlaskClient, path: str) -> None:
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"][path]["get"]
    assert set(operation["responses"]) >= {"200", "401"}
    schema = document["components"]["schemas"]["ModelOut"]
    assert {"weights", "holdout", "history", "versions"} <= set(schema["properties"])
    assert "SAMPLED NEGATIVES" in document["components"]["schemas"]["HoldoutOut"]["description"]


def test_a_model_that_kept_the_hand_set_weights_says_so(
    as_user: Callable[[User | None], Caller], session: Session, investor: Investor, tmp_path: Path
) -> None:
    from webapp.models import ModelVersion
    from webapp.services.common.taxonomy import matching_taxonomy

    model = matching.prior_model(matching_taxonomy(), version="v-kept")
    path = matching.save_model(model, tmp_path)
    metrics = {"rows": 900.0, "holdout_ndcg@10": 0.53, "holdout_auc": 0.89,
               "prior_holdout_ndcg@10": 0.53, "prior_holdout_auc": 0.89, "holdout_rows": 900.0,
               "learned_holdout_ndcg@10": 0.51, "learned_holdout_auc": 0.88,
               "prior_weights": 1.0}  # fmt: skip
    session.add(ModelVersion(version="v-kept", artefact_path=str(path), trained_at=NOW,
                             metrics=metrics, active=True, promoted_at=NOW))  # fmt: skip
    session.commit()
    body = as_user(investor.user).get("/api/v1/model").get_json()
    assert (body["version"], body["is_prior"], body["hand_set_weights"]) == ("v-kept", False, True)
    assert body["training_rows"] == 900
    assert (body["holdout"]["learned_ndcg"], body["holdout"]["ndcg"]) == (0.51, 0.53)
