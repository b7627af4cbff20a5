"""Block scoring and streamed top-k: one tie-break rule, chunks that merge to the whole, and
no step that holds a ventures × investors array."""

import dataclasses
from dataclasses import dataclass

import numpy as np
import pytest

from matching import blocks, prior_model
from matching.config import FEATURES
from matching.errors import InputError
from matching.features import PairFeatures
from matching.pool import VentureSide
from matching.topk import ColumnTopK, ranks_above, top_k_rows
from tests.matching.factories import TAXONOMY, deal, investor, venture
from tests.matching.test_ranking import _people


def _reference(values: np.ndarray, ids: np.ndarray, k: int) -> list[list[int]]:
    """Per column: ids of the k best finite values, value descending then smaller id."""
    out = []
    for column in values.T:
        ranked = sorted((-v, i) for v, i in zip(column.tolist(), ids.tolist(), strict=True)
                        if np.isfinite(v))  # fmt: skip
        out.append([i for _, i in ranked[:k]])
    return out


def _listed(top: np.ndarray) -> list[list[int]]:
    return [[int(i) for i in row if i >= 0] for row in top]


@pytest.mark.parametrize("seed", range(6))
def test_column_top_k_streamed_in_random_chunks_equals_sorting_everything(seed):
    rng = np.random.default_rng(seed)
    n, m, k = 97, 9, 7
    # Few distinct values and some exclusions: ties straddle the cut in most columns.
    values = rng.integers(0, 4, size=(n, m)).astype(np.float32)
    values[rng.random((n, m)) < 0.2] = -np.inf
    ids = rng.permutation(np.arange(1000, 1000 + n)).astype(np.int64)
    running = ColumnTopK(m, k)
    start = 0
    while start < n:
        stop = min(n, start + int(rng.integers(1, 15)))
        running.update(values[start:stop], ids[start:stop])
        start = stop
    top, logit = running.result()
    assert _listed(top) == _reference(values, ids, k)
    assert np.all(np.diff(logit, axis=1)[np.isfinite(logit[:, 1:])] <= 0)


def test_running_top_ks_of_separate_chunks_merge_to_the_whole():
    rng = np.random.default_rng(11)
    n, m, k = 60, 5, 6
    values = rng.integers(0, 3, size=(n, m)).astype(np.float32)
    ids = np.arange(n, dtype=np.int64)[::-1].copy()  # larger ids first: ties must still go low
    parts = []
    for start in range(0, n, 13):
        part = ColumnTopK(m, k)
        part.update(values[start : start + 13], ids[start : start + 13])
        parts.append(part.result())
    merged = ColumnTopK(m, k)
    for top, logit in reversed(parts):  # in any order
        merged.merge(top, logit)
    assert _listed(merged.result()[0]) == _reference(values, ids, k)


def test_top_k_rows_breaks_ties_by_the_smaller_id_not_the_column_position():
    logits = np.array([[1.0, 2.0, 2.0, 2.0, -np.inf]], dtype=np.float32)
    ids = np.array([5, 9, 3, 7, 1], dtype=np.int64)
    cols, _values = top_k_rows(logits, 3, ids)
    assert ids[cols[0]].tolist() == [3, 7, 9]
    cols, _ = top_k_rows(logits, 6, ids)
    assert ids[cols[0][cols[0] >= 0]].tolist() == [3, 7, 9, 5]  # excluded and padding left out
    assert ranks_above(2.0, 3, 2.0, 7)
    assert not ranks_above(2.0, 7, 2.0, 3)
    assert ranks_above(2.5, 9, 2.0, 3)
    # Element by element over arrays, the same rule (a venture refresh compares one venture
    # with every investor list's K-th member at once).
    a = np.array([2.0, 2.0, 2.5, 1.0])
    b = np.array([2.0, 2.0, 2.0, 1.5])
    above = ranks_above(a, 5, b, np.array([7, 3, 3, 1]))
    assert above.tolist() == [True, False, True, False]


@dataclass(frozen=True)
class _EveryWeight:
    """A linear scorer that uses every feature, interactions included (the prior leaves
    some at 0, and a table a sub-pool did not narrow goes unnoticed by it)."""

    coef: dict[str, float]
    intercept: float = -1.0


@pytest.mark.parametrize("weights", ["prior", "every feature"])
def test_a_sub_pool_scores_its_investors_bit_for_bit_like_the_whole_pool(model, weights):
    vs, inv, history = _people()
    scorer = model if weights == "prior" else _EveryWeight(
        {name: 0.1 * (n + 1) for n, name in enumerate(FEATURES)}
    )  # fmt: skip
    pool = model.prepare(inv, history)
    side = VentureSide.build(model.venture_frame(vs), model.vectoriser)
    rows = np.arange(len(vs))
    features = PairFeatures(side, pool, model.config)
    whole = blocks.block_logits(scorer, features, rows)
    every = features.compute(rows)
    assert every["follow_on"].any()  # some pairs have the investor as an earlier backer
    for cols in ([0], [3, 4, 10], list(range(0, len(inv), 2))):
        picked = np.array(cols, dtype=np.int64)
        part = PairFeatures(side, pool.take(picked), model.config)
        sub = blocks.block_logits(scorer, part, rows)
        np.testing.assert_array_equal(sub, whole[:, picked])  # exact, −inf included
        for name, value in part.compute(rows).items():  # what reasons are worded from
            expected = np.broadcast_to(every[name], whole.shape)[:, picked]
            np.testing.assert_array_equal(np.broadcast_to(value, sub.shape), expected, name)


def test_passed_pairs_are_barred_from_both_sides(model):
    vs, inv, history = _people(n_ventures=8, n_investors=5)
    pool = model.prepare(inv, history)
    features = model.pair_features(vs, pool)
    barred = blocks.barred_pairs([(vs[2].id, inv[1].id), (vs[5].id, inv[4].id), (999, inv[0].id)])
    top = blocks.score_both_sides(model, features, 8, barred=barred)
    assert inv[1].id not in top.venture_top[2]
    assert vs[2].id not in top.investor_top[1]
    assert vs[5].id not in top.investor_top[4]
    free = blocks.score_both_sides(model, features, 8)
    assert inv[1].id in free.venture_top[2]  # it was listed before the pass


def test_streaming_an_investor_column_skips_dead_rows_and_matches_the_whole(model):
    vs, inv, history = _people()
    pool = model.prepare(inv, history)
    frame = model.venture_frame(vs)
    halves = [frame.take(np.arange(0, 12)), frame.take(np.arange(12, len(vs)))]
    sides = [VentureSide.build(h, model.vectoriser) for h in halves]
    dead = np.zeros(len(halves[0]), dtype=np.bool_)
    dead[[1, 4]] = True  # superseded rows: they must not be listed
    top, _logit = blocks.stream_column_top_k(model, [(sides[0], dead), (sides[1], None)], pool, 5)
    whole = blocks.block_logits(
        model, PairFeatures(VentureSide.build(frame, model.vectoriser), pool, model.config),
        np.arange(len(vs)),
    )  # fmt: skip
    whole[[1, 4]] = -np.inf
    assert _listed(top) == _reference(whole, frame.ids, 5)


def test_scoring_holds_one_block_of_scores_never_ventures_by_investors(model, monkeypatch):
    vs = [venture(id=10 + n, raise_amount_gbp=100_000 + 1000 * n) for n in range(40)]
    inv = [investor(id=200 + n, ticket_max_gbp=2_000_000 + n) for n in range(12)]
    pool = model.prepare(inv, [deal(200, venture_id=10)])
    monkeypatch.setattr(blocks, "CELLS_PER_BLOCK", 5 * len(inv))
    shapes: list[tuple[int, ...]] = []
    real = PairFeatures.logit

    def spy(self, rows, coef, intercept):
        out = real(self, rows, coef, intercept)
        shapes.append(out.shape)
        return out

    monkeypatch.setattr(PairFeatures, "logit", spy)
    top = model.top_k_both_sides(vs, pool, k=3, block_size=blocks.block_size(len(inv)))
    side = VentureSide.build(model.venture_frame(vs), model.vectoriser)
    blocks.stream_column_top_k(model, [(side, None)], pool.take(np.array([2, 7])), 3)
    assert len(top.venture_ids) == len(vs)
    assert shapes
    assert max(rows * cols for rows, cols in shapes) <= 5 * len(inv)
    assert all(rows < len(vs) for rows, _ in shapes)


def _same_side(one: VentureSide, other: VentureSide) -> None:
    """Every key and text vector equal, and so the same log-odds."""
    assert one.frame.ids.tolist() == other.frame.ids.tolist()
    assert one.frame.records == other.frame.records
    for name in ("sector_slots", "stage", "raise_gbp", "instruments", "region", "institution",
                 "spinout", "eis", "seis"):  # fmt: skip
        np.testing.assert_array_equal(getattr(one.frame, name), getattr(other.frame, name))
    assert (one.frame.sectors != other.frame.sectors).nnz == 0
    for name in ("sector_slots", "family_slots", "stage", "region", "region_broad", "log_raise",
                 "band", "tax_code", "institution", "instruments"):  # fmt: skip
        np.testing.assert_array_equal(getattr(one, name), getattr(other, name))
    np.testing.assert_array_equal(one.text.toarray(), other.text.toarray())


def test_sides_taken_apart_and_put_together_equal_a_side_built_at_once(model):
    """A worker folds recently changed ventures into one side and words reasons for a few
    ventures from the sides it holds: without packing or embedding anything again."""
    vs, inv, history = _people()
    pool = model.prepare(inv, history)
    whole = VentureSide.build(model.venture_frame(vs), model.vectoriser)
    widths = {len(v.sectors) for v in vs}
    assert len(widths) > 1  # sides of different slot widths are put together
    rng = np.random.default_rng(5)
    order = rng.permutation(len(vs))
    cuts = sorted(rng.choice(np.arange(1, len(vs)), size=3, replace=False).tolist())
    pieces = [whole.take(part) for part in np.split(order, cuts)]
    rebuilt = VentureSide.concat(pieces)
    expected = VentureSide.build(model.venture_frame([vs[i] for i in order]), model.vectoriser)
    _same_side(rebuilt, expected)
    rows = np.arange(len(vs))
    np.testing.assert_array_equal(
        blocks.block_logits(model, PairFeatures(rebuilt, pool, model.config), rows),
        blocks.block_logits(model, PairFeatures(whole, pool, model.config), order),
    )
    with pytest.raises(InputError, match="appears more than once"):
        VentureSide.concat([pieces[0], pieces[0]])


WORDS = (
    "sepsis", "diagnostics", "blood", "test", "offshore", "wind", "turbine", "blades", "battery",
    "storage", "grid", "hydrogen", "electrolysis", "software", "robotics", "vision", "medtech",
)  # fmt: skip


def test_pairs_mode_gives_every_feature_exactly_as_the_block_does():
    """Reasons are worded from either mode (pairs for many ventures, a block for a few), so a
    pair must get the same numbers both ways; text similarity included."""
    rng = np.random.default_rng(5)

    def text() -> str:
        return " ".join(rng.choice(WORDS, size=int(rng.integers(2, 9))).tolist())

    vs, inv, history = _people()
    vs = [dataclasses.replace(v, summary=text()) for v in vs]
    inv = [dataclasses.replace(i, thesis=text()) for i in inv]
    model = prior_model(TAXONOMY, ventures=vs, investors=inv)
    pool = model.prepare(inv, history)
    assert isinstance(pool.thesis, np.ndarray)  # the dense thesis path of pairs mode
    side = VentureSide.build(model.venture_frame(vs), model.vectoriser)
    block = PairFeatures(side, pool, model.config).compute(np.arange(len(vs)))
    shape = (len(vs), len(inv))
    similarity = np.broadcast_to(block["text_similarity"], shape)
    assert len(np.unique(similarity)) > 50  # the texts differ pair by pair
    rows = rng.integers(0, len(vs), 300)
    cols = rng.integers(0, len(inv), 300)
    pairs = PairFeatures(side, pool, model.config).compute(rows, cols)
    for name, value in pairs.items():
        expected = np.broadcast_to(block[name], shape)[rows, cols]
        np.testing.assert_array_equal(np.broadcast_to(value, rows.shape), expected, name)
