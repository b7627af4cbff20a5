"""The product's model on historical deals: features from history only, weights learned in time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from matching.config import FEATURES, FeatureConfig
from matching.estimator import MatchClassifier
from matching.evaluate.data import Row, Universe, build_taxonomy
from matching.evaluate.protocol import Query, ScoreBlock, make_split, unique_company_groups
from matching.features import PairFeatures
from matching.frames import HistoryFrame, InvestorFrame, VentureFrame
from matching.model import MatchModel, ModelMetadata
from matching.pool import InvestorPool, VentureSide
from matching.taxonomy import Taxonomy
from matching.text import TextVectoriser
from matching.training import TrainingSet, examples_for

F64 = npt.NDArray[np.float64]
Say = Callable[[str], None]


@dataclass(frozen=True)
class EvalParams:
    """Choices fixed by validation inside the training years (see bench/RESULTS.md)."""

    half_life_days: float = 365.0
    recent_half_life_days: float = 120.0
    smoothing: float = 32.0
    negatives: int = 100  # sampled non-participants per training round
    label_years: int = 1  # years before the cutoff whose rounds supply labels
    place_depth: int = 3  # 4 = city, 3 = metro area, 2 = state
    prior_strength: float = 1.0
    seed: int = 0

    def config(self) -> FeatureConfig:
        """Feature constants for these parameters."""
        return FeatureConfig(
            half_life_days=self.half_life_days,
            recent_half_life_days=self.recent_half_life_days,
            smoothing=self.smoothing,
        )


def coarsen(rows: Sequence[Row], depth: int) -> list[Row]:
    """Cut every place code to `depth` levels (country/state/metro/city)."""
    return [replace(r, place="/".join(r.place.split("/")[:depth])) for r in rows]


class _Context:
    """Pool and feature plumbing for one history cutoff."""

    def __init__(
        self,
        model: MatchModel,
        universe: Universe,
        train: Sequence[Row],
        investors: Sequence[str],
        cutoff: dt.date,
    ) -> None:
        self.model, self.universe = model, universe
        tax = model.taxonomy
        frame = InvestorFrame.from_records(universe.investors(investors), tax)
        history = HistoryFrame.from_records(universe.deals(train), tax)
        self.pool = InvestorPool.build(frame, history, model.vectoriser, model.config, cutoff)
        amounts: dict[str, list[int]] = {}
        for r in train:
            if r.amount:
                amounts.setdefault(r.stage, []).append(r.amount)
        every = [a for values in amounts.values() for a in values] or [1_000_000]
        fallback = int(np.median(every))
        self.typical = {s: int(np.median(v)) for s, v in amounts.items()}
        self.fallback = fallback

    def features(self, rows: Sequence[Row]) -> PairFeatures:
        """Features for these rounds (one company each) against the pool."""
        ids = self.universe.company_ids
        ventures = [
            # A company the history has never seen gets a fresh id: it links to no past deal.
            self.universe.venture(
                r, self.typical.get(r.stage, self.fallback), ids.get(r.company, -1 - n)
            )
            for n, r in enumerate(rows)
        ]
        frame = VentureFrame.from_records(ventures, self.model.taxonomy)
        side = VentureSide.build(frame, self.model.vectoriser)
        return PairFeatures(side, self.pool, self.model.config)


def _blank_model(tax: Taxonomy, config: FeatureConfig, estimator: MatchClassifier) -> MatchModel:
    meta = ModelMetadata(version="evaluation", trained_at="", training_size=0)
    return MatchModel(tax, estimator, TextVectoriser((), np.zeros(0)), config, meta)


def _training_rows(
    rows: Sequence[Row],
    cutoff: dt.date,
    params: EvalParams,
    model: MatchModel,
    universe: Universe,
    rng: np.random.Generator,
    say: Say,
) -> TrainingSet:
    """Label windows of one year before the cutoff, each with features from before it."""
    parts = []
    for back in range(params.label_years, 0, -1):
        start = cutoff.replace(year=cutoff.year - back)
        split = make_split(rows, start, start.replace(year=start.year + 1) - dt.timedelta(days=1))
        say(f"labels {start.year}: {len(split.queries)} rounds, {len(split.investors)} investors")
        context = _Context(model, universe, split.train, split.investors, start)
        for group in unique_company_groups(split.queries):
            queries = [split.queries[n] for n in group]
            features = context.features([q.row for q in queries])
            labels = {
                (n, int(i)): (1, 1.0 / len(q.relevant))
                for n, q in enumerate(queries)
                for i in q.relevant
            }
            parts.append(examples_for(features, labels, rng, params.negatives))
    return TrainingSet.concat(parts)


def fit_model(
    rows: Sequence[Row],
    cutoff: dt.date,
    params: EvalParams,
    drop: Collection[str] = (),
    say: Say = lambda _: None,
) -> tuple[MatchModel, Universe]:
    """Learn weights from rows before `cutoff` only (`drop` zeroes whole features)."""
    rows = coarsen([r for r in rows if r.date < cutoff], params.place_depth)
    tax = build_taxonomy(rows)
    universe = Universe.of(rows)
    config = params.config()
    keep = np.array([name not in drop for name in FEATURES])
    base = _blank_model(tax, config, MatchClassifier())
    data = _training_rows(
        rows, cutoff, params, base, universe, np.random.default_rng(params.seed), say
    )
    estimator = MatchClassifier(
        prior_coef=np.zeros(len(FEATURES)),
        prior_strength=params.prior_strength,
        calibration="none",
        random_state=params.seed,
    ).fit(data.X * keep, data.y, sample_weight=data.weight)
    say(f"fitted on {len(data.y)} rows ({int(data.y.sum())} positives)")
    return _blank_model(tax, config, estimator), universe


def model_ranker(
    model: MatchModel,
    universe: Universe,
    train: Sequence[Row],
    investors: Sequence[str],
    cutoff: dt.date,
    params: EvalParams,
) -> ScoreBlock:
    """Score blocks of test rounds against every training investor with the fitted model."""
    train = coarsen(train, params.place_depth)
    known_places = set(model.taxonomy.region_parent)
    known_sectors = set(model.taxonomy.sector_parent)
    context = _Context(model, universe, train, investors, cutoff)
    coef, intercept = model.coef, model.intercept

    def usable(r: Row) -> Row:
        # A test round may name a place or category never seen in training: walk up or blank it.
        place = "/".join(r.place.split("/")[: params.place_depth])
        while place not in known_places:
            place = place.rpartition("/")[0] or "unknown"
        sector = r.sector if r.sector in known_sectors else "unknown"
        return replace(r, place=place, sector=sector)

    def score(queries: Sequence[Query]) -> F64:
        out = np.empty((len(queries), len(investors)))
        for group in unique_company_groups(queries):
            rows = [usable(queries[n].row) for n in group]
            features = context.features(rows)
            out[group] = features.logit(np.arange(len(rows)), coef, intercept)
        return out

    return score
