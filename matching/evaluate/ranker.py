"""The product's ranker on historical rounds: `train_and_validate`, then `MatchModel` scoring.

Nothing here learns or scores on its own: the rows become the product's records and go
through the code the workers run, with the product's default settings unless told otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from matching.config import FeatureConfig, TrainingConfig
from matching.evaluate.data import UNKNOWN, Row, Universe, build_taxonomy, coarsen
from matching.evaluate.protocol import Query, ScoreBlock, unique_company_groups
from matching.labels import TypicalRaise
from matching.model import MatchModel
from matching.training import TrainingRun, train_and_validate

F64 = npt.NDArray[np.float64]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Fitted:
    """A model trained on the rows before a cutoff, and the names its records were given."""

    run: TrainingRun
    universe: Universe
    cutoff: dt.date
    training: TrainingConfig

    @property
    def model(self) -> MatchModel:
        """The trained model, as the product would save it."""
        return self.run.model


def fit(
    rows: Sequence[Row],
    cutoff: dt.date,
    *,
    config: FeatureConfig | None = None,
    training: TrainingConfig | None = None,
    validate: bool = False,
    say: Say = lambda _: None,
) -> Fitted:
    """Train on rows dated before `cutoff` only, labels from the windows just before it."""
    training = training or TrainingConfig()
    past = coarsen([r for r in rows if r.date < cutoff])
    universe = Universe.of(past)
    investors = universe.investors(sorted({r.investor for r in past}))
    run = train_and_validate(
        [],
        investors,
        universe.deals(past),
        [],
        build_taxonomy(past),
        config=config,
        training=training,
        as_of=cutoff - dt.timedelta(days=1),
        unplaced_region=UNKNOWN,
        validate=validate,
    )
    metrics = run.metrics
    say(f"fitted on {metrics['rows']:.0f} rows ({metrics['positives']:.0f} positives)")
    return Fitted(run, universe, cutoff, training)


def model_ranker(fitted: Fitted, train: Sequence[Row], investors: Sequence[str]) -> ScoreBlock:
    """Score blocks of test rounds against every training investor with `MatchModel`."""
    model, universe = fitted.model, fitted.universe
    history = universe.deals(coarsen(train))
    pool = model.prepare(universe.investors(investors), history, as_of=fitted.cutoff)
    typical = TypicalRaise.of(history)
    known_places = set(model.taxonomy.region_parent)
    known_sectors = set(model.taxonomy.sector_parent)

    def usable(r: Row) -> Row:
        # A test round may name a place or category never seen in training: walk up or blank it.
        place = coarsen([r])[0].place
        while place not in known_places:
            place = place.rpartition("/")[0] or "unknown"
        sector = r.sector if r.sector in known_sectors else "unknown"
        return replace(r, place=place, sector=sector)

    def score(queries: Sequence[Query]) -> F64:
        out = np.empty((len(queries), len(investors)))
        for group in unique_company_groups(queries):
            ventures = []
            for n in group:
                row = queries[n].row
                # A company the history has never seen gets a fresh id: it links to no deal.
                venture_id = universe.company_ids.get(row.company, -1 - n)
                ventures.append(universe.venture(usable(row), typical, venture_id))
            scores = model.score_pairs(ventures, pool).scores
            out[group] = np.where(np.isnan(scores), -np.inf, scores)  # NaN: an excluded pair
        return out

    return score
