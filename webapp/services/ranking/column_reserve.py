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

An investor's row is made the first time its list is refilled, by streaming its column (what a
refill without the reserve costs), and serves its later refills; rows are dropped with their
scoring context (new investors, deals or model). Nothing is built up front: a pass over every
pair for every investor would cost seconds at 10,000 × 2,000 and minutes at 100,000 × 20,000
after every investor change. The reserve holds at most investors × 2K ids and log-odds.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from matching.blocks import barred_pairs, stream_column_top_k, stream_logits
from matching.pool import InvestorPool
from matching.topk import probability
from webapp.services.ranking.match_store import Member
from webapp.services.ranking.scoring_cache import F32, I64, B, ScoringContext

DEPTH = 2  # the reserve holds DEPTH × K ventures per investor
Key = tuple[float, int]  # (−log-odds, venture id): sorts best first, ties to the smaller id


@dataclass
class _Row:
    held: list[Key]  # best first
    cut: Key | None  # every venture not held sorts after this; None: nothing else is eligible
    epoch: int


class Reserve:
    """The reserve of one scoring context (its model and investor pool)."""

    def __init__(self, ctx: ScoringContext, depth: int) -> None:
        self.ctx = ctx
        self.depth = depth
        self.rows: dict[int, _Row] = {}
        self._lock = threading.Lock()

    def lists(
        self, investor_ids: Collection[int], passed: set[tuple[int, int]], k: int
    ) -> dict[int, list[Member]]:
        """Exact top-k lists of these pool investors (call after `ctx.ventures.sync`)."""
        with self._lock:
            ids, _pool = self.ctx.sub_pool(investor_ids)
            out: dict[int, list[Member]] = {}
            stale = [i for i in ids.tolist() if i not in self.rows]  # first refill: stream it
            known = [i for i in ids.tolist() if i in self.rows]
            ids, pool = self.ctx.sub_pool(known)
            since = min((self.rows[i].epoch for i in known), default=self.ctx.ventures.epoch)
            now, changed = self.ctx.ventures.changed_after(since)
            fresh = _rescore(self.ctx, pool, changed) if known else {}
            for at, investor_id in enumerate(ids.tolist()):
                row = self.rows[investor_id]
                mine = {v: c[at] for v, c in fresh.items() if changed[v] > row.epoch}
                kept = [key for key in row.held if changed.get(key[1], 0) <= row.epoch]
                candidates = sorted(kept + [(-x, v) for v, x in mine.items() if np.isfinite(x)])
                cut = row.cut
                if cut is not None:  # what sorts after the cut may trail unseen ventures
                    candidates = [c for c in candidates if c <= cut]
                if len(candidates) > self.depth:
                    candidates = candidates[: self.depth]
                    cut = candidates[-1]
                unbarred = [c for c in candidates if (c[1], investor_id) not in passed]
                if cut is not None and len(unbarred) < k:
                    stale.append(investor_id)
                    continue
                self.rows[investor_id] = _Row(candidates, cut, now)
                out[investor_id] = _members(unbarred[:k])
            if stale:
                out.update(self._stream(stale, passed, k))
            return out

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
        for investor_id in ids.tolist():
            row = self.rows[investor_id]
            unbarred = [c for c in row.held if (c[1], investor_id) not in passed]
            if row.cut is not None and len(unbarred) < k:
                blocked.append(investor_id)  # passed on most of its best ventures
            else:
                out[investor_id] = _members(unbarred[:k])
        if blocked:
            mine = [(v, i) for v, i in passed if i in set(blocked)]
            ids, pool = self.ctx.sub_pool(blocked)
            top, logit = stream_column_top_k(
                self.ctx.model, self.ctx.ventures.each(), pool, k, barred_pairs(mine)
            )
            for row_at, investor_id in enumerate(ids.tolist()):
                keep = top[row_at] >= 0
                keys = zip((-logit[row_at][keep]).tolist(), top[row_at][keep].tolist(), strict=True)
                out[investor_id] = _members(list(keys))
        return out


def _rows(ids: I64, top: I64, logit: F32, epoch: int) -> dict[int, _Row]:
    rows: dict[int, _Row] = {}
    for at, investor_id in enumerate(ids.tolist()):
        keep = top[at] >= 0
        held = list(zip((-logit[at][keep]).tolist(), top[at][keep].tolist(), strict=True))
        full = bool(keep.all())
        rows[investor_id] = _Row(held, held[-1] if full else None, epoch)
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


def _members(keys: list[Key]) -> list[Member]:
    if not keys:
        return []
    scores = probability(np.array([-x for x, _ in keys], dtype=np.float32))
    return [(v, float(s)) for (_, v), s in zip(keys, scores, strict=True)]


_lock = threading.Lock()
_current: Reserve | None = None


def ready(ctx: ScoringContext, k: int) -> bool:
    """Whether this process's reserve serves the context for lists of k."""
    reserve = _current
    return reserve is not None and reserve.ctx is ctx and reserve.depth >= DEPTH * k


def reserve_for(ctx: ScoringContext, k: int) -> Reserve:
    """This process's reserve for the context (empty when the context is new)."""
    global _current
    with _lock:
        reserve = _current
        if reserve is None or not ready(ctx, k):
            reserve = Reserve(ctx, DEPTH * k)
            _current = reserve
        return reserve
