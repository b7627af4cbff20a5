"""Each investor's best ventures beyond its top K, kept per process, so that an investor list
whose member dropped out is refilled exactly without streaming its column over every venture.

Per investor the reserve holds the `depth` best ventures by log-odds (passes left out of it:
they are applied when a list is formed) as they stood at some epoch of the ventures' change log
(`VentureSides.changed_after`), and the cut: every venture not held ranked below the last one
held. To refill a list, ventures changed, new or gone since that epoch are dropped from the
reserve and the present ones rescored for the investor; if at least K unbarred candidates still
rank at or above the cut, their top K is the exact list (anything else is unchanged and ranked
below the cut). Otherwise the column is streamed over every venture as before and the reserve
row rebuilt. Log-odds are bit-identical however a venture is scored (`matching.blocks`), so a
list from the reserve equals the one a full refresh computes.

Rows are made in two ways. A worker process fills every missing row in a background thread
(`fill_in_background`, from `workers.lifecycle` at start): a pass over every pair, a few
seconds of one core at 10,000 × 2,000, so that refills need no stream. And an investor
refilled before its row exists gets it by streaming its column, as before. When a new context
replaces this one because investors changed (not the model or the past deals), the rows of
investors whose profile is unchanged are carried over: their columns are the same, so only
changed investors' rows are made again. The reserve holds at most investors × 2K ids and
log-odds, as arrays (24 MB at 20,000 investors and K = 50).

A changed venture's log-odds against the whole pool are computed once per change and kept
(`_Changed`, at most `CHANGED_BYTES` of them), so a refill reads the columns it needs from
them instead of scoring every venture changed since its rows' epoch again, once per refill.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from matching.blocks import barred_pairs, stream_column_top_k, stream_logits
from matching.pool import InvestorPool
from matching.topk import probability
from webapp.services.ranking.match_store import Member
from webapp.services.ranking.scoring_cache import F32, I64, B, ScoringContext
from webapp.services.ranking.scoring_data import same_history

log = logging.getLogger(__name__)
DEPTH = 2  # the reserve holds DEPTH × K ventures per investor
FILL_BLOCK = 128  # investors streamed together by a fill (the lock is let go between blocks)
CHANGED_BYTES = 64 << 20  # kept log-odds of changed ventures (whole-pool rows), at most
Key = tuple[float, int]  # (−log-odds, venture id): sorts best first, ties to the smaller id
_NONE = np.zeros(0, dtype=np.int64)


@dataclass
class _Row:
    negated: F32  # −log-odds of the held ventures, best first
    ids: I64  # the held ventures
    cut: Key | None  # every venture not held sorts after this; None: nothing else is eligible
    epoch: int


class _Changed:
    """Log-odds of changed ventures against every pool investor (passes left out), each
    for the epoch of its last change: a venture changed again is scored again.

    Held as rows of one matrix, so that a refill takes the columns of every venture changed
    since its rows' epoch with one index. The changes a refill reads grow through a working
    day (~200 a refill after 400 changes); taken one by one, a slice and a stack each, they
    cost 0.34–0.37 ms a refill there, and 0.21–0.27 ms with one index."""

    def __init__(self, ctx: ScoringContext) -> None:
        self.ctx = ctx
        self.limit = max(1, CHANGED_BYTES // (4 * max(len(ctx.investor_ids), 1)))
        self.slots: OrderedDict[int, int] = OrderedDict()  # venture → its row; oldest first
        self.free: list[int] = []  # rows given up by ventures no longer published
        self.epochs = np.zeros(0, dtype=np.int64)  # per row: the epoch its log-odds are for
        self.matrix = np.zeros((0, len(ctx.investor_ids)), dtype=np.float32)

    def remember(self, venture_id: int, epoch: int, logits: F32) -> None:
        """A changed venture's log-odds computed elsewhere (its own refresh scored it)."""
        slot = self.slots.pop(venture_id, None)
        if slot is None:
            slot = self._free_slot()
        self.slots[venture_id] = slot
        self.epochs[slot] = epoch
        self.matrix[slot] = logits

    def _free_slot(self) -> int:
        if self.free:
            return self.free.pop()
        if len(self.slots) >= self.limit:  # the oldest remembered gives up its row
            return self.slots.popitem(last=False)[1]
        used = len(self.slots)  # rows 0..used-1 are all taken: none is free
        if used == len(self.epochs):  # grown by doubling: most workers see few changes
            size = min(self.limit, max(16, 2 * used))
            self.epochs = np.resize(self.epochs, size)
            grown = np.zeros((size, self.matrix.shape[1]), dtype=np.float32)
            grown[:used] = self.matrix[:used]
            self.matrix = grown
        return used

    def columns(self, changed: dict[int, int], positions: I64) -> tuple[I64, I64, F32]:
        """(ventures, epochs, log-odds at these pool positions) of the changed ventures still
        published, in the order of `changed`."""
        ids = np.fromiter(changed, np.int64, len(changed))
        at = np.fromiter(changed.values(), np.int64, len(changed))
        slots = np.fromiter((self.slots.get(v, -1) for v in changed), np.int64, len(changed))
        held = slots >= 0
        held[held] = self.epochs[slots[held]] == at[held]
        scored = np.empty((len(ids), len(positions)), dtype=np.float32)
        scored[held] = self.matrix[np.ix_(slots[held], positions)]
        found = held.copy()
        stale = np.flatnonzero(~held)
        if len(stale):  # copied above first: remembering these may reuse those rows
            wanted = dict(zip(ids[stale].tolist(), at[stale].tolist(), strict=True))
            rescored = _rescore(self.ctx, self.ctx.pool, wanted)
            for j, venture_id in zip(stale.tolist(), ids[stale].tolist(), strict=True):
                logits = rescored.get(venture_id)
                if logits is None:  # not published any more: its row goes to the next newcomer
                    slot = self.slots.pop(venture_id, None)
                    if slot is not None:
                        self.free.append(slot)
                    continue
                scored[j] = logits[positions]
                found[j] = True
                self.remember(venture_id, wanted[venture_id], logits)
        return ids[found], at[found], scored[found]


class Reserve:
    """The reserve of one scoring context (its model and investor pool)."""

    def __init__(self, ctx: ScoringContext, depth: int) -> None:
        self.ctx = ctx
        self.depth = depth
        self.rows: dict[int, _Row] = {}
        self.changed = _Changed(ctx)
        self._lock = threading.Lock()

    def lists(
        self, investor_ids: Collection[int], passed: set[tuple[int, int]], k: int
    ) -> dict[int, list[Member]]:
        """Exact top-k lists of these pool investors (call after `ctx.ventures.sync`)."""
        with self._lock:
            members = self.ctx.in_pool(investor_ids)
            out: dict[int, list[Member]] = {}
            stale = [i for i in members if i not in self.rows]  # first refill: stream it
            known = [i for i in members if i in self.rows]
            since = min((self.rows[i].epoch for i in known), default=self.ctx.ventures.epoch)
            now, changed = self.ctx.ventures.changed_after(since)
            positions = np.array([self.ctx.investor_position[i] for i in known], dtype=np.int64)
            changed_ids = np.fromiter(changed, np.int64, len(changed))
            changed_at = np.fromiter(changed.values(), np.int64, len(changed))
            if known:
                fresh_ids, fresh_at, scored = self.changed.columns(changed, positions)
            else:
                fresh_ids, fresh_at, scored = _NONE, _NONE, np.zeros((0, 0), np.float32)
            barred = _barred_by_investor(passed)
            gone_after: dict[int, I64] = {}  # epoch → the ventures changed after it, sorted
            for at, investor_id in enumerate(known):
                row = self.rows[investor_id]
                # Held ventures changed since the row's epoch drop out; their new log-odds
                # (and every other changed venture's) come in.
                gone = gone_after.get(row.epoch)
                if gone is None:
                    gone = gone_after[row.epoch] = np.sort(changed_ids[changed_at > row.epoch])
                kept = _absent(row.ids, gone)
                mine = (fresh_at > row.epoch) & np.isfinite(scored[:, at])
                negated = np.concatenate([row.negated[kept], -scored[mine, at]])
                ids = np.concatenate([row.ids[kept], fresh_ids[mine]])
                order = np.lexsort((ids, negated))  # best first, ties to the smaller id
                negated, ids = negated[order], ids[order]
                cut = row.cut
                if cut is not None:  # what sorts after the cut may trail unseen ventures
                    inside = (negated < cut[0]) | ((negated == cut[0]) & (ids <= cut[1]))
                    negated, ids = negated[inside], ids[inside]
                if len(ids) > self.depth:
                    negated, ids = negated[: self.depth], ids[: self.depth]
                    cut = (float(negated[-1]), int(ids[-1]))
                free = _absent(ids, barred.get(investor_id, _NONE))
                if cut is not None and int(free.sum()) < k:
                    stale.append(investor_id)
                    continue
                self.rows[investor_id] = _Row(negated, ids, cut, now)
                out[investor_id] = _members(negated[free][:k], ids[free][:k])
            if stale:
                out.update(self._stream(stale, passed, k))
            return out

    def remember(self, venture_id: int, logits: F32) -> None:
        """This venture's log-odds against the whole pool (passes left out), as of its last
        change the venture keys hold: refills then need not score it again."""
        epoch = self.ctx.ventures.changed_at.get(venture_id)
        if epoch is not None:  # unchanged since the keys were built: no refill rescores it
            with self._lock:
                self.changed.remember(venture_id, epoch, logits)

    def missing(self) -> list[int]:
        """Pool investors without a row yet."""
        with self._lock:
            return [i for i in self.ctx.investor_ids.tolist() if i not in self.rows]

    def fill(self, stop: Callable[[], bool] = lambda: False) -> int:
        """Make every missing row, FILL_BLOCK investors per stream over the ventures (call
        after `ctx.ventures.sync`); returns how many were made. Refills go on meanwhile: the
        lock is held only to store a block's rows."""
        made = 0
        while not stop():
            block = self.missing()[:FILL_BLOCK]
            if not block or not self.ctx.ventures.built:
                break
            ids, pool = self.ctx.sub_pool(block)
            epoch = self.ctx.ventures.epoch  # read first: later changes are re-applied
            top, logit = stream_column_top_k(
                self.ctx.model, self.ctx.ventures.each(), pool, self.depth
            )
            with self._lock:
                for investor_id, row in _rows(ids, top, logit, epoch).items():
                    self.rows.setdefault(investor_id, row)
            made += len(block)
        return made

    def _stream(
        self, investor_ids: list[int], passed: set[tuple[int, int]], k: int
    ) -> dict[int, list[Member]]:
        """These investors' rows rebuilt over every venture, and their lists."""
        ids, pool = self.ctx.sub_pool(investor_ids)
        epoch = self.ctx.ventures.epoch
        top, logit = stream_column_top_k(self.ctx.model, self.ctx.ventures.each(), pool, self.depth)
        self.rows.update(_rows(ids, top, logit, epoch))
        out: dict[int, list[Member]] = {}
        blocked: list[int] = []
        barred = _barred_by_investor(passed)
        for investor_id in ids.tolist():
            row = self.rows[investor_id]
            free = _absent(row.ids, barred.get(investor_id, _NONE))
            if row.cut is not None and int(free.sum()) < k:
                blocked.append(investor_id)  # passed on most of its best ventures
            else:
                out[investor_id] = _members(row.negated[free][:k], row.ids[free][:k])
        if blocked:
            mine = [(v, i) for v, i in passed if i in set(blocked)]
            ids, pool = self.ctx.sub_pool(blocked)
            top, logit = stream_column_top_k(
                self.ctx.model, self.ctx.ventures.each(), pool, k, barred_pairs(mine)
            )
            for row_at, investor_id in enumerate(ids.tolist()):
                keep = top[row_at] >= 0
                out[investor_id] = _members(-logit[row_at][keep], top[row_at][keep])
        return out


def _rows(ids: I64, top: I64, logit: F32, epoch: int) -> dict[int, _Row]:
    rows: dict[int, _Row] = {}
    for at, investor_id in enumerate(ids.tolist()):
        keep = top[at] >= 0
        negated = np.ascontiguousarray(-logit[at][keep])
        held = np.ascontiguousarray(top[at][keep])
        cut = (float(negated[-1]), int(held[-1])) if keep.all() and len(held) else None
        rows[investor_id] = _Row(negated, held, cut, epoch)
    return rows


def _rescore(ctx: ScoringContext, pool: InvestorPool, changed: dict[int, int]) -> dict[int, F32]:
    """Log-odds of the changed ventures still published against these investors, by venture."""
    if not changed:
        return {}
    wanted = np.array(sorted(changed), dtype=np.int64)
    sides = []
    for side, _which, rows in ctx.ventures.locate(wanted):
        dead: B = np.ones(len(side.frame), dtype=np.bool_)
        dead[rows] = False
        sides.append((side, dead))
    out: dict[int, F32] = {}
    for venture_ids, logits in stream_logits(ctx.model, sides, pool):
        out.update(zip(venture_ids.tolist(), logits, strict=True))
    return out


def _members(negated: F32, ids: I64) -> list[Member]:
    """A list's members as (id, score), from ventures' −log-odds, best first."""
    scores = probability(-negated)
    return list(zip(ids.tolist(), scores.tolist(), strict=True))


def _barred_by_investor(passed: set[tuple[int, int]]) -> dict[int, I64]:
    """The ventures each investor passed on, as sorted arrays (for `_absent`)."""
    found: dict[int, list[int]] = {}
    for venture_id, investor_id in passed:
        found.setdefault(investor_id, []).append(venture_id)
    return {i: np.array(sorted(v), dtype=np.int64) for i, v in found.items()}


def _absent(values: I64, ordered: I64) -> B:
    """Which of `values` are not in `ordered` (sorted): a binary search each. For a row of
    a hundred ventures `np.isin` spent most of its time setting up (~20 µs a call, two calls
    per list refilled: a millisecond of a venture change)."""
    if len(ordered) == 0:
        return np.ones(len(values), dtype=np.bool_)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return np.asarray(ordered[at] != values)


_UNSEEN = object()  # an investor the old context did not have: never the same stamp


def _carried(old: Reserve, ctx: ScoringContext, depth: int) -> dict[int, _Row]:
    """The rows of `old` that hold for the new context: same model, venture keys and past
    deals, and the investor's profile unchanged (same stamp), so the same column."""
    before = old.ctx
    if (
        old.depth != depth
        or before.model is not ctx.model
        or before.ventures is not ctx.ventures
        or not same_history(before.inputs, ctx.inputs)
    ):
        return {}
    with old._lock:
        return {
            i: row
            for i, row in old.rows.items()
            if i in ctx.investor_stamps
            and ctx.investor_stamps[i] == before.investor_stamps.get(i, _UNSEEN)
        }


_lock = threading.Lock()
_current: Reserve | None = None
_filling = False  # whether this process fills its reserves in the background
_filler: threading.Thread | None = None


def ready(ctx: ScoringContext, k: int) -> bool:
    """Whether this process's reserve serves the context for lists of k."""
    reserve = _current
    return reserve is not None and reserve.ctx is ctx and reserve.depth >= DEPTH * k


def reserve_for(ctx: ScoringContext, k: int) -> Reserve:
    """This process's reserve for the context: kept, carried over from the last context's,
    or new; a background fill is started for its missing rows where this process fills."""
    global _current
    with _lock:
        reserve = _current
        if reserve is None or not ready(ctx, k):
            fresh = Reserve(ctx, DEPTH * k)
            if reserve is not None:
                fresh.rows = _carried(reserve, ctx, fresh.depth)
            reserve = _current = fresh
            _start_filler()
        return reserve


def fill_in_background(ctx: ScoringContext, k: int) -> None:
    """From now on this process keeps its reserve full: missing rows are made in a daemon
    thread, now and whenever a new context replaces the reserve (worker processes call
    this once their scoring state is warm)."""
    global _filling
    with _lock:
        _filling = True
    reserve_for(ctx, k)
    with _lock:
        _start_filler()


def _start_filler() -> None:
    """Start the filling thread if this process fills and none runs (call holding `_lock`)."""
    global _filler
    if _filling and _filler is None:
        _filler = threading.Thread(target=_fill_current, name="vm-reserve-fill", daemon=True)
        _filler.start()


def _fill_current() -> None:
    """Fill the current reserve; when another replaces it meanwhile, go on with that one."""
    global _filler
    reserve: Reserve | None = None
    try:
        while True:
            with _lock:  # the thread ends under the lock, so no new reserve goes unfilled
                if _current is None or _current is reserve:
                    _filler = None
                    return
                reserve = _current
            started = time.monotonic()
            made = reserve.fill(stop=_replaced(reserve))
            if made:
                took = time.monotonic() - started
                log.info("reserve: rows of %d investors in %.1f s", made, took)
    except Exception:  # refills still stream: a failed fill costs speed, not correctness
        log.exception("reserve fill failed")
        with _lock:
            _filler = None


def _replaced(reserve: Reserve) -> Callable[[], bool]:
    return lambda: _current is not reserve


def wait_filled(timeout: float) -> bool:
    """Wait for this process's background fill to finish; whether it did in time."""
    thread = _filler
    if thread is not None:
        thread.join(timeout)
    return _filler is None or not _filler.is_alive()


def stop_filling() -> None:
    """Stop keeping reserves full in this process, once the running fill ends (for tests)."""
    global _filling
    with _lock:
        _filling = False
    wait_filled(timeout=60)
