"""TF-IDF text vectors for comparing an investor's thesis with a venture's summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.preprocessing import normalize

# Words every pitch and thesis uses; they would make unrelated texts look alike.
_DOMAIN_STOP_WORDS = frozenset(
    [
        "company",
        "companies",
        "startup",
        "startups",
        "venture",
        "ventures",
        "invest",
        "invests",
        "investing",
        "investment",
        "investor",
        "investors",
        "fund",
        "funds",
        "funding",
        "back",
        "backs",
        "backing",
        "early",
        "stage",
        "growth",
        "business",
        "businesses",
        "founders",
        "team",
        "teams",
        "ltd",
        "limited",
        "uk",
        "north",
        "northern",
        "based",
    ]
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | _DOMAIN_STOP_WORDS)


class TextVectoriser:
    """Fixed vocabulary and idf, so a saved model embeds new text exactly as in training."""

    def __init__(self, vocabulary: Sequence[str], idf: npt.ArrayLike) -> None:
        self.vocabulary: tuple[str, ...] = tuple(vocabulary)
        self.idf: npt.NDArray[np.float32] = np.asarray(idf, dtype=np.float32)
        if self.idf.shape != (len(self.vocabulary),):
            raise ValueError("idf must have one value per vocabulary word")
        self._counter = (
            CountVectorizer(vocabulary=self.vocabulary, stop_words=STOP_WORDS, dtype=np.float32)
            if self.vocabulary
            else None
        )

    @classmethod
    def fit(cls, texts: Sequence[str], *, max_features: int = 20_000) -> TextVectoriser:
        """Learn vocabulary and idf from the profiles the model will see."""
        texts = [t for t in texts if t and t.strip()]
        if not texts:
            return cls((), np.zeros(0, dtype=np.float32))
        counter = CountVectorizer(
            stop_words=STOP_WORDS, max_features=max_features, binary=True, dtype=np.float32
        )
        try:
            counts = counter.fit_transform(texts)
        except ValueError:  # only stop words: nothing to learn
            return cls((), np.zeros(0, dtype=np.float32))
        df = np.asarray(counts.sum(axis=0)).ravel()
        idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
        vocabulary = counter.get_feature_names_out().tolist()
        return cls(vocabulary, idf)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows of unit length (or zero for empty text), so a dot product is a cosine."""
        if self._counter is None:
            return sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        counts = self._counter.transform(list(texts))  # float32, one entry per word present
        # Sublinear term frequency times idf, entry by entry: the same numbers as a product
        # with the diagonal idf matrix, without building one per call (a venture change
        # embeds one summary: that matrix was most of its cost).
        counts.data = (1.0 + np.log(counts.data)) * self.idf[counts.indices]
        return sparse.csr_matrix(normalize(counts, norm="l2", copy=False), dtype=np.float32)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for artefacts."""
        return {"vocabulary": list(self.vocabulary), "idf": self.idf.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextVectoriser:
        """Inverse of `to_dict`."""
        return cls(data["vocabulary"], data["idf"])
