"""The ranking metrics agree with a slow, obviously correct reference implementation."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.metrics import mean_metrics, query_metrics
from tests.matching.factories import PROPERTY


def reference(scores, relevant, k):
    """Sort by score (higher first, ties by lower index), then count by hand."""
    ranking = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    relevant = set(relevant)
    dcg = sum(1 / math.log2(pos + 2) for pos, i in enumerate(ranking[:k]) if i in relevant)
    ideal = sum(1 / math.log2(pos + 2) for pos in range(min(len(relevant), k)))
    recall = len([i for i in ranking[:k] if i in relevant]) / len(relevant)
    first = next(pos for pos, i in enumerate(ranking) if i in relevant)
    return dcg / ideal, recall, 1 / (first + 1)


@st.composite
def queries(draw):
    n = draw(st.integers(1, 40))
    # Few distinct values, so ties are common.
    scores = draw(st.lists(st.integers(0, 5).map(float), min_size=n, max_size=n))
    relevant = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    return scores, relevant, draw(st.integers(1, 12))


@PROPERTY
@given(queries())
def test_metrics_match_the_reference(query):
    scores, relevant, k = query
    got = query_metrics(np.array(scores), np.array(relevant), k)
    assert got == pytest.approx(reference(scores, relevant, k))


def test_known_values():
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    got = query_metrics(scores, np.array([1, 3]), k=2)
    assert got.recall == 0.5
    assert got.reciprocal_rank == 0.5
    assert got.ndcg == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))


def test_a_query_without_relevant_items_is_refused():
    with pytest.raises(ValueError, match="relevant: empty"):
        query_metrics(np.array([1.0]), np.array([], dtype=np.int64))


def test_mean_metrics_keys():
    rows = [query_metrics(np.array([1.0, 0.0]), np.array([0]))] * 2
    assert mean_metrics(rows) == {"ndcg@10": 1.0, "recall@10": 1.0, "mrr": 1.0}
