"""Properties of the features and rankings, checked on generated profiles."""

import dataclasses

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tests.matching.factories import FEW, PROPERTY, STAGES, investors, ventures


def _features(model, venture, investor):
    features = model.pair_features([venture], [investor])
    row = np.zeros(1, dtype=np.int64)
    return {k: float(np.ravel(v)[0]) for k, v in features.compute(row, row).items()}


@PROPERTY
@given(v=ventures(venture_id=1), i=investors(investor_id=2))
def test_moving_into_the_stage_range_never_lowers_stage_fit(model, v, i):
    if not i.stages:
        return
    inside = dataclasses.replace(v, stage=i.stages[0])
    assert _features(model, inside, i)["stage_fit"] >= _features(model, v, i)["stage_fit"]


@PROPERTY
@given(v=ventures(venture_id=1), i=investors(investor_id=2), share=st.floats(0, 1))
def test_moving_into_the_ticket_range_never_lowers_ticket_fit(model, v, i, share):
    amount = round(i.ticket_min_gbp + share * (i.ticket_max_gbp - i.ticket_min_gbp))
    inside = dataclasses.replace(v, raise_amount_gbp=amount)
    assert _features(model, inside, i)["ticket_fit"] >= _features(model, v, i)["ticket_fit"]
    assert _features(model, inside, i)["ticket_fit"] == 1.0


@PROPERTY
@given(v=ventures(venture_id=1), i=investors(investor_id=2), steps=st.integers(1, 3))
def test_stage_fit_falls_with_distance(model, v, i, steps):
    if not i.stages:
        return
    order = {s: n for n, s in enumerate(STAGES)}
    near = _features(model, v, i)["stage_fit"]
    nearest = min(abs(order[v.stage] - order[s]) for s in i.stages)
    further = [s for s in STAGES if min(abs(order[s] - order[t]) for t in i.stages) > nearest]
    for stage in further[:steps]:
        assert _features(model, dataclasses.replace(v, stage=stage), i)["stage_fit"] <= near


@FEW
@given(
    vs=st.lists(ventures(), min_size=1, max_size=5, unique_by=lambda v: v.id),
    inv=st.lists(investors(), min_size=1, max_size=6, unique_by=lambda i: i.id),
)
def test_both_ranking_directions_agree_on_pair_scores(model, vs, inv):
    matrix = model.score_pairs(vs, inv)
    for v in vs:
        for ranked in model.rank_investors_for_venture(v, inv, k=len(inv)):
            assert np.isclose(ranked.score, matrix.get(v.id, ranked.id), rtol=1e-5)
    for i in inv:
        for ranked in model.rank_ventures_for_investor(i, vs, k=len(vs)):
            assert np.isclose(ranked.score, matrix.get(ranked.id, i.id), rtol=1e-5)


@FEW
@given(
    vs=st.lists(ventures(), min_size=1, max_size=4, unique_by=lambda v: v.id),
    inv=st.lists(investors(), min_size=1, max_size=6, unique_by=lambda i: i.id),
)
def test_vectorised_exclusions_agree_with_the_stated_reason(model, vs, inv):
    matrix = model.score_pairs(vs, inv)
    for v in vs:
        for i in inv:
            excluded = matrix.get(v.id, i.id) is None
            assert excluded == (model.exclusion_reason(v, i) is not None)


@FEW
@given(
    vs=st.lists(ventures(), min_size=1, max_size=4, unique_by=lambda v: v.id),
    inv=st.lists(investors(), min_size=1, max_size=6, unique_by=lambda i: i.id),
)
def test_rankings_are_best_first_and_never_hold_excluded_pairs(model, vs, inv):
    for v in vs:
        ranked = model.rank_investors_for_venture(v, inv, k=3)
        scores = [r.score for r in ranked]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)
        by_id = {i.id: i for i in inv}
        assert all(model.exclusion_reason(v, by_id[r.id]) is None for r in ranked)
