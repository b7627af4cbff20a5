"""A worker's scoring state kept up to date cheaply, checked against state built from scratch:
the venture keys caught up from recent stamps, and the list reserve filled up front and kept
across investor changes."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from matching.blocks import stream_logits
from tests.factories import IntroductionFactory, VentureFactory
from tests.webapp.services.ranking.test_scoring_context import activate
from tests.workers.builders import (
    WORDS,
    brute_force,
    change_venture,
    market,
    refresh_everything,
    stored_lists,
    venture_values,
)
from webapp.config import Settings
from webapp.models import Deal, InvestorProfile, Venture, utcnow
from webapp.services.ranking import column_reserve, scoring, scoring_cache, scoring_data
from webapp.services.ranking.scoring_cache import (
    RECENT_SIDES,
    ScoringContext,
    VentureSides,
    forget,
    scoring_context,
)

K = 4


@pytest.fixture
def small(settings: Settings) -> Iterator[Settings]:
    forget()
    yield settings.model_copy(update={"match_top_k": K})
    column_reserve.stop_filling()


def _scores(ctx: ScoringContext, sides: VentureSides) -> dict[int, tuple[float, ...]]:
    """Every venture the sides hold, with its log-odds against the whole pool."""
    out: dict[int, tuple[float, ...]] = {}
    for ids, logits in stream_logits(ctx.model, sides.each(), ctx.pool):
        for venture_id, row in zip(ids.tolist(), logits.tolist(), strict=True):
            assert venture_id not in out, f"venture {venture_id} streamed twice"
            out[venture_id] = tuple(row)
    return out


def _from_scratch(session: Session, ctx: ScoringContext) -> dict[int, tuple[float, ...]]:
    fresh = VentureSides(ctx.model)
    fresh.sync(session)
    return _scores(ctx, fresh)


def _full_reads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per read of venture stamps: True for a read of every published venture."""
    reads: list[bool] = []
    real, recent = scoring_data.venture_stamps, scoring_data.recent_changes

    def spy(**kwargs: object) -> dict[int, object]:
        reads.append(True)
        return real(**kwargs)  # type: ignore[arg-type]

    def recent_spy(**kwargs: object) -> tuple[dict[int, object], int, int]:
        reads.append(False)
        return recent(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scoring_data, "venture_stamps", spy)
    monkeypatch.setattr(scoring_data, "recent_changes", recent_spy)
    return reads


def test_venture_keys_caught_up_from_recent_stamps_equal_keys_read_from_scratch(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Including each venture's text vector, kept where its name and summary stayed (a new
    raise or stage) and embedded again where either changed (a model with a vocabulary)."""
    rng = random.Random(61)
    ventures, _, _ = market(rng, ventures=30, investors=4)
    activate(session, tmp_path, "keys-text")
    ctx = scoring_context(session=session, settings=small)
    assert ctx.model.vectoriser.vocabulary
    ctx.ventures.sync(session)
    reads = _full_reads(monkeypatch)
    for step in range(40):
        session.rollback()
        venture = session.get(Venture, rng.choice(ventures).id)
        assert venture is not None
        kind = ("change", "raise", "rename", "draft", "publish", "new")[step % 6]
        if kind == "new":
            ventures.append(VentureFactory(**venture_values(rng)))
        else:
            if kind == "change":
                for name, value in venture_values(rng).items():
                    setattr(venture, name, value)
            elif kind == "raise":  # its text vector is kept, not embedded again
                venture.raise_amount_gbp = venture_values(rng)["raise_amount_gbp"]
                venture.stage = venture_values(rng)["stage"]
            elif kind == "rename":  # the name is part of the text: embedded again
                venture.name = f"{rng.choice(WORDS).title()} {step}"
            venture.visibility = "draft" if kind == "draft" else "published"
            venture.updated_at = utcnow()
            session.add(venture)
        session.commit()
        reads.clear()
        ctx.ventures.sync(session)
        if kind in {"change", "raise", "rename"}:  # seen among the recent stamps
            assert reads == [False]
        session.rollback()
        assert _scores(ctx, ctx.ventures) == _from_scratch(session, ctx), f"step {step} ({kind})"
        assert len(ctx.ventures.sides) - ctx.ventures.full <= RECENT_SIDES
        if kind == "draft" and venture.id in ctx.ventures.stamps:
            pytest.fail("an unpublished venture is still held")
    session.delete(session.get(Venture, min(ctx.ventures.stamps)))  # a published one
    session.commit()
    reads.clear()
    ctx.ventures.sync(session)
    assert reads == [False, True]  # a venture left unseen: then every stamp was compared
    session.rollback()
    assert _scores(ctx, ctx.ventures) == _from_scratch(session, ctx)


def test_a_change_stamped_long_before_its_commit_is_caught_by_the_periodic_full_read(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(62)
    ventures, _, _ = market(rng, ventures=12, investors=3)
    ctx = scoring_context(session=session, settings=small)
    ctx.ventures.sync(session)
    venture = session.get(Venture, ventures[3].id)
    assert venture is not None
    for name, value in venture_values(rng).items():
        setattr(venture, name, value)
    venture.updated_at = utcnow() - scoring_cache.STAMP_WINDOW - timedelta(minutes=5)
    session.add(venture)
    session.commit()
    monkeypatch.setattr(scoring_cache, "FULL_SCAN_EVERY_S", 0.0)  # the period has passed
    ctx.ventures.sync(session)
    session.rollback()
    assert (
        ctx.ventures.stamps[venture.id]
        == scoring_data.venture_stamps(session=session, ids=[venture.id])[venture.id]
    )
    assert _scores(ctx, ctx.ventures) == _from_scratch(session, ctx)


def test_a_filled_reserve_refills_lists_without_streaming_and_they_stay_exact(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(63)
    _, investors, _ = market(rng, ventures=60, investors=5)
    refresh_everything(session, small, 9)
    ctx = scoring_context(session=session, settings=small)
    ctx.ventures.sync(session)
    reserve = column_reserve.reserve_for(ctx, K)
    assert reserve.fill() == len(investors)
    assert reserve.missing() == []
    streams: list[int] = []
    real = column_reserve.stream_column_top_k
    monkeypatch.setattr(
        column_reserve,
        "stream_column_top_k",
        lambda *args, **kwargs: streams.append(1) or real(*args, **kwargs),
    )
    refilled = 0
    for step in range(25):
        listed = sorted({v for (v, _), (_, rank) in stored_lists(session).items() if rank})
        venture_id = rng.choice(listed)  # a member of some investor's list
        change_venture(session, venture_id, venture_values(rng))
        result = scoring.refresh_venture(session=session, settings=small, venture_id=venture_id)
        refilled += result.refilled
        assert stored_lists(session) == brute_force(session, small), f"after step {step}"
    # Lists lost members and were refilled, nearly always from the reserve: a stream only
    # when the investor's 2K best had themselves changed for the worse (31 refills, 3 here).
    assert refilled >= 20
    assert len(streams) <= refilled // 5


@pytest.mark.parametrize("room", ["default", "one venture"])
def test_refills_score_each_changed_venture_once_per_change_and_stay_exact(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch, room: str
) -> None:
    """Refills read a changed venture's log-odds from the reserve's store of them: its own
    refresh scored it against the whole pool, and no refill scores it again, however many
    read it. With room for one venture only, they are scored again as needed and lists stay
    exact."""
    if room == "one venture":
        monkeypatch.setattr(column_reserve, "CHANGED_BYTES", 1)
    rng = random.Random(71)
    market(rng, ventures=60, investors=5)
    refresh_everything(session, small, 9)
    ctx = scoring_context(session=session, settings=small)
    ctx.ventures.sync(session)
    assert column_reserve.reserve_for(ctx, K).fill() == 5
    scored: list[tuple[int, int]] = []  # (venture, epoch of its change) per scoring
    real = column_reserve._rescore

    def spy(ctx: ScoringContext, pool: object, changed: dict[int, int]) -> object:
        scored.extend(changed.items())
        return real(ctx, pool, changed)  # type: ignore[arg-type]

    monkeypatch.setattr(column_reserve, "_rescore", spy)
    refilled = 0
    for step in range(25):
        listed = sorted({v for (v, _), (_, rank) in stored_lists(session).items() if rank})
        venture_id = rng.choice(listed)
        change_venture(session, venture_id, venture_values(rng))
        result = scoring.refresh_venture(session=session, settings=small, venture_id=venture_id)
        refilled += result.refilled
        assert stored_lists(session) == brute_force(session, small), f"after step {step}"
    assert refilled >= 20
    if room == "default":
        assert scored == [], "a refill scored a changed venture again"
    else:
        assert len(scored) > len(set(scored))


def _rows(reserve: column_reserve.Reserve) -> dict[int, tuple[list[float], list[int], object]]:
    return {i: (row.negated.tolist(), row.ids.tolist(), row.cut) for i, row in reserve.rows.items()}


def test_an_investor_change_keeps_the_other_investors_reserve_rows_and_they_equal_fresh_rows(
    session: Session, small: Settings
) -> None:
    rng = random.Random(64)
    ventures, investors, _ = market(rng, ventures=40, investors=5)
    refresh_everything(session, small, 9)
    before = scoring_context(session=session, settings=small)
    before.ventures.sync(session)
    old = column_reserve.reserve_for(before, K)
    old.fill()
    changed_id = investors[2].id
    profile = session.get(InvestorProfile, changed_id)
    assert profile is not None
    profile.thesis = "Quantum sensing and photonics, nothing else."
    profile.updated_at = utcnow()
    session.add(profile)
    session.commit()
    after = scoring_context(session=session, settings=small)
    assert after is not before
    kept = column_reserve.reserve_for(after, K)
    assert set(kept.rows) == {i.id for i in investors} - {changed_id}
    assert all(kept.rows[i] is old.rows[i] for i in kept.rows)
    fresh = column_reserve.Reserve(after, kept.depth)
    fresh.fill()
    assert {i: r for i, r in _rows(fresh).items() if i != changed_id} == _rows(kept)
    kept.fill()
    assert _rows(kept) == _rows(fresh)

    # A past deal changes every investor's track record: nothing is carried over.
    introduction = IntroductionFactory(
        venture_id=ventures[0].id, investor_id=investors[0].id, status="accepted"
    )
    session.add(
        Deal(
            introduction_id=introduction.id,
            venture_id=ventures[0].id,
            investor_id=investors[0].id,
            stage="invested",
            amount_gbp=500_000,
        )
    )
    session.commit()
    later = scoring_context(session=session, settings=small)
    assert column_reserve.reserve_for(later, K).rows == {}


def test_a_worker_keeps_its_reserve_full_in_the_background_across_investor_changes(
    session: Session, small: Settings
) -> None:
    rng = random.Random(65)
    _, investors, _ = market(rng, ventures=30, investors=6)
    refresh_everything(session, small, 9)
    ctx = scoring.warm(session=session, settings=small)
    session.rollback()
    assert column_reserve.wait_filled(timeout=60)
    assert column_reserve.reserve_for(ctx, K).missing() == []
    profile = session.get(InvestorProfile, investors[1].id)
    assert profile is not None
    profile.stages = ["seed"]
    profile.updated_at = utcnow()
    session.add(profile)
    session.commit()
    scoring.refresh_investor(session=session, settings=small, investor_id=investors[1].id)
    assert column_reserve.wait_filled(timeout=60)
    now = scoring_context(session=session, settings=small)
    assert now is not ctx
    reserve = column_reserve.reserve_for(now, K)
    assert reserve.ctx is now
    assert reserve.missing() == []
    assert np.array_equal(
        np.sort(np.fromiter(reserve.rows, dtype=np.int64)), np.sort(now.investor_ids)
    )


def test_a_sync_goes_ahead_while_another_thread_streams_the_venture_keys(
    session: Session, small: Settings, engine: Engine
) -> None:
    """A reserve fill streams the venture keys for seconds at 100,000 ventures; a refresh in
    the task thread must not wait for it to catch up with a change."""
    rng = random.Random(66)
    ventures, _, _ = market(rng, ventures=12, investors=2)
    ctx = scoring_context(session=session, settings=small)
    ctx.ventures.sync(session)
    streaming = ctx.ventures.each()
    next(streaming)  # a stream under way
    change_venture(session, ventures[0].id, venture_values(rng))

    def catch_up() -> None:
        with Session(engine) as other:
            ctx.ventures.sync(other)

    thread = threading.Thread(target=catch_up)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "the sync waited for the stream"
    assert ctx.ventures.changed_after(0)[1].keys() == {ventures[0].id}
    list(streaming)


@given(
    values=st.lists(st.integers(-5, 40), max_size=30),
    others=st.lists(st.integers(-5, 40), max_size=30),
)
def test_absent_agrees_with_isin(values: list[int], others: list[int]) -> None:
    """The refill's membership test (a binary search in a sorted array) says what np.isin
    says, for empty, repeated and out-of-range ids alike."""
    found = np.array(values, dtype=np.int64)
    ordered = np.array(sorted(others), dtype=np.int64)
    expected = ~np.isin(found, ordered)
    assert column_reserve._absent(found, ordered).tolist() == expected.tolist()


POOL = 6  # investors in the fake pool of the store test


def _logits(venture_id: int, epoch: int) -> np.ndarray:
    """A changed venture's log-odds against the pool: different for every (venture, epoch)."""
    return (venture_id * 100 + epoch + np.arange(POOL) / 10).astype(np.float32)


@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["remember", "read"]),
            st.dictionaries(st.integers(1, 9), st.integers(1, 4), max_size=6),
            st.frozensets(st.integers(1, 9), max_size=3),  # ventures not published at a read
        ),
        max_size=25,
    ),
    room=st.integers(1, 4),
)
def test_the_store_of_changed_ventures_gives_each_its_own_log_odds(
    steps: list[tuple[str, dict[int, int], frozenset[int]]], room: int
) -> None:
    """Whatever is remembered, pushed out for room, changed again or unpublished, a read gives
    each changed venture still published the log-odds of its last change, and no other row.
    The store keeps rows in one matrix and reuses rows: a row handed to two ventures at once
    would show here as another venture's figures."""
    ctx: Any = SimpleNamespace(investor_ids=np.arange(POOL, dtype=np.int64), pool=None)
    gone: frozenset[int] = frozenset()
    rescored: list[int] = []

    def rescore(_ctx: object, _pool: object, changed: dict[int, int]) -> dict[int, np.ndarray]:
        rescored.extend(changed)
        return {v: _logits(v, e) for v, e in changed.items() if v not in gone}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(column_reserve, "CHANGED_BYTES", 4 * POOL * room)
        patch.setattr(column_reserve, "_rescore", rescore)
        store = column_reserve._Changed(ctx)
        assert store.limit == room
        positions = np.array([4, 0, 2], dtype=np.int64)
        for action, changed, unpublished in steps:
            if action == "remember":
                for venture_id, epoch in changed.items():
                    store.remember(venture_id, epoch, _logits(venture_id, epoch))
                continue
            gone = unpublished
            current = {  # held for the epoch asked: read from the store, published or not
                v for v, e in changed.items()
                if v in store.slots and store.epochs[store.slots[v]] == e
            }  # fmt: skip
            ids, epochs, scored = store.columns(changed, positions)
            expected = [v for v in changed if v not in gone or v in current]
            assert ids.tolist() == expected
            for venture_id, epoch, row in zip(ids.tolist(), epochs.tolist(), scored, strict=True):
                assert epoch == changed[venture_id]
                assert row.tolist() == _logits(venture_id, epoch)[positions].tolist()
            assert not (current & set(rescored)), "a venture held for its epoch was scored again"
            rescored.clear()
            assert len(store.slots) <= room
            assert len(set(store.slots.values())) == len(store.slots)
