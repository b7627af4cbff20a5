"""Top-k refreshes, chunking and merging agree with brute force over the score matrix."""

import numpy as np
import pytest

from matching import InputError, merge_topk
from tests.matching.factories import deal, investor, venture

SECTOR_MIX = [("diagnostics",), ("ai",), ("hydrogen",), ("medtech", "ai"), ()]


def _people(n_ventures=23, n_investors=17):
    rng = np.random.default_rng(4)
    vs = [
        venture(
            id=100 + n,
            sectors=SECTOR_MIX[n % len(SECTOR_MIX)],
            raise_amount_gbp=int(rng.integers(50_000, 5_000_000)),
            stage=["pre_seed", "seed", "series_a"][n % 3],
        )
        for n in range(n_ventures)
    ]
    inv = [
        investor(
            id=500 + n,
            sectors=SECTOR_MIX[n % len(SECTOR_MIX)],
            ticket_min_gbp=100_000 * (1 + n % 3),
            ticket_max_gbp=1_000_000 * (1 + n % 4),
            excluded_sectors=("hydrogen",) if n % 5 == 0 else (),
        )
        for n in range(n_investors)
    ]
    history = [deal(500 + n % 7, venture_id=100 + n % 11) for n in range(30)]
    return vs, inv, history


def _brute(scores, k, axis):
    out = []
    matrix = scores if axis == 1 else scores.T
    for row in matrix:
        finite = np.flatnonzero(~np.isnan(row))
        order = finite[np.argsort(-row[finite], kind="stable")][:k]
        out.append(set(order.tolist()))
    return out


def test_top_k_both_sides_matches_brute_force(model):
    vs, inv, history = _people()
    k = 5
    matrix = model.score_pairs(vs, inv, history)
    top = model.top_k_both_sides(vs, inv, history, k=k, block_size=4)
    for row, v in zip(_brute(matrix.scores, k, 1), vs, strict=True):
        got = {inv_id for inv_id, _ in top.for_venture(v.id)}
        assert got == {inv[c].id for c in row}
    for col, i in zip(_brute(matrix.scores, k, 0), inv, strict=True):
        got = top.for_investor(i.id)
        assert {vid for vid, _ in got} == {vs[r].id for r in col}
        for vid, score in got:
            assert np.isclose(score, matrix.get(vid, i.id), rtol=1e-5)


def test_chunks_merge_to_the_whole_refresh(model):
    vs, inv, history = _people()
    pool = model.prepare(inv, history)
    whole = model.top_k_both_sides(vs, pool, k=4)
    ids = [v.id for v in vs]
    parts = [
        model.top_k_both_sides(vs, pool, k=4, venture_ids=ids[start : start + 6])
        for start in range(0, len(ids), 6)
    ]
    merged = merge_topk(parts)
    np.testing.assert_array_equal(merged.venture_ids, whole.venture_ids)
    np.testing.assert_array_equal(merged.venture_top, whole.venture_top)
    np.testing.assert_array_equal(merged.investor_top, whole.investor_top)
    np.testing.assert_allclose(merged.investor_logit, whole.investor_logit)


def test_progress_is_reported_per_block(model):
    vs, inv, _ = _people()
    seen = []
    model.top_k_both_sides(vs, inv, k=3, block_size=10, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(10, 23), (20, 23), (23, 23)]


def test_k_larger_than_the_pool_returns_everyone_not_excluded(model):
    vs, inv, _ = _people(3, 4)
    ranked = model.rank_investors_for_venture(vs[0], inv, k=50)
    allowed = [i for i in inv if model.exclusion_reason(vs[0], i) is None]
    assert len(ranked) == len(allowed)


def test_merging_parts_scored_on_other_investors_is_refused(model):
    vs, inv, _ = _people(4, 5)
    a = model.top_k_both_sides(vs[:2], inv, k=2)
    b = model.top_k_both_sides(vs[2:], inv[:-1], k=2)
    with pytest.raises(InputError, match="different investors"):
        merge_topk([a, b])


def test_a_pool_from_another_model_is_refused(model):
    from matching import prior_model
    from tests.matching.factories import TAXONOMY

    other = prior_model(TAXONOMY)
    pool = other.prepare([investor()])
    with pytest.raises(InputError, match="prepared by another model"):
        model.rank_investors_for_venture(venture(), pool)


def test_follow_on_investor_ranks_first_for_its_own_venture(model):
    v = venture(id=77)
    backer, stranger = investor(id=1), investor(id=2)
    history = [deal(1, venture_id=77, company_key="assay")]
    ranked = model.rank_investors_for_venture(v, [stranger, backer], k=2, history=history)
    assert ranked[0].id == 1
