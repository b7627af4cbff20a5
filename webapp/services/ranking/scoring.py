"""Incremental refresh: rescore one venture or one investor and keep BOTH sides' top K right.

How the other side stays right when one venture V changes (investors are symmetric):
- every investor list that V now beats the K-th member of (or that is not full) takes V in;
- a list that held V keeps it, re-ordered, if V still beats that list's lowest other member;
  otherwise the K-th place may belong to a venture that is not stored anywhere, so that
  investor's list is recomputed: exactly, from the process's reserve of its 2K best ventures
  and the ventures changed since (`column_reserve`), or else by streaming its column over every
  venture in blocks (`matching.blocks`, from the process's cached venture keys). No ventures ×
  investors matrix is ever held: memory grows with ventures + investors.
Every step runs under one lock and reads committed data, so any order of concurrent refreshes
ends in the lists a from-scratch full refresh computes. Safe to repeat (idempotent); each
function takes the ranking lock, writes and commits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlmodel import Session

from matching.blocks import (
    barred_pairs,
    block_logits,
    mask_pairs,
    positions_of,
    stream_logits,
)
from matching.features import PairFeatures
from matching.pool import VentureSide
from matching.reasons import pair_reasons
from matching.topk import probability, ranks_above, top_k_rows
from webapp.config import Settings
from webapp.models import utcnow
from webapp.services.common.locks import take_write_lock
from webapp.services.ranking import column_reserve, match_store, scoring_data
from webapp.services.ranking.match_store import Member, Pair
from webapp.services.ranking.scoring_cache import (
    F32,
    I64,
    NoInvestors,
    ScoringContext,
    current_context,
    scoring_context,
)


@dataclass
class RefreshResult:
    """What a refresh changed: the lists it rewrote and the investors a venture newly entered."""

    lists: int = 0
    refilled: int = 0
    rows: int = 0
    entered: set[int] = field(default_factory=set)  # investors whose list the venture entered
    model_version: str | None = None


def _ranked(ids: I64, logits: F32, k: int) -> list[Member]:
    """The top K of one row of log-odds as (id, score), best first."""
    picks = top_k_rows(logits[None, :], k, ids)[0][0]
    picks = picks[picks >= 0]
    scores = probability(logits[picks])
    return [(int(ids[c]), float(s)) for c, s in zip(picks, scores, strict=True)]


def _place(
    members: list[Member],
    full: bool,
    candidate: int,
    score: float | None,
    k: int,
    size: int | None = None,
) -> list[Member] | None:
    """The list with the candidate re-placed, or None when only a recompute can tell.

    `members` may be only some of a list of `size` members, its two lowest and the candidate
    among them (`match_store.list_ends`): then the members given are placed anew, the others
    keep their places."""
    unread = 0 if size is None else size - len(members)
    others = [(m, s) for m, s in members if m != candidate]
    held = len(others) != len(members)
    if held and full:
        if score is None or not others:
            return None  # the K-th place may go to a member that is not stored anywhere
        low_id, low = others[-1]
        if not ranks_above(score, candidate, low, low_id):
            return None
    if score is None:
        # A list read in part cannot lose a member here: the number n - 1 it must hand on
        # may be held by a member not read.
        return None if held and unread else others
    placed = sorted([*others, (candidate, score)], key=lambda ms: (-ms[1], ms[0]))
    return placed[: k - unread]


def _other_side(
    session: Session,
    *,
    side: str,
    candidate: int,
    owner_ids: I64,
    logits: F32,
    k: int,
    refill: Callable[[list[int]], dict[int, list[Member]]],
    listed: match_store.Listed,
    model_version: str,
) -> tuple[dict[int, list[Member]], set[int], int]:
    """New lists of every owner the candidate enters or leaves; (lists, held before, refilled).
    The rows of the lists read are kept in `listed` for the write; investor lists are read
    and given back in part where they can be (`match_store.list_ends`)."""
    scores = probability(logits)
    eligible = np.isfinite(logits)
    held = match_store.memberships(session=session, side=side, member_id=candidate, rows=listed)
    limits = match_store.thresholds(
        session=session, side=side, k=k, owners=held | set(owner_ids[eligible].tolist())
    )
    # Each owner's K-th member by position; a list that is not full takes anyone eligible.
    full = np.zeros(len(owner_ids), dtype=np.bool_)
    limit_score = np.zeros(len(owner_ids), dtype=np.float64)
    limit_id = np.zeros(len(owner_ids), dtype=np.int64)
    where = positions_of(owner_ids, limits.owners)
    found = where >= 0
    full[where[found]] = True
    limit_id[where[found]] = limits.members[found]
    limit_score[where[found]] = limits.scores[found]
    enters = eligible & (~full | ranks_above(scores, candidate, limit_score, limit_id))
    touched = held | set(owner_ids[enters].tolist())
    ordered = np.array(sorted(touched), dtype=np.int64)
    position = {  # where each touched owner is among `owner_ids` (none: not an owner now)
        owner: at
        for owner, at in zip(
            ordered.tolist(), positions_of(owner_ids, ordered).tolist(), strict=True
        )
        if at >= 0
    }
    full_lists = limits.full()
    current: dict[int, list[Member]] = {}
    if side == "investor":
        # A full list the candidate falls to the bottom of (or out of) is recomputed, and
        # written from every old number: read those whole, the others only in part.
        leaves = {
            owner for owner in held
            if owner in full_lists and ((at := position.get(owner)) is None
                                        or not enters[at] or limit_id[at] == candidate)
        }  # fmt: skip
        current = match_store.list_ends(
            session=session, owners=touched - leaves, candidate=candidate,
            model_version=model_version, rows=listed,
        )  # fmt: skip
    whole = [owner for owner in touched if owner not in current]
    current.update(match_store.lists(session=session, side=side, owners=whole, rows=listed))
    new_lists: dict[int, list[Member]] = {}
    needs: list[int] = []
    for owner in sorted(touched):
        at = position.get(owner)
        score = float(scores[at]) if at is not None and eligible[at] else None
        size = listed.sizes.get(owner)
        placed = _place(current[owner], owner in full_lists, candidate, score, k, size)
        if placed is None:
            needs.append(owner)
        else:
            new_lists[owner] = placed
    listed.drop_partial(needs)
    new_lists.update(refill(needs) if needs else {})
    return new_lists, held, len(needs)


def _investor_refill(
    session: Session, ctx: ScoringContext, k: int, synced: bool = False
) -> Callable[[list[int]], dict[int, list[Member]]]:
    """`synced`: the venture keys were brought up to date in this transaction, under the lock.
    A venture committed since is refreshed after this (its change queues its own refresh),
    which places it right in every list, these included."""

    def refill(investor_ids: list[int]) -> dict[int, list[Member]]:
        """These investors' lists over every published venture (from the reserve when it can)."""
        out: dict[int, list[Member]] = {i: [] for i in investor_ids}
        if not synced:
            ctx.ventures.sync(session)
        reserve = column_reserve.reserve_for(ctx, k)
        passed = scoring_data.passed_pairs(session=session, investor_ids=investor_ids)
        out.update(reserve.lists(investor_ids, passed, k))
        return out

    return refill


def _venture_refill(
    session: Session, ctx: ScoringContext, k: int
) -> Callable[[list[int]], dict[int, list[Member]]]:
    def refill(venture_ids: list[int]) -> dict[int, list[Member]]:
        """These ventures' lists, each scored against every investor."""
        records = scoring_data.venture_rows(session=session, ids=venture_ids)
        passed = scoring_data.passed_pairs(session=session, venture_ids=venture_ids)
        found, rows = ctx.venture_logits(records, barred_pairs(passed))
        out: dict[int, list[Member]] = {v: [] for v in venture_ids}
        for r, venture_id in enumerate(found.tolist()):
            out[venture_id] = _ranked(ctx.investor_ids, rows[r], k)
        return out

    return refill


def _column(session: Session, ctx: ScoringContext, investor_id: int) -> tuple[I64, F32]:
    """One investor's log-odds against every published venture, streamed in blocks."""
    ctx.ventures.sync(session)
    ids, pool = ctx.sub_pool([investor_id])
    if len(ids) == 0:  # inactive or deleted: it leaves every list
        venture_ids = np.array(sorted(ctx.ventures.stamps), dtype=np.int64)
        return venture_ids, np.full(len(venture_ids), -np.inf, np.float32)
    barred = barred_pairs(scoring_data.passed_pairs(session=session, investor_ids=[investor_id]))
    blocks = list(stream_logits(ctx.model, ctx.ventures.each(), pool, barred))
    if not blocks:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1][:, 0] for b in blocks])


def _reasons(session: Session, ctx: ScoringContext, pairs: list[Pair]) -> dict[Pair, str]:
    """Reasons for these pairs, worded in one pass from the venture keys the process holds
    (call after `ctx.ventures.sync` in this transaction); a venture it does not hold is
    read from the database."""
    if not pairs:
        return {}
    wanted = {v for v, _ in pairs}
    side = ctx.ventures.gather(wanted)
    missing = wanted - set(side.frame.ids.tolist() if side is not None else ())
    records = scoring_data.venture_rows(session=session, ids=missing) if missing else []
    if records:
        extra = ctx.ventures.side_of(records)
        side = extra if side is None else VentureSide.concat([side, extra])
    return _reasons_from(ctx, ctx.features_of(side), pairs) if side is not None else {}


def _reasons_from(
    ctx: ScoringContext, features: PairFeatures, pairs: list[Pair]
) -> dict[Pair, str]:
    row_of = {int(v): r for r, v in enumerate(features.side.frame.ids.tolist())}
    kept = [(v, i) for v, i in pairs if v in row_of and i in ctx.investor_position]
    if not kept:
        return {}
    rows = np.array([row_of[v] for v, _ in kept], dtype=np.int64)
    cols = np.array([ctx.investor_position[i] for _, i in kept], dtype=np.int64)
    texts = pair_reasons(ctx.model, features, rows, cols)
    # Stored exactly as the full refresh stores them: JSON text of [code, effect, facts] triples.
    return dict(zip(kept, texts, strict=True))


def _write(
    session: Session,
    ctx: ScoringContext,
    venture_lists: dict[int, list[Member]],
    investor_lists: dict[int, list[Member]],
    fresh_pairs: set[Pair],
    listed: match_store.Listed | None = None,
) -> int:
    """Store the new lists; pairs just rescored, new to the table or from another model get
    their score and reasons written, the others keep theirs and only move."""
    return match_store.apply_lists(
        session=session,
        venture_lists=venture_lists,
        investor_lists=investor_lists,
        fresh=fresh_pairs,
        reasons_for=lambda pairs: _reasons(session, ctx, pairs),
        model_version=ctx.version,
        now=utcnow(),
        listed=listed,
    )


def _locked_context(
    session: Session, settings: Settings, *, reuse_plans: bool = False
) -> ScoringContext | None:
    """Take the ranking lock with a current context. When it must be built (seconds: a pool
    rebuilt for changed investors), the lock is let go for the build so other refreshes do not
    wait on it, then taken again. `reuse_plans`: see `take_write_lock` (one venture's refresh
    only: an investor's reads and writes span every venture)."""
    lock = functools.partial(
        take_write_lock, session=session, name="ranking", derived_only=True, reuse_plans=reuse_plans
    )
    try:
        session.rollback()
        lock()
        ctx = current_context(session=session, settings=settings)
        if ctx is None:
            session.rollback()
            scoring_context(session=session, settings=settings)
            session.rollback()
            lock()
            ctx = scoring_context(session=session, settings=settings)
    except NoInvestors:
        return None
    column_reserve.reserve_for(ctx, settings.match_top_k)  # a new context's fill starts now
    return ctx


def warm(*, session: Session, settings: Settings) -> ScoringContext:
    """What a worker process does when it starts: load the model, the investor pool and the
    venture keys, and from then on keep the list reserve full in the background."""
    ctx = scoring_context(session=session, settings=settings)
    ctx.ventures.sync(session)
    column_reserve.fill_in_background(ctx, settings.match_top_k)
    return ctx


def refresh_venture(
    *, session: Session, settings: Settings, venture_id: int, announce: bool = True
) -> RefreshResult:
    """Rescore one venture against every investor and fix every list it enters or leaves."""
    k = settings.match_top_k
    ctx = _locked_context(session, settings, reuse_plans=True)
    if ctx is None:
        session.commit()
        return RefreshResult()
    # The venture keys first: this venture's are then read from them (no record read, no
    # keys derived twice), and every refill below finds them current.
    ctx.ventures.sync(session)
    side = ctx.ventures.gather([venture_id])  # None: not published (any more)
    row = np.full(len(ctx.investor_ids), -np.inf, dtype=np.float32)
    own: list[Member] = []
    if side is not None:
        row = block_logits(ctx.model, ctx.features_of(side), np.arange(1))[0]
        column_reserve.reserve_for(ctx, k).remember(venture_id, row.copy())
        passed = scoring_data.passed_pairs(session=session, venture_ids=[venture_id])
        mask_pairs(row[None, :], side.frame.ids, ctx.investor_ids, barred_pairs(passed))
        own = _ranked(ctx.investor_ids, row, k)
    listed = match_store.Listed()
    investor_lists, held, refilled = _other_side(
        session, side="investor", candidate=venture_id, owner_ids=ctx.investor_ids,
        logits=row, k=k, refill=_investor_refill(session, ctx, k, synced=True), listed=listed,
        model_version=ctx.version,
    )  # fmt: skip
    fresh = {(venture_id, i) for i, _ in own}
    for investor_id, members in investor_lists.items():
        fresh |= {(v, investor_id) for v, _ in members if v == venture_id}
    rows = _write(session, ctx, {venture_id: own}, investor_lists, fresh, listed)
    result = RefreshResult(1 + len(investor_lists), refilled, rows, set(), ctx.version)
    if announce:
        for investor_id, members in investor_lists.items():
            if investor_id not in held and any(v == venture_id for v, _ in members):
                result.entered.add(investor_id)
    session.commit()
    return result


def refresh_investor(*, session: Session, settings: Settings, investor_id: int) -> RefreshResult:
    """Rescore one investor against every venture and fix every list it enters or leaves."""
    k = settings.match_top_k
    ctx = _locked_context(session, settings)
    if ctx is None:
        session.commit()
        return RefreshResult()
    venture_ids, column = _column(session, ctx, investor_id)
    own: list[Member] = _ranked(venture_ids, column, k) if len(venture_ids) else []
    venture_lists, _held, refilled = _other_side(
        session, side="venture", candidate=investor_id, owner_ids=venture_ids,
        logits=column, k=k, refill=_venture_refill(session, ctx, k),
        listed=match_store.Listed(), model_version=ctx.version,
    )  # fmt: skip
    fresh = {(v, investor_id) for v, _ in own}
    for venture_id, members in venture_lists.items():
        fresh |= {(venture_id, i) for i, _ in members if i == investor_id}
    rows = _write(session, ctx, venture_lists, {investor_id: own}, fresh)
    session.commit()
    return RefreshResult(1 + len(venture_lists), refilled, rows, set(), ctx.version)


def repair_lists(*, session: Session, settings: Settings) -> RefreshResult:
    """Recompute every list with a hole in its ranks (a member was deleted by cascade)."""
    k = settings.match_top_k
    ctx = _locked_context(session, settings)
    if ctx is None:
        session.commit()
        return RefreshResult()
    ctx.ventures.sync(session)  # reasons are worded from the venture keys
    ventures = match_store.owners_with_gaps(session=session, side="venture")
    investors = match_store.owners_with_gaps(session=session, side="investor")
    venture_lists = _venture_refill(session, ctx, k)(ventures) if ventures else {}
    investor_lists = _investor_refill(session, ctx, k)(investors) if investors else {}
    rows = _write(session, ctx, venture_lists, investor_lists, set())
    session.commit()
    lists = len(venture_lists) + len(investor_lists)
    return RefreshResult(lists, lists, rows, set(), ctx.version)
