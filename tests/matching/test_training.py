"""Training learns from outcomes and history, is deterministic, and reports metrics."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    PRIOR_WEIGHTS,
    MatchClassifier,
    TrainingConfig,
    prior_model,
    train_and_validate,
    train_model,
)
from matching.config import FEATURES
from matching.prior import PRIOR_INTERCEPT, prior_vector
from tests.matching.factories import TAXONOMY, deal, investor, outcome, venture


def _market(seed=0):
    """Ventures in two sectors; investors who say 'any sector' but only ever back one."""
    rng = np.random.default_rng(seed)
    vs = [
        venture(id=n + 1, sectors=("ai",) if n % 2 else ("diagnostics",), summary="")
        for n in range(60)
    ]
    inv = [investor(id=1000 + n, sectors=(), thesis="") for n in range(12)]
    history, outcomes = [], []
    for n in range(400):
        who = 1000 + int(rng.integers(12))
        likes = ("ai",) if who % 2 else ("diagnostics",)
        day = dt.date(2022, 1, 1) + dt.timedelta(days=int(rng.integers(0, 900)))
        history.append(deal(who, sectors=likes, company_key=f"c{n}", date=day))
    for v in vs:
        fans = [i.id for i in inv if (i.id % 2 == 1) == (v.sectors == ("ai",))]
        day = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 300)))
        outcomes.append(outcome(v.id, fans[v.id % len(fans)], "invested", date=day))
        outcomes.append(outcome(v.id, fans[(v.id + 1) % len(fans)], "ignored", date=day))
    return vs, inv, history, outcomes


def test_training_learns_track_record_and_is_deterministic():
    vs, inv, history, outcomes = _market()
    a, metrics = train_model(vs, inv, history, outcomes, TAXONOMY, random_state=3)
    b, _ = train_model(vs, inv, history, outcomes, TAXONOMY, random_state=3)
    assert a.coef == b.coef
    # The prior barely uses the track record; these outcomes teach that it decides.
    assert a.coef["track_sector"] > PRIOR_WEIGHTS["track_sector"] + 0.5
    assert metrics["positives"] > 0
    assert {"holdout_ndcg@10", "prior_holdout_ndcg@10", "holdout_auc"} <= metrics.keys()
    assert a.metadata.training_size == metrics["rows"]
    ranking = a.rank_investors_for_venture(vs[1], inv, k=12, history=history)
    assert ranking == b.rank_investors_for_venture(vs[1], inv, k=12, history=history)


def test_without_labels_the_prior_is_returned():
    model, metrics = train_model([venture()], [investor()], [], [], TAXONOMY)
    assert metrics["positives"] == 0
    np.testing.assert_allclose(model.estimator.coef_, prior_vector())


def test_unknown_outcome_kind_is_refused():
    v, i = venture(), investor()
    with pytest.raises(ValueError, match="outcome kind 'liked'"):
        train_model([v], [i], [], [outcome(v.id, i.id, "liked")], TAXONOMY)


def test_any_model_is_scored_on_the_same_holdout_rows():
    vs, inv, history, outcomes = _SMALL
    run = train_and_validate(vs, inv, history, outcomes, TAXONOMY)
    assert run.holdout is not None
    # The prior with the same vocabulary recomputes the very rows the prior was scored on.
    prior = prior_model(TAXONOMY, ventures=vs, investors=inv)
    again = run.holdout.score(prior)
    assert again["ndcg@10"] == pytest.approx(run.metrics["prior_holdout_ndcg@10"])
    assert again["auc"] == pytest.approx(run.metrics["prior_holdout_auc"])
    assert run.metrics["holdout_rows"] == len(run.holdout.data.y)


def test_validation_does_not_change_the_served_model():
    vs, inv, history, outcomes = _SMALL
    checked = train_and_validate(vs, inv, history, outcomes, TAXONOMY)
    unchecked = train_and_validate(vs, inv, history, outcomes, TAXONOMY, validate=False)
    assert unchecked.holdout is None
    assert "holdout_auc" not in unchecked.metrics
    assert checked.model.coef == unchecked.model.coef


def test_the_holdout_can_start_after_a_given_day():
    vs, inv, history, outcomes = _SMALL
    whole = train_and_validate(vs, inv, history, outcomes, TAXONOMY)
    later = train_and_validate(
        vs, inv, history, outcomes, TAXONOMY, holdout_from=dt.date(2024, 7, 1)
    )
    assert later.holdout is not None
    assert 0 < later.metrics["holdout_positives"] < whole.metrics["holdout_positives"]
    assert later.holdout.window.start == dt.date(2024, 7, 1)
    assert later.model.coef == whole.model.coef  # the served model learns from every window


def test_no_holdout_without_labels_before_it():
    vs, inv, history, outcomes = _SMALL
    one_window = TrainingConfig(window_days=2000)  # every label in the newest window
    run = train_and_validate(vs, inv, history, outcomes, TAXONOMY, training=one_window)
    assert run.holdout is None
    assert run.metrics["positives"] > 0


def test_few_labels_stay_close_to_the_prior_and_many_move_away():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, len(FEATURES)))
    y = (X[:, 0] < 0).astype(int)  # the data says: sector fit hurts (the prior says it helps)

    def fitted(n):
        est = MatchClassifier(
            prior_coef=prior_vector(),
            prior_intercept=PRIOR_INTERCEPT,
            prior_strength=20.0,
            calibration="none",
        )
        return est.fit(X[:n], y[:n]).coef_[0]

    assert fitted(10) > 1.0
    assert fitted(4000) < 0.0


def test_calibrated_probabilities_match_frequencies():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6000, 2))
    p = 1 / (1 + np.exp(-(1.5 * X[:, 0] - 1.0)))
    y = (rng.random(6000) < p).astype(int)
    est = MatchClassifier(random_state=0).fit(X, y)
    assert est.calibration_ != (1.0, 0.0)
    predicted = est.predict_proba(X)[:, 1]
    for low in (0.1, 0.3, 0.5, 0.7):
        band = (predicted >= low) & (predicted < low + 0.2)
        assert abs(predicted[band].mean() - y[band].mean()) < 0.05


@settings(max_examples=3, deadline=None)  # each example trains twice (about a second)
@given(seed=st.integers(0, 2**16))
def test_same_seed_same_ranking(seed):
    vs, inv, history, outcomes = _SMALL
    a, _ = train_model(vs, inv, history, outcomes, TAXONOMY, random_state=seed)
    b, _ = train_model(vs, inv, history, outcomes, TAXONOMY, random_state=seed)
    for v in vs[:3]:
        assert a.rank_investors_for_venture(v, inv, history=history) == (
            b.rank_investors_for_venture(v, inv, history=history)
        )


_SMALL = _market(seed=5)
