"""Full refresh: score every published venture against every investor, in chunks, and replace
all stored lists at once.

Chunks are independent (any worker on any machine scores one from the database alone); each
holds one block of scores at a time (`matching.blocks`). The merge folds the chunks' investor
sides one part at a time, so no process ever holds the ventures × investors matrix.
Computing a chunk only reads; writing the merged lists takes the ranking lock and commits.
Chunks travel between workers as bytes (`ChunkResult.to_bytes`), never as pickles.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, col, select

from matching.blocks import barred_pairs, positions_of, score_both_sides
from matching.features import PairFeatures
from matching.reasons import pair_reasons
from matching.topk import ColumnTopK, probability
from webapp.config import Settings
from webapp.models import InvestorProfile, Venture, utcnow
from webapp.services.common.locks import take_write_lock
from webapp.services.ranking import match_bulk, scoring_data
from webapp.services.ranking.match_bulk import KEEP, WriteStats, clear_rows, replace_all
from webapp.services.ranking.scoring_cache import (
    F32,
    I64,
    NoInvestors,
    ScoringContext,
    scoring_context,
)

CHUNK_SIZE = 2500
NO_INVESTORS = "no active investors"  # a chunk's `inputs` when there was nobody to rank
CHANGE_MARGIN = timedelta(seconds=5)  # a change stamped just before the snapshot may commit after
Progress = Callable[[int], None]


@dataclass
class ChunkResult:
    """One chunk's lists: venture side complete, investor side the chunk's best K."""

    index: int
    model_version: str
    inputs: str
    venture_ids: I64
    venture_top: I64  # ventures × K investor ids (−1 pads)
    venture_logit: F32
    # ventures × K JSON reason lists ("[]" pads; KEEP where the stored row's are still right)
    venture_reasons: npt.NDArray[np.object_]
    investor_ids: I64
    investor_top: I64  # investors × K venture ids (−1 pads)
    investor_logit: F32

    def to_bytes(self) -> bytes:
        """An .npz archive; metadata as JSON bytes."""
        meta = json.dumps({"index": self.index, "model_version": self.model_version,
                           "inputs": self.inputs}).encode()  # fmt: skip
        buffer = io.BytesIO()
        texts = [t.encode() for t in self.venture_reasons.ravel().tolist()]
        np.savez(
            buffer, meta=np.frombuffer(meta, dtype=np.uint8), venture_ids=self.venture_ids,
            venture_top=self.venture_top, venture_logit=self.venture_logit,
            reason_bytes=np.frombuffer(b"".join(texts), dtype=np.uint8),
            reason_ends=np.cumsum([len(t) for t in texts], dtype=np.int64),
            investor_ids=self.investor_ids,
            investor_top=self.investor_top, investor_logit=self.investor_logit,
        )  # fmt: skip
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ChunkResult:
        """Inverse of `to_bytes` (refuses pickled content)."""
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode())
            arrays = {name: archive[name] for name in archive.files if name != "meta"}
        blob, ends = arrays.pop("reason_bytes").tobytes(), arrays.pop("reason_ends").tolist()
        starts = [0, *ends[:-1]]
        texts = [blob[a:b].decode() for a, b in zip(starts, ends, strict=True)]
        reasons = np.empty(len(texts), dtype=object)
        reasons[:] = texts
        arrays["venture_reasons"] = reasons.reshape(arrays["venture_top"].shape)
        return cls(index=meta["index"], model_version=meta["model_version"],
                   inputs=meta["inputs"], **arrays)  # fmt: skip


@dataclass
class FullRefreshStats:
    """Figures of a finished full refresh."""

    ventures: int
    investors: int
    rows: int
    model_version: str
    recomputed_parts: int = 0
    changed_ventures: list[int] = field(default_factory=list)
    changed_investors: list[int] = field(default_factory=list)
    written: WriteStats | None = None


def plan_chunks(*, session: Session, chunk_size: int = CHUNK_SIZE) -> list[list[int]]:
    """Published venture ids split into chunks of `chunk_size`."""
    ids = sorted(scoring_data.venture_stamps(session=session))
    return [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]


def compute_chunk(
    *,
    session: Session,
    settings: Settings,
    venture_ids: Sequence[int],
    index: int = 0,
    progress: Progress | None = None,
) -> ChunkResult:
    """Score these ventures against every investor (read-only).

    The ventures come from this process's cached venture keys, brought up to date first, so a
    chunk reads only stamps and changed ventures from the database. Reasons are computed only
    for pairs whose stored row does not already hold this score from this model (the nightly
    refresh changes few): the others carry KEEP, and the writer fills any it ends up writing.
    """
    try:
        ctx = scoring_context(session=session, settings=settings)
    except NoInvestors:
        return _empty_chunk(venture_ids, index, settings.match_top_k)
    ctx.ventures.sync(session)
    passed = scoring_data.passed_pairs(session=session, venture_ids=venture_ids)
    stored = match_bulk.stored_scores(
        session=session, venture_ids=venture_ids, model_version=ctx.version
    )
    session.rollback()  # nothing more to read: do not hold a snapshot through the scoring
    return _compute(ctx, np.asarray(sorted(venture_ids), dtype=np.int64), passed, stored, index,
                    settings.match_top_k, progress)  # fmt: skip


def _empty_chunk(venture_ids: Sequence[int], index: int, k: int) -> ChunkResult:
    """No active investor to rank against: every venture's list is empty."""
    ids = np.asarray(sorted(venture_ids), dtype=np.int64)
    n = len(ids)
    return ChunkResult(index, "", NO_INVESTORS, ids, np.full((n, k), -1, np.int64),
                       np.full((n, k), -np.inf, np.float32), np.full((n, k), "[]", dtype=object),
                       np.zeros(0, np.int64), np.zeros((0, k), np.int64),
                       np.zeros((0, k), np.float32))  # fmt: skip


def _clear_every_list(session: Session, parts: Iterable[ChunkResult]) -> FullRefreshStats:
    """No active investor (a new platform, or every mandate paused): nobody is on any list, so
    the refresh empties the table and succeeds instead of failing every night."""
    ventures = sum(len(p.venture_ids) for p in parts)
    session.rollback()
    take_write_lock(session=session, name="ranking")
    clear_rows(session=session)
    session.commit()
    return FullRefreshStats(ventures=ventures, investors=0, rows=0, model_version="")


def _compute(
    ctx: ScoringContext,
    venture_ids: I64,
    passed: set[tuple[int, int]],
    stored: match_bulk.StoredScores,
    index: int,
    k: int,
    progress: Progress | None,
) -> ChunkResult:
    inv_ids = ctx.investor_ids
    barred = barred_pairs(passed)
    columns = ColumnTopK(len(inv_ids), k)
    found: list[tuple[I64, I64, F32, I64]] = []
    for side, _picked, rows in ctx.ventures.locate(venture_ids):
        features = PairFeatures(side, ctx.pool, ctx.model.config)
        done = [0]

        def advance(upto: int, _total: int, done: list[int] = done) -> None:
            if progress is not None:
                progress(upto - done[0])
            done[0] = upto

        top = score_both_sides(ctx.model, features, k, barred=barred, rows=rows, progress=advance)
        at, slots = np.nonzero(top.venture_top >= 0)
        investors = top.venture_top[at, slots]
        same = stored.holds(
            top.venture_ids[at], investors, probability(top.venture_logit[at, slots])
        )
        reasons = np.full(top.venture_top.shape, "[]", dtype=object)
        reasons[at[same], slots[same]] = KEEP
        at, slots, cols = at[~same], slots[~same], positions_of(inv_ids, investors[~same])
        reasons[at, slots] = _as_objects(pair_reasons(ctx.model, features, rows[at], cols))
        found.append((top.venture_ids, top.venture_top, top.venture_logit, reasons))
        columns.merge(top.investor_top, top.investor_logit)
    ids = np.concatenate([f[0] for f in found]) if found else np.zeros(0, np.int64)
    order = np.argsort(ids, kind="stable")

    def stacked(n: int, width_dtype: Any) -> Any:
        if not found:
            return np.zeros((0, k), width_dtype)
        return np.vstack([f[n] for f in found])[order]

    i_top, i_logit = columns.result()
    return ChunkResult(index, ctx.version, repr(ctx.inputs), ids[order], stacked(1, np.int64),
                       stacked(2, np.float32), stacked(3, object), inv_ids.copy(), i_top,
                       i_logit)  # fmt: skip


def write_full_refresh(
    *,
    session: Session,
    settings: Settings,
    parts: Iterable[ChunkResult],
    snapshot_at: datetime,
) -> FullRefreshStats:
    """Merge the parts, replace every stored list, and report what changed meanwhile.

    `parts` is read once, one part at a time (a generator over Redis is fine): each part's
    investor side is folded into a running top-k and dropped, so the merge holds the venture
    side of every part (ventures × K) plus investors × K, never all the parts at once.
    """
    k = settings.match_top_k
    try:
        ctx = scoring_context(session=session, settings=settings)
    except NoInvestors:
        return _clear_every_list(session, parts)
    kept, i_top, i_logit, recomputed = _fold(session, settings, ctx, parts, k)
    session.rollback()
    m = len(ctx.investor_ids)
    ventures = sum(len(p.venture_ids) for p in kept)
    rows = _rows(ctx, kept, i_top, i_logit)
    del kept  # the rows hold everything now; free the parts before the write
    now = utcnow()
    session.rollback()
    take_write_lock(session=session, name="ranking")
    written = replace_all(
        session=session, rows=rows, model_version=ctx.version, computed_at=now,
        reasons_for=lambda ventures, investors: _reasons_for(session, ctx, ventures, investors),
    )  # fmt: skip
    since = snapshot_at - CHANGE_MARGIN
    changed_v = session.exec(select(col(Venture.id)).where(col(Venture.updated_at) > since)).all()
    changed_i = session.exec(
        select(col(InvestorProfile.id)).where(col(InvestorProfile.updated_at) > since)
    ).all()
    session.commit()
    return FullRefreshStats(
        ventures=ventures,
        investors=m,
        rows=len(rows["venture_id"]),
        model_version=ctx.version,
        recomputed_parts=recomputed,
        changed_ventures=sorted(int(v) for v in changed_v if v is not None),
        changed_investors=sorted(int(i) for i in changed_i if i is not None),
        written=written,
    )


def _fold(
    session: Session,
    settings: Settings,
    ctx: ScoringContext,
    parts: Iterable[ChunkResult],
    k: int,
) -> tuple[list[ChunkResult], I64, F32, int]:
    """Venture sides of the parts (duplicates dropped, stale ones recomputed) and the merged
    investor side: each investor's best K over every part, one tie-break rule."""
    columns = ColumnTopK(len(ctx.investor_ids), k)
    kept: dict[int, ChunkResult] = {}
    recomputed = 0
    for part in parts:
        if part.index in kept:
            continue  # a chunk that ran twice (redelivered)
        if part.model_version != ctx.version or part.inputs != repr(ctx.inputs):
            ids = part.venture_ids.tolist()
            part = compute_chunk(session=session, settings=settings, venture_ids=ids,
                                 index=part.index)  # fmt: skip
            recomputed += 1
        columns.merge(part.investor_top, part.investor_logit)
        kept[part.index] = replace(part, investor_top=_NONE_I, investor_logit=_NONE_F)
    i_top, i_logit = columns.result()
    return [kept[i] for i in sorted(kept)], i_top, i_logit, recomputed


_NONE_I = np.zeros((0, 0), np.int64)
_NONE_F = np.zeros((0, 0), np.float32)


def expected_rows(*, session: Session, settings: Settings) -> dict[str, Any]:
    """What a full refresh would store right now (nothing is written)."""
    ctx = scoring_context(session=session, settings=settings)
    parts = (
        compute_chunk(session=session, settings=settings, venture_ids=ids, index=i)
        for i, ids in enumerate(plan_chunks(session=session))
    )
    kept, i_top, i_logit, _ = _fold(session, settings, ctx, parts, settings.match_top_k)
    return _rows(ctx, kept, i_top, i_logit)


def _rows(
    ctx: ScoringContext,
    parts: Sequence[ChunkResult],
    i_top: I64,
    i_logit: F32,
) -> dict[str, Any]:
    """Columns of every row to store: the union of both sides' lists (pairs only the investor
    side holds get their reasons from the writer, if it writes them)."""
    k = i_top.shape[1]
    v_ids = [np.repeat(p.venture_ids, k) for p in parts]
    venture = np.concatenate(v_ids) if v_ids else np.zeros(0, np.int64)
    investor = np.concatenate([p.venture_top.ravel() for p in parts]) if parts else venture
    logit = np.concatenate([p.venture_logit.ravel() for p in parts]) if parts else np.zeros(0)
    reasons = np.concatenate([p.venture_reasons.ravel() for p in parts]) if parts else venture
    v_rank = np.tile(np.arange(1, k + 1), len(venture) // k) if k else venture
    keep = investor >= 0
    venture, investor, logit, reasons, v_rank = (
        venture[keep], investor[keep], logit[keep], reasons[keep], v_rank[keep],
    )  # fmt: skip
    side_key = (venture << 32) | investor
    iv = i_top.ravel()
    ok = iv >= 0
    inv_side_investor = np.repeat(ctx.investor_ids, k)[ok]
    inv_side_venture = iv[ok]
    inv_side_logit = i_logit.ravel()[ok]
    inv_side_rank = np.tile(np.arange(1, k + 1), len(ctx.investor_ids))[ok]
    inv_key = (inv_side_venture << 32) | inv_side_investor
    order = np.argsort(side_key)
    both = np.zeros(len(inv_key), dtype=bool)
    found = np.zeros(len(inv_key), dtype=np.int64)
    if len(side_key):
        ordered = side_key[order]
        found = np.minimum(np.searchsorted(ordered, inv_key), len(ordered) - 1)
        both = ordered[found] == inv_key
    i_rank = np.full(len(venture), -1, np.int64)
    i_rank[order[found[both]]] = inv_side_rank[both]
    only = ~both
    extra_reasons = np.full(int(only.sum()), KEEP, dtype=object)
    return {
        "venture_id": np.concatenate([venture, inv_side_venture[only]]),
        "investor_id": np.concatenate([investor, inv_side_investor[only]]),
        "score": probability(np.concatenate([logit, inv_side_logit[only]])),
        "venture_rank": np.concatenate([v_rank, np.full(int(only.sum()), -1, np.int64)]),
        "investor_rank": np.concatenate([i_rank, inv_side_rank[only]]),
        "reasons": np.concatenate([reasons, extra_reasons]),
    }


def _as_objects(texts: list[str]) -> npt.NDArray[np.object_]:
    """JSON texts as a 1-d object array (np.array would try to read them as sequences)."""
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def _reasons_for(
    session: Session, ctx: ScoringContext, ventures: I64, investors: I64
) -> npt.NDArray[np.object_]:
    """Reasons (JSON lists) for pairs the chunks left to the writer, from the cached venture
    keys (brought up to date inside the writer's transaction)."""
    out = np.full(len(ventures), "[]", dtype=object)
    if len(ventures) == 0:
        return out
    ctx.ventures.sync(session)
    cols = positions_of(ctx.investor_ids, investors)
    for side, picked, rows in ctx.ventures.locate(ventures):
        features = PairFeatures(side, ctx.pool, ctx.model.config)
        out[picked] = _as_objects(pair_reasons(ctx.model, features, rows, cols[picked]))
    return out
