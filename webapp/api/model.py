"""`GET /api/v1/model`: the model card of the ranker scoring every match list right now."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from webapp.api._openapi import problem_responses
from webapp.services.ranking.model_card import ModelCard, model_card
from webapp.web.auth import SECURITY, api_auth
from webapp.web.db_session import current_settings, get_session

api = APIBlueprint("model_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="model")])


class WeightOut(BaseModel):
    """A feature's weight: log-odds of a match per unit of the feature (fits run 0–1)."""

    code: str
    label: str = Field(description="What the feature means, in plain words")
    weight: float
    prior: float = Field(description="The hand-set weight the learning starts from")
    effect: str = Field(description="raises, lowers or ignores")


class HoldoutOut(BaseModel):
    """Quality on the platform's newest outcomes, ON SAMPLED NEGATIVES (see `note`)."""

    rows: int = Field(description="Labelled pairs plus sampled negatives")
    positives: int
    queries: int = Field(description="Ventures whose investors were ranked")
    ndcg: float = Field(description="NDCG@10 on sampled negatives")
    auc: float = Field(description="AUC on sampled negatives")
    prior_ndcg: float | None = Field(description="The hand-set weights on the same rows")
    prior_auc: float | None
    compared_ndcg: float | None = Field(
        description="The model active when this one was promoted, on the same rows"
    )
    compared_auc: float | None
    learned_ndcg: float | None = Field(
        description="The learned weights, when they ranked these rows worse than the hand-set "
        "ones by NDCG@10 or by AUC (the model then ranks with the hand-set weights, whose "
        "figures are `ndcg` and `auc`; one of the two can be better)"
    )
    learned_auc: float | None
    note: str


class RankerResultOut(BaseModel):
    """One ranking's figures on one subset of past rounds (every investor ranked)."""

    ranker: str
    label: str
    ndcg: float = Field(description="NDCG@10")
    recall: float = Field(description="Recall@10")
    mrr: float


class SubsetOut(BaseModel):
    """All rounds, or the rounds of companies with no earlier round."""

    code: str
    label: str
    rounds: int
    results: list[RankerResultOut]


class HistoryRunOut(BaseModel):
    """The ranker and four baselines on real past rounds (Crunchbase), one time split."""

    role: str = Field(description="test (reported once) or validation (settings chosen here)")
    label: str
    train_before: str
    test_from: str
    test_to: str
    training_rows: int = Field(description="Labelled pairs plus sampled negatives it fitted")
    investors: int
    data_file: str
    measured_at: str
    settings_current: bool = Field(description="Measured with the product's current settings")
    subsets: list[SubsetOut]


class VersionOut(BaseModel):
    """A trained model and whether it was promoted, with the reason."""

    version: str
    trained_at: datetime
    promoted: bool
    promoted_at: datetime | None
    active: bool
    reason: str
    training_size: int
    outcome_count: int | None
    deal_count: int | None
    holdout_ndcg: float | None = Field(description="NDCG@10 on sampled negatives")
    holdout_auc: float | None = Field(description="AUC on sampled negatives")


class OutcomeCountOut(BaseModel):
    """How many labels of one kind the model learned from."""

    kind: str
    count: int


class ModelOut(BaseModel):
    """The active ranker: what it learned from, its weights, its quality, its history."""

    version: str
    is_prior: bool = Field(description="True while no model trained on outcomes is active")
    hand_set_weights: bool = Field(
        description="Trained, but ranks with the hand-set weights: the learned ones did worse"
    )
    trained_at: datetime | None
    training_rows: int = Field(description="Labelled pairs plus sampled negatives it fitted")
    outcome_count: int | None = Field(description="Platform outcomes it learned from")
    deal_count: int | None = Field(description="Past deals its track records come from")
    outcomes_by_kind: list[OutcomeCountOut]
    weights: list[WeightOut]
    intercept: float
    settings: dict[str, Any]
    settings_default: bool = Field(description="Runs with the product's validated settings")
    holdout: HoldoutOut | None
    history: list[HistoryRunOut]
    versions: list[VersionOut] = Field(description="Newest first, at most 50")
    versions_total: int


def card_body(card: ModelCard) -> dict[str, Any]:
    """The card as the API's JSON."""
    data = asdict(card)
    data["weights"] = [{**asdict(w), "effect": w.effect} for w in card.weights]
    data["outcomes_by_kind"] = [{"kind": k, "count": n} for k, n in card.outcomes_by_kind]
    return ModelOut.model_validate(data).model_dump(mode="json")


@api.get(
    "/model",
    security=SECURITY,
    responses={200: ModelOut, **problem_responses(401, 429)},
)
@api_auth()
def get_model() -> tuple[dict[str, Any], int]:
    """The model card (any signed-in role): version, training data, weights, quality, history."""
    card = model_card(session=get_session(), settings=current_settings())
    return card_body(card), 200
