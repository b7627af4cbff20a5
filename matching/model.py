"""The facade the app calls: a fitted model that scores, ranks and explains pairs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from matching.advice import propose_syndicates, widen_hints
from matching.blocks import block_logits, score_both_sides
from matching.config import FEATURES, FeatureConfig
from matching.errors import InputError
from matching.estimator import MatchClassifier
from matching.explain import exclusion_reason, explain_pair
from matching.features import PairFeatures
from matching.frames import (
    DealInput,
    HistoryFrame,
    InvestorFrame,
    InvestorInput,
    VentureFrame,
    VentureInput,
)
from matching.pool import InvestorPool, VentureSide
from matching.records import Hint, InvestorRecord, Ranked, Reason, Syndicate, VentureRecord
from matching.taxonomy import Taxonomy
from matching.text import TextVectoriser
from matching.topk import TopK, probability, top_k_rows

Investors = InvestorPool | InvestorFrame | InvestorInput
Ventures = VentureFrame | VentureInput
History = HistoryFrame | DealInput | None
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelMetadata:
    """What a saved model is and how good it was when trained."""

    version: str
    trained_at: str  # ISO 8601 UTC
    training_size: int
    metrics: Mapping[str, float] = field(default_factory=dict)
    feature_names: tuple[str, ...] = FEATURES
    library_version: str = ""


@dataclass(frozen=True, eq=False)
class ScoreMatrix:
    """Every venture × investor score of a small problem; NaN marks an excluded pair."""

    venture_ids: npt.NDArray[np.int64]
    investor_ids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]

    def get(self, venture_id: int, investor_id: int) -> float | None:
        """Score of one pair, None when excluded."""
        v = np.flatnonzero(self.venture_ids == venture_id)
        i = np.flatnonzero(self.investor_ids == investor_id)
        if len(v) == 0 or len(i) == 0:
            raise InputError(f"score matrix: no pair ({venture_id}, {investor_id})")
        value = float(self.scores[v[0], i[0]])
        return None if np.isnan(value) else value


class MatchModel:
    """A fitted estimator plus the text vectoriser and feature constants it was trained with."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        estimator: MatchClassifier,
        vectoriser: TextVectoriser,
        config: FeatureConfig,
        metadata: ModelMetadata,
    ) -> None:
        self.taxonomy = taxonomy.validate()
        self.estimator = estimator
        self.vectoriser = vectoriser
        self.config = config
        self.metadata = metadata

    @property
    def coef(self) -> dict[str, float]:
        """Weight of each feature in the model's log-odds."""
        return dict(zip(FEATURES, map(float, self.estimator.coef_), strict=True))

    @property
    def intercept(self) -> float:
        """Log-odds of a pair whose features are all zero."""
        return float(self.estimator.intercept_)

    # -- inputs --------------------------------------------------------------------------------
    def prepare(
        self, investors: Investors, history: History = None, *, as_of: dt.date | None = None
    ) -> InvestorPool:
        """Build (or check) the investor-side tables; cache it while the inputs are unchanged."""
        if isinstance(investors, InvestorPool):
            if investors.vectoriser is not self.vectoriser:
                raise InputError("investors: this pool was prepared by another model; re-prepare")
            if history is not None:
                raise InputError("history: already part of the prepared pool; pass None")
            return investors
        frame = (
            investors
            if isinstance(investors, InvestorFrame)
            else InvestorFrame.from_records(investors, self.taxonomy)
        )
        deals = (
            history
            if isinstance(history, HistoryFrame)
            else HistoryFrame.from_records(history, self.taxonomy)
        )
        return InvestorPool.build(frame, deals, self.vectoriser, self.config, as_of)

    def venture_frame(self, ventures: Ventures) -> VentureFrame:
        """Validated ventures."""
        if isinstance(ventures, VentureFrame):
            return ventures
        return VentureFrame.from_records(ventures, self.taxonomy)

    def pair_features(
        self, ventures: Ventures, investors: Investors, history: History = None
    ) -> PairFeatures:
        """Feature computer for these ventures against these investors."""
        side = VentureSide.build(self.venture_frame(ventures), self.vectoriser)
        return PairFeatures(side, self.prepare(investors, history), self.config)

    def block_logits(
        self,
        features: PairFeatures,
        rows: npt.NDArray[np.int64],
        barred: npt.NDArray[np.int64] | None = None,
    ) -> npt.NDArray[np.float32]:
        """Log-odds of a block of venture rows × every investor; −inf where excluded or barred."""
        return block_logits(self, features, rows, barred)

    # -- scores and rankings -------------------------------------------------------------------
    def score_pairs(
        self, ventures: Ventures, investors: Investors, history: History = None
    ) -> ScoreMatrix:
        """Full venture × investor score matrix (for small sets: tests, one venture, one page)."""
        features = self.pair_features(ventures, investors, history)
        logits = self.block_logits(features, np.arange(len(features.side.frame)))
        scores = np.where(np.isfinite(logits), expit(logits), np.nan).astype(np.float32)
        return ScoreMatrix(features.side.frame.ids, features.pool.frame.ids, scores)

    def rank_investors_for_venture(
        self,
        venture: VentureRecord | Mapping[str, Any],
        investors: Investors,
        k: int = 50,
        *,
        history: History = None,
    ) -> list[Ranked]:
        """The venture's best k investors, hard exclusions removed."""
        _check_k(k)
        features = self.pair_features([venture], investors, history)
        ids = features.pool.frame.ids
        cols, values = top_k_rows(self.block_logits(features, np.arange(1)), k, ids)
        scores = probability(values[0])
        found = zip(cols[0], scores, strict=True)
        return [Ranked(int(ids[c]), float(s)) for c, s in found if c >= 0]

    def rank_ventures_for_investor(
        self,
        investor: InvestorRecord | Mapping[str, Any],
        ventures: Ventures,
        k: int = 50,
        *,
        history: History = None,
    ) -> list[Ranked]:
        """The investor's best k ventures, hard exclusions removed."""
        _check_k(k)
        features = self.pair_features(ventures, [investor], history)
        ids = features.side.frame.ids
        logits = self.block_logits(features, np.arange(len(ids)))
        cols, values = top_k_rows(np.ascontiguousarray(logits.T), k, ids)
        scores = probability(values[0])
        found = zip(cols[0], scores, strict=True)
        return [Ranked(int(ids[c]), float(s)) for c, s in found if c >= 0]

    def top_k_both_sides(
        self,
        ventures: Ventures,
        investors: Investors,
        history: History = None,
        k: int = 50,
        *,
        venture_ids: Sequence[int] | None = None,
        block_size: int = 1024,
        progress: Progress | None = None,
    ) -> TopK:
        """Full refresh over blocks: every venture's top-k investors and vice versa.

        `venture_ids` restricts scoring to a chunk; merge chunks with `merge_topk`.
        """
        _check_k(k)
        if block_size < 1:
            raise InputError(f"block_size: {block_size}; expected a positive number of ventures")
        frame = self.venture_frame(ventures)
        if venture_ids is not None:
            frame = frame.take(frame.positions(venture_ids))
        features = self.pair_features(frame, investors, history)
        return score_both_sides(self, features, k, rows_per_block=block_size, progress=progress)

    # -- explanations and advice (logic in explain.py and advice.py) --------------------------
    def explain(
        self,
        venture: VentureRecord | Mapping[str, Any],
        investor: InvestorRecord | Mapping[str, Any],
        history: History = None,
        limit: int = 6,
        *,
        pool: InvestorPool | None = None,
    ) -> list[Reason]:
        """The strongest reasons for and against one pair, in plain words.

        Pass the cached `pool` (holding this investor) to skip rebuilding its track record.
        """
        return explain_pair(self, venture, investor, history, limit, pool)

    def exclusion_reason(
        self,
        venture: VentureRecord | Mapping[str, Any],
        investor: InvestorRecord | Mapping[str, Any],
    ) -> Reason | None:
        """Why a pair is barred by the investor's mandate, or None if it is not."""
        return exclusion_reason(self.taxonomy, venture, investor)

    def widen_hints(
        self,
        venture: VentureRecord | Mapping[str, Any],
        investors: Investors,
        history: History = None,
        limit: int = 5,
    ) -> list[Hint]:
        """Checked changes to the venture that would fit more investors' mandates."""
        return widen_hints(self, venture, self.prepare(investors, history), limit)

    def propose_syndicates(
        self,
        venture: VentureRecord | Mapping[str, Any],
        investors: Investors,
        history: History = None,
        max_members: int = 4,
        limit: int = 3,
    ) -> list[Syndicate]:
        """Lead plus co-investors covering a raise no single fitting ticket covers."""
        pool = self.prepare(investors, history)
        return propose_syndicates(self, venture, pool, max_members, limit)


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"k: {k!r}; expected a positive whole number")
