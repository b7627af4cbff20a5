"""Per-process scoring state: the active model, its prepared investor pool, and (when needed)
the log-odds of every published venture against every investor.

Building the pool costs about a second at 2,000 investors and the full matrix a few seconds at
10,000 ventures, so both are kept between tasks and brought up to date cheaply: the pool is
rebuilt only when investors or history change (`scoring_data.inputs_version`), and the matrix
recomputes only the rows of ventures that changed since it was last synced. Rows are computed
in block mode, so a cached row equals the same row of a full refresh bit for bit.

Public API:
- `scoring_context(*, session, settings) -> ScoringContext` — this process's context, current.
- `ScoringContext.venture_logits(records) -> (venture_ids, logits)` — rows for given ventures.
- `ScoringContext.matrix(session) -> VentureMatrix` — every published venture, synced first.
- `ScoringContext.features_for(records)` — pair features for reasons.
- `forget() -> None` — drop the cached state (tests, or after a fork).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session

import matching
from webapp.config import Settings
from webapp.services import scoring_data
from webapp.services.model_registry import active_model
from webapp.services.ranking_math import block_logits

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
BLOCK = 1024
REBUILD_SHARE = 0.25  # above this share of changed rows, rebuild the matrix from scratch


@dataclass
class VentureMatrix:
    """Log-odds of every published venture (rows) against the pool's investors (columns)."""

    ids: I64  # row → venture id, −1 for a row whose venture left
    logits: F32
    stamps: dict[int, object] = field(default_factory=dict)
    position: dict[int, int] = field(default_factory=dict)

    @property
    def alive(self) -> npt.NDArray[np.bool_]:
        """Rows that hold a current published venture."""
        return self.ids >= 0

    def column(self, col: int) -> tuple[I64, F32]:
        """(venture ids, log-odds) of one investor against every published venture."""
        keep = self.alive
        return self.ids[keep], np.ascontiguousarray(self.logits[keep, col])

    def rows(self, venture_ids: list[int]) -> tuple[I64, F32]:
        """(ids found, their rows); ventures that are not published are left out."""
        found = [v for v in venture_ids if v in self.position]
        positions = np.array([self.position[v] for v in found], dtype=np.int64)
        return np.array(found, dtype=np.int64), self.logits[positions]


class ScoringContext:
    """The model and investor pool one process scores with, plus its venture matrix."""

    def __init__(self, model: matching.MatchModel, version: str, inputs: tuple[Any, ...],
                 pool: matching.InvestorPool) -> None:  # fmt: skip
        self.model = model
        self.version = version
        self.inputs = inputs
        self.pool = pool
        self.investor_ids: I64 = np.asarray(pool.frame.ids, dtype=np.int64)
        self.investor_position = {int(i): c for c, i in enumerate(self.investor_ids.tolist())}
        self._matrix: VentureMatrix | None = None
        self._lock = threading.RLock()  # a warm-up thread and a task may both sync the matrix

    def features_for(self, records: list[dict[str, Any]]) -> Any:
        """Pair features of these ventures against the pool."""
        return self.model.pair_features(records, self.pool)

    def venture_logits(self, records: list[dict[str, Any]]) -> tuple[I64, F32]:
        """Block-mode log-odds of the given ventures against every investor."""
        if not records:
            return np.zeros(0, np.int64), np.zeros((0, len(self.investor_ids)), np.float32)
        features = self.features_for(records)
        ids = np.asarray(features.side.frame.ids, dtype=np.int64)
        parts = [
            block_logits(self.model, features, np.arange(s, min(s + BLOCK, len(ids))))
            for s in range(0, len(ids), BLOCK)
        ]
        return ids, np.vstack(parts)

    def matrix(self, session: Session) -> VentureMatrix:
        """Every published venture's row, brought up to date with the database."""
        with self._lock:
            return self._sync(session)

    def _sync(self, session: Session) -> VentureMatrix:
        stamps = scoring_data.venture_stamps(session=session)
        current = self._matrix
        if current is None:
            return self._rebuild(session, stamps)
        changed = [v for v, at in stamps.items() if current.stamps.get(v) != at]
        gone = [v for v in current.position if v not in stamps]
        if len(changed) > max(256, REBUILD_SHARE * len(stamps)):
            return self._rebuild(session, stamps)
        for venture_id in gone:
            row = current.position.pop(venture_id)
            current.ids[row] = -1
            current.logits[row] = -np.inf
            current.stamps.pop(venture_id, None)
        if changed:
            records = scoring_data.venture_rows(session=session, ids=changed)
            self._update_rows(records, {v: stamps[v] for v in changed})
        return current

    def update_rows(self, records: list[dict[str, Any]], stamps: dict[int, object]) -> None:
        """Write fresh rows for these ventures into the matrix (if it is loaded)."""
        with self._lock:
            self._update_rows(records, stamps)

    def _update_rows(self, records: list[dict[str, Any]], stamps: dict[int, object]) -> None:
        current = self._matrix
        if current is None or not records:
            return
        ids, logits = self.venture_logits(records)
        new = [v for v in ids.tolist() if v not in current.position]
        if new:
            start = len(current.ids)
            current.ids = np.concatenate([current.ids, np.array(new, dtype=np.int64)])
            pad = np.full((len(new), logits.shape[1]), -np.inf, dtype=np.float32)
            current.logits = np.vstack([current.logits, pad])
            for offset, venture_id in enumerate(new):
                current.position[venture_id] = start + offset
        positions = np.array([current.position[v] for v in ids.tolist()], dtype=np.int64)
        current.logits[positions] = logits
        current.stamps.update({v: stamps[v] for v in ids.tolist() if v in stamps})

    def _rebuild(self, session: Session, stamps: dict[int, object]) -> VentureMatrix:
        records = scoring_data.venture_rows(session=session)
        ids, logits = self.venture_logits(records)
        self._matrix = VentureMatrix(
            ids=ids.copy(),
            logits=logits,
            stamps={v: stamps[v] for v in ids.tolist() if v in stamps},
            position={v: r for r, v in enumerate(ids.tolist())},
        )
        return self._matrix


_lock = threading.RLock()
_current: ScoringContext | None = None


def scoring_context(*, session: Session, settings: Settings) -> ScoringContext:
    """This process's context for the active model and the current investors and history."""
    global _current
    active = active_model(session=session, settings=settings)
    inputs = scoring_data.inputs_version(session=session)
    with _lock:
        context = _current
        if context is not None and context.version == active.version and context.inputs == inputs:
            return context
        investors = scoring_data.investor_rows(session=session)
        if not investors:
            raise NoInvestors("no active investors to score against")
        history = scoring_data.history_rows(session=session)
        pool = active.model.prepare(investors, history)
        context = ScoringContext(active.model, active.version, inputs, pool)
        _current = context
        return context


class NoInvestors(Exception):
    """Nothing to rank against yet; lists are simply empty."""


def forget() -> None:
    """Drop this process's cached context."""
    global _current
    with _lock:
        _current = None
