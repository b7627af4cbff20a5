"""Per-process scoring state: the active model, its prepared investor pool, and the published
ventures' scoring keys. Nothing here grows with ventures × investors.

Building the pool costs about a second at 2,000 investors, so it is kept between tasks and
rebuilt only when investors or history change (`scoring_data.inputs_version`). The ventures'
keys (`VentureSides`: codes, amounts, text vectors; no scores) let an investor's column over
every venture be streamed in blocks in milliseconds; they are brought up to date from the
ventures' `updated_at` stamps before each use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sqlmodel import Session

import matching
from matching.blocks import block_logits, block_size
from matching.features import PairFeatures
from matching.frames import VentureFrame, venture_text
from matching.pool import VentureSide
from webapp.config import Settings
from webapp.models import utcnow
from webapp.services.ranking import scoring_data
from webapp.services.ranking.model_registry import ActiveModel, active_model

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
SIDE_ROWS = 4096  # ventures per side built in a rebuild
REBUILD_AFTER = 256  # recent changes kept apart before every side is rebuilt
RECENT_SIDES = 4  # small sides of recent changes kept before they are merged into one
# A change stamped this long before it was committed is still seen by the next sync; one
# committed later still is seen by the comparison of every stamp, at least this often.
STAMP_WINDOW = timedelta(minutes=10)
FULL_SCAN_EVERY_S = 60.0


class VentureSides:
    """Published ventures as matching's venture sides: full sides built in a rebuild, then one
    small side per sync that found changes. A venture that changed since its side was built is
    masked there (`dead`) and lives in the newest small side that holds it; small sides are
    merged into one past `RECENT_SIDES`, and every side is rebuilt past `REBUILD_AFTER` changes.

    Catching up reads only what is new: ventures stamped since the last sync (less
    `STAMP_WINDOW`, for writes committed a while after they were stamped) and the published
    count and id total, which tell whether a venture left or arrived unseen. When those do not
    add up, or `FULL_SCAN_EVERY_S` has passed, every published venture's stamp is compared.
    """

    def __init__(self, model: matching.MatchModel) -> None:
        self.model = model
        self.sides: list[VentureSide] = []
        self.dead: list[B] = []
        self.full = 0  # sides[:full] come from the last rebuild, the rest are small sides
        self.owner: dict[int, tuple[int, int]] = {}  # venture id → (side, row) holding it now
        self.recent: dict[int, dict[str, Any]] = {}  # records changed since the rebuild
        self.stamps: dict[int, object] = {}
        self.id_total = 0  # sum of the ids in `stamps`
        # A log of what changed: `epoch` goes up whenever a sync finds ventures changed, new
        # or gone, and `changed_at` says at which epoch each such venture last did.
        self.epoch = 0
        self.changed_at: dict[int, int] = {}
        self._built = False
        self._since: datetime | None = None  # stamps from here on are read by the next sync
        self._scanned = 0.0  # time.monotonic() of the last comparison of every stamp
        self._lock = threading.RLock()  # a warm-up thread and a task may both sync

    @property
    def built(self) -> bool:
        return self._built

    def sync(self, session: Session) -> None:
        """Catch up with the database: published ventures and their `updated_at` stamps."""
        with self._lock:
            started = utcnow()
            found = self._recent_stamps(session) if self._built else None
            if found is None:
                stamps = scoring_data.venture_stamps(session=session)
                self._scanned = time.monotonic()
                changed = [v for v, at in stamps.items() if self.stamps.get(v) != at]
                gone = [v for v in self.stamps if v not in stamps]
            else:
                stamps = found
                changed = [v for v, at in found.items() if self.stamps.get(v) != at]
                gone = []
            self._since = started - STAMP_WINDOW
            if self._built and (changed or gone):
                self.epoch += 1
                self.changed_at.update(dict.fromkeys(changed + gone, self.epoch))
            if not self._built or len(self.recent) + len(changed) > REBUILD_AFTER:
                self._rebuild(session, stamps if found is None else None)
                return
            if not changed and not gone:
                return
            for venture_id in gone:
                self._retire(venture_id)
                self.recent.pop(venture_id, None)
                self.id_total -= venture_id
                del self.stamps[venture_id]
            records = scoring_data.venture_rows(session=session, ids=changed)
            side = self.side_of(records) if records else None  # before their old rows go
            for record in records:
                venture_id = int(record["id"])
                self._retire(venture_id)
                self.recent[venture_id] = record
                if venture_id not in self.stamps:
                    self.id_total += venture_id
                self.stamps[venture_id] = stamps[venture_id]
            if side is not None and len(self.sides) - self.full >= RECENT_SIDES:
                self._merge_recent(side)
            elif side is not None:
                self._add_side(side)

    def _recent_stamps(self, session: Session) -> dict[int, object] | None:
        """Stamps of the ventures published and stamped since the last sync, or None when a
        venture left or arrived unseen (or it is time to compare every stamp)."""
        if self._since is None or time.monotonic() - self._scanned > FULL_SCAN_EVERY_S:
            return None
        found, count, total = scoring_data.recent_changes(session=session, since=self._since)
        new = [v for v in found if v not in self.stamps]
        if count != len(self.stamps) + len(new) or total != self.id_total + sum(new):
            return None
        return found

    def changed_after(self, epoch: int) -> tuple[int, dict[int, int]]:
        """(the current epoch, ventures changed, new or gone after `epoch` → when)."""
        with self._lock:
            if epoch >= self.epoch:
                return self.epoch, {}
            return self.epoch, {v: e for v, e in self.changed_at.items() if e > epoch}

    def side_of(self, records: list[dict[str, Any]]) -> VentureSide:
        """Venture keys of these records for this model. A held venture whose name and summary
        did not change keeps its text vector: a change of raise or stage embeds no text (the
        vectoriser's set-up was a third of a venture change's keys)."""
        frame = self.model.venture_frame(records)
        return VentureSide.build(frame, self.model.vectoriser, self._held_text(frame))

    def _held_text(self, frame: VentureFrame) -> sparse.csr_matrix | None:
        """The text vectors the sides hold for these ventures' texts, or None unless every
        venture is held with the same text."""
        rows = []
        for record in frame.records:
            held = self.owner.get(record.id)
            if held is None:
                return None
            side = self.sides[held[0]]
            if venture_text(side.frame.records[held[1]]) != venture_text(record):
                return None
            rows.append(side.text[held[1]])
        return sparse.csr_matrix(sparse.vstack(rows)) if rows else None

    def _add_side(self, side: VentureSide) -> None:
        at = len(self.sides)
        self.owner.update({int(v): (at, row) for row, v in enumerate(side.frame.ids.tolist())})
        self.sides.append(side)
        self.dead.append(np.zeros(len(side.frame), dtype=np.bool_))

    def _merge_recent(self, newest: VentureSide) -> None:
        """The small sides' live rows and `newest` folded into one side: their keys put
        together, not derived from the records again."""
        parts = [
            side.take(np.flatnonzero(~dead)) if dead.any() else side
            for side, dead in zip(self.sides[self.full :], self.dead[self.full :], strict=True)
            if not dead.all()
        ]
        for venture_id in self.recent:
            self.owner.pop(venture_id, None)
        del self.sides[self.full :], self.dead[self.full :]
        self._add_side(VentureSide.concat([*parts, newest]))

    def _retire(self, venture_id: int) -> None:
        held = self.owner.pop(venture_id, None)
        if held is not None:
            self.dead[held[0]][held[1]] = True

    def _rebuild(self, session: Session, stamps: dict[int, object] | None) -> None:
        if stamps is None:
            stamps = scoring_data.venture_stamps(session=session)
            self._scanned = time.monotonic()
        records = scoring_data.venture_rows(session=session)
        self.sides, self.dead, self.owner, self.recent = [], [], {}, {}
        for start in range(0, len(records), SIDE_ROWS):
            self._add_side(self.side_of(records[start : start + SIDE_ROWS]))
        self.full = len(self.sides)
        self.stamps = {int(r["id"]): stamps[int(r["id"])] for r in records if r["id"] in stamps}
        self.id_total = sum(self.stamps)
        self._built = True

    def each(self) -> Iterator[tuple[VentureSide, B | None]]:
        """Every published venture exactly once: (side, rows to skip in it), as they stand
        when called. Sides never change once built, so the lock is held only to copy the
        masks, not while the caller streams (a reserve fill streams for seconds)."""
        with self._lock:
            held = [
                (side, dead.copy() if dead.any() else None)
                for side, dead in zip(self.sides, self.dead, strict=True)
                if not dead.all()
            ]
        return iter(held)

    def locate(self, venture_ids: I64) -> Iterator[tuple[VentureSide, I64, I64]]:
        """(side, which of `venture_ids`, their rows there) for the ventures held, side by side."""
        with self._lock:
            found: dict[int, tuple[list[int], list[int]]] = {}
            for at, venture_id in enumerate(venture_ids.tolist()):
                held = self.owner.get(venture_id)
                if held is not None:
                    picked, rows = found.setdefault(held[0], ([], []))
                    picked.append(at)
                    rows.append(held[1])
            for side_at, (picked, rows) in sorted(found.items()):
                side = self.sides[side_at]
                yield side, np.array(picked, dtype=np.int64), np.array(rows, dtype=np.int64)

    def gather(self, venture_ids: Collection[int]) -> VentureSide | None:
        """One side holding the keys of these ventures as they stand (those published; None
        if none is): for scoring or wording a few ventures without reading their records."""
        wanted = np.array(sorted(venture_ids), dtype=np.int64)
        # A side wanted whole, in order, is given as it is (sides never change once built):
        # a venture just changed is usually the one venture of the newest side.
        parts = [
            side if np.array_equal(rows, np.arange(len(side.frame))) else side.take(rows)
            for side, _which, rows in self.locate(wanted)
        ]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else VentureSide.concat(parts)

    def __len__(self) -> int:
        return len(self.stamps)


class ScoringContext:
    """The model and investor pool one process scores with, plus the ventures' keys."""

    def __init__(
        self,
        model: matching.MatchModel,
        version: str,
        inputs: tuple[Any, ...],
        pool: matching.InvestorPool,
        investor_stamps: dict[int, object],
    ) -> None:
        self.model = model
        self.version = version
        self.inputs = inputs
        self.pool = pool
        # Each pool investor's `updated_at`, read before its row: a stamp never vouches for
        # an older profile than the pool holds (`column_reserve` keeps unchanged investors'
        # rows across contexts by it).
        self.investor_stamps = investor_stamps
        self.investor_ids: I64 = np.asarray(pool.frame.ids, dtype=np.int64)
        self.investor_position = {int(i): c for c, i in enumerate(self.investor_ids.tolist())}
        self.ventures = VentureSides(model)

    def features_for(self, records: list[dict[str, Any]]) -> PairFeatures:
        """Pair features of these ventures against the whole pool."""
        return self.model.pair_features(records, self.pool)

    def features_of(self, side: VentureSide) -> PairFeatures:
        """Pair features of a side of these venture keys against the whole pool."""
        return PairFeatures(side, self.pool, self.model.config)

    def venture_logits(
        self, records: list[dict[str, Any]], barred: I64 | None = None
    ) -> tuple[I64, F32]:
        """Log-odds of a few ventures against every investor (block mode)."""
        if not records:
            return np.zeros(0, np.int64), np.zeros((0, len(self.investor_ids)), np.float32)
        features = self.features_for(records)
        ids = np.asarray(features.side.frame.ids, dtype=np.int64)
        size = block_size(len(self.investor_ids))
        parts = [
            block_logits(self.model, features, np.arange(s, min(s + size, len(ids))), barred)
            for s in range(0, len(ids), size)
        ]
        return ids, np.vstack(parts)

    def in_pool(self, investor_ids: Collection[int]) -> list[int]:
        """These investors that are in the pool, in pool order."""
        where = self.investor_position
        return sorted((i for i in investor_ids if i in where), key=where.__getitem__)

    def sub_pool(self, investor_ids: Collection[int]) -> tuple[I64, matching.InvestorPool]:
        """(ids, pool) of these investors that are in the pool, in pool order."""
        where = self.investor_position
        positions = np.array(sorted(where[i] for i in investor_ids if i in where), dtype=np.int64)
        return self.investor_ids[positions], self.pool.take(positions)


_lock = threading.RLock()
_current: ScoringContext | None = None
_generation = 0  # counts replacements of `_current` (and forgets)


def generation() -> int:
    """A number that changes whenever this process's context is replaced or dropped."""
    return _generation


def _install(context: ScoringContext | None) -> None:
    global _current, _generation
    if context is not _current:
        _current = context
        _generation += 1


def scoring_context(*, session: Session, settings: Settings) -> ScoringContext:
    """This process's context for the active model and the current investors and history."""
    active = active_model(session=session, settings=settings)
    inputs = scoring_data.inputs_version(session=session)
    with _lock:
        context = _current
        if _still_current(context, active.version, inputs):
            assert context is not None
            return context
        if context is not None and context.inputs == inputs and _same_codes(context, active):
            # Only the model changed: the validated investor and deal frames still hold, and
            # reading and checking them again is most of a pool's build.
            pool = active.model.prepare(context.pool.frame, context.pool.history)
            stamps = context.investor_stamps
        else:
            stamps = scoring_data.investor_stamps(session=session)
            investors = scoring_data.investor_rows(session=session)
            if not investors:
                raise NoInvestors("no active investors to score against")
            history: Any
            if (
                context is not None
                and scoring_data.same_history(context.inputs, inputs)
                and _same_codes(context, active)
            ):
                # Only investors changed (a mandate edited): the past deals' validated frame
                # still holds; reading and checking ~60,000 deals again was most of the build.
                history = context.pool.history
            else:
                history = scoring_data.history_rows(session=session)
            pool = active.model.prepare(investors, history)
        context = ScoringContext(active.model, active.version, inputs, pool, stamps)
        if _current is not None and _current.model is active.model:
            context.ventures = _current.ventures  # same model: the venture keys still hold
        _install(context)
        return context


def current_context(*, session: Session, settings: Settings) -> ScoringContext | None:
    """This process's context if it is still the one to score with; None if it must be built
    (`scoring_context` builds it: seconds, so callers holding a lock release it first)."""
    version, inputs = scoring_data.fingerprint(session=session)
    with _lock:
        if version is not None and _still_current(_current, version, inputs):
            return _current  # the usual case, in one statement
    active = active_model(session=session, settings=settings)
    with _lock:
        return _current if _still_current(_current, active.version, inputs) else None


def _still_current(context: ScoringContext | None, version: str, inputs: tuple[Any, ...]) -> bool:
    return context is not None and context.version == version and context.inputs == inputs


def _same_codes(context: ScoringContext, active: ActiveModel) -> bool:
    """Whether both models index codes alike (frames hold codes as taxonomy positions)."""
    old, new = context.model.taxonomy, active.model.taxonomy
    return old is new or old.to_dict() == new.to_dict()


class NoInvestors(Exception):
    """Nothing to rank against yet; lists are simply empty."""


def forget() -> None:
    """Drop this process's cached context."""
    with _lock:
        _install(None)
