"""Interaction features on a tiny hand-made history: seasoned ventures and their backers."""

import dataclasses
import datetime as dt

import numpy as np
import pytest

from matching.config import FEATURES, INTERACTIONS
from matching.features import PairFeatures
from tests.matching.factories import deal, investor, venture

AS_OF = dt.date(2024, 12, 28)  # 180 days after the backer's latest deal
BACKER, PARTNER, NEWCOMER = 1, 2, 3
SEASONED, FRESH = 77, 78


@pytest.fixture
def features(model):
    history = [
        deal(BACKER, venture_id=SEASONED, company_key="assay", date=dt.date(2024, 1, 1)),
        deal(BACKER, venture_id=SEASONED, company_key="assay", date=dt.date(2024, 7, 1)),
        deal(BACKER, company_key="other", date=dt.date(2023, 7, 1)),
        deal(PARTNER, company_key="other", date=dt.date(2023, 7, 1)),
    ]
    people = [investor(id=BACKER), investor(id=PARTNER), investor(id=NEWCOMER)]
    pool = model.prepare(people, history, as_of=AS_OF)
    return model.pair_features([venture(id=SEASONED), venture(id=FRESH)], pool)


def _values(features, config=None):
    if config is not None:
        features = PairFeatures(features.side, features.pool, config)
    return features.compute(np.arange(2))  # ventures × investors (backer, partner, newcomer)


def test_every_interaction_is_a_feature_with_a_known_gate():
    assert set(INTERACTIONS) <= set(FEATURES)
    assert {gate for _, gate in INTERACTIONS.values()} == {"seasoned", "backer"}


def test_a_backer_returning_counts_its_deals_and_how_recently_it_invested(features):
    v = _values(features)
    assert v["follow_on"][0].tolist() == [1.0, 0.0, 0.0]
    assert v["backer_deal_count"][0] == pytest.approx([np.log1p(3), 0.0, 0.0])
    assert v["backer_last_active"][0] == pytest.approx([0.5, 0.0, 0.0])  # one half-life idle
    assert not v["backer_deal_count"][1].any()  # no one backed the fresh venture
    assert v["backer_track_sector"][0, 0] == pytest.approx(v["track_sector"][0, 0])
    assert v["backer_track_region"][0, 1:].tolist() == [0.0, 0.0]


def test_seasoned_interactions_repeat_the_feature_for_a_venture_with_a_history(features):
    v = _values(features)
    for name, (base, gate) in INTERACTIONS.items():
        if gate == "seasoned":
            np.testing.assert_allclose(v[name][0], v[base][0], err_msg=name)
            assert not v[name][1].any(), name
    assert v["seasoned_co_investors"][0, 1] > 0  # the partner co-invested with the backer


def test_last_active_halves_every_half_life(model):
    history = [deal(BACKER, date=dt.date(2024, 1, 1)), deal(PARTNER, date=dt.date(2023, 1, 1))]
    pool = model.prepare([investor(id=BACKER), investor(id=PARTNER)], history, as_of=AS_OF)
    days = np.array([(AS_OF - dt.date(2024, 1, 1)).days, (AS_OF - dt.date(2023, 1, 1)).days])
    half_life = model.config.last_active_half_life_days
    np.testing.assert_allclose(pool.track.last_active, 0.5 ** (days / half_life), rtol=1e-6)


def test_ablation_of_a_feature_also_removes_its_interactions(features):
    config = dataclasses.replace(features.config, disabled=("track_sector",))
    v = _values(features, config)
    assert not v["seasoned_track_sector"].any()
    assert not v["backer_track_sector"].any()
    assert v["backer_deal_count"][0, 0] > 0


def test_the_block_score_adds_interactions_only_where_their_gate_is_open(features):
    rng = np.random.default_rng(3)
    coef = {name: float(rng.normal()) for name in FEATURES}
    rows = np.repeat(np.arange(2), 3)
    cols = np.tile(np.arange(3), 2)
    expected = features.matrix(rows, cols) @ np.array([coef[n] for n in FEATURES]) + 0.5
    block = features.logit(np.arange(2), coef, 0.5)
    np.testing.assert_allclose(block.ravel(), expected, rtol=1e-5)
    assert abs(coef["backer_deal_count"]) > 0  # the backer's term is part of what was checked


def test_an_interaction_is_explained_under_the_reason_of_the_feature_it_scales(features):
    from matching.reasons import REASON_CODES, contributions

    values = _values(features)
    coef = dict.fromkeys(FEATURES, 0.0)
    coef["backer_deal_count"] = 1.0
    effects = contributions(coef, values)
    assert "backer_deal_count" not in REASON_CODES
    np.testing.assert_allclose(effects["follow_on"], values["backer_deal_count"])
