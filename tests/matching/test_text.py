"""Summary and thesis embeddings: sublinear tf-idf rows of unit length, as trained."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matching.text import TextVectoriser

TEXTS = [
    "Offshore wind blade inspection with drones; wind farms in the North Sea",
    "Battery recycling for electric vehicles, battery battery chemistry",
    "",
    "the and of",  # stop words only
    "Drug discovery platform: protein folding and drug screening",
]


def test_rows_are_tf_idf_of_unit_length_as_the_textbook_product_gives() -> None:
    vectoriser = TextVectoriser.fit(TEXTS)
    rows = vectoriser.transform(TEXTS)
    counts = vectoriser._counter.transform(TEXTS).astype(np.float64)
    counts.data = 1.0 + np.log(counts.data)
    weighted = (counts @ sparse.diags(vectoriser.idf.astype(np.float64))).toarray()
    norms = np.linalg.norm(weighted, axis=1, keepdims=True)
    expected = np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0)
    assert rows.dtype == np.float32
    np.testing.assert_allclose(rows.toarray(), expected, rtol=1e-6, atol=1e-7)
    assert np.allclose(np.linalg.norm(rows.toarray(), axis=1), [1, 1, 0, 0, 1], atol=1e-6)
    # "battery" three times weighs 1 + ln 3 times its idf, not three times.
    battery = vectoriser.vocabulary.index("battery")
    recycling = vectoriser.vocabulary.index("recycling")
    ratio = rows[1, battery] / rows[1, recycling]
    idf = vectoriser.idf
    assert np.isclose(ratio, (1 + np.log(3)) * idf[battery] / idf[recycling], rtol=1e-6)


def test_the_same_text_embeds_the_same_whatever_else_is_in_the_batch() -> None:
    vectoriser = TextVectoriser.fit(TEXTS)
    alone = vectoriser.transform(TEXTS[:1]).toarray()
    batched = vectoriser.transform(TEXTS).toarray()[:1]
    assert np.array_equal(alone, batched)
