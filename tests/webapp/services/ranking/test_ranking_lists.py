"""Stored top-K lists against a brute-force reference: full refresh and incremental refreshes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlmodel import Session, select

from matching import blocks
from matching.blocks import block_logits
from matching.features import PairFeatures
from tests.factories import VentureFactory
from tests.webapp.services.ranking.test_scoring_context import activate
from tests.workers.builders import (
    brute_force,
    change_venture,
    chunk_parts,
    expected_lists,
    investor_values,
    market,
    refresh_everything,
    stored_lists,
    venture_values,
    write_parts,
)
from webapp.config import Settings
from webapp.models import Feedback, InvestorProfile, Match, Venture, utcnow
from webapp.services.ranking import column_reserve, match_store, scoring, scoring_data
from webapp.services.ranking.match_queries import display_reasons
from webapp.services.ranking.scoring_cache import forget, scoring_context

K = 4


@pytest.fixture
def small(settings: Settings) -> Settings:
    forget()
    return settings.model_copy(update={"match_top_k": K})


def full_refresh(session: Session, settings: Settings, chunk: int = 7) -> None:
    refresh_everything(session, settings, chunk)


def test_full_refresh_in_chunks_equals_brute_force_even_with_ties(
    session: Session, small: Settings
) -> None:
    rng = random.Random(1)
    market(rng, ventures=20, investors=7)
    twin = venture_values(rng)
    for _ in range(4):  # identical ventures score identically: ties go to the smaller id
        VentureFactory(**twin)
    full_refresh(session, small)
    reference = brute_force(session, small)
    assert stored_lists(session) == reference
    assert expected_lists(session, small) == reference


@pytest.mark.parametrize("k", [K, 12])
def test_incremental_refreshes_keep_both_sides_right(
    session: Session, settings: Settings, k: int
) -> None:
    """K = 12 leaves many investor lists part full and longer than what a venture refresh
    reads of them (`match_store.list_ends`: the two lowest and the venture's own row)."""
    forget()
    small = settings.model_copy(update={"match_top_k": k})
    rng = random.Random(2)
    ventures, investors, _ = market(rng, ventures=24, investors=8)
    full_refresh(session, small)
    for step in range(40):
        session.rollback()
        roll = rng.random()
        if roll < 0.6:
            venture = session.get(Venture, rng.choice(ventures).id)
            assert venture is not None
            for name, value in venture_values(rng).items():
                setattr(venture, name, value)
            if step % 7 == 0:
                venture.visibility = "draft" if venture.visibility == "published" else "published"
            venture.updated_at = utcnow()
            session.add(venture)
            session.commit()
            scoring.refresh_venture(session=session, settings=small, venture_id=venture.id)
        elif roll < 0.85:
            profile = session.get(InvestorProfile, rng.choice(investors).id)
            assert profile is not None
            for name, value in investor_values(rng).items():
                setattr(profile, name, value)
            profile.active = step % 9 != 0
            profile.updated_at = utcnow()
            session.add(profile)
            session.commit()
            scoring.refresh_investor(session=session, settings=small, investor_id=profile.id)
        else:  # a pass takes the pair off both lists
            pair = (rng.choice(ventures).id, rng.choice(investors).id)
            session.add(Feedback(venture_id=pair[0], investor_id=pair[1], action="pass"))
            session.commit()
            scoring.refresh_venture(session=session, settings=small, venture_id=pair[0])
        assert stored_lists(session) == brute_force(session, small), f"after step {step}"


def test_a_deleted_venture_leaves_no_hole_after_repair(session: Session, small: Settings) -> None:
    ventures, _, _ = market(random.Random(4), ventures=15, investors=5)
    full_refresh(session, small)
    session.rollback()
    gone = session.get(Venture, ventures[0].id)
    session.delete(gone)
    session.commit()
    scoring.repair_lists(session=session, settings=small)
    assert stored_lists(session) == brute_force(session, small)


def test_a_deleted_lowest_member_is_replaced_after_repair(
    session: Session, small: Settings
) -> None:
    """Deleting a full list's lowest member leaves no hole in its numbers (1..K-1 remain),
    but the list is one short: its floor went with the member, which is how repair finds it."""
    market(random.Random(5), ventures=30, investors=5)
    full_refresh(session, small)
    lists = stored_lists(session)
    (venture_id, investor_id) = next(pair for pair, (_, place) in lists.items() if place == K)
    session.rollback()
    session.delete(session.get(Venture, venture_id))
    session.commit()
    scoring.repair_lists(session=session, settings=small)
    repaired = stored_lists(session)
    assert repaired == brute_force(session, small)
    assert sum(1 for (_, i), (_, place) in repaired.items() if i == investor_id and place) == K


def test_refreshing_twice_changes_nothing(session: Session, small: Settings) -> None:
    ventures, _, _ = market(random.Random(6), ventures=12, investors=5)
    full_refresh(session, small)
    before = stored_lists(session)
    for venture in ventures[:3]:
        scoring.refresh_venture(session=session, settings=small, venture_id=venture.id)
        scoring.refresh_venture(session=session, settings=small, venture_id=venture.id)
    assert stored_lists(session) == before


def test_stored_reasons_are_codes_with_facts_worded_with_labels_on_display(
    session: Session, small: Settings
) -> None:
    market(random.Random(9), ventures=6, investors=3)
    full_refresh(session, small)
    rows = session.connection().exec_driver_sql("SELECT reasons FROM match").fetchall()

    reasons = [json.loads(r) if isinstance(r, str) else r for (r,) in rows]
    assert any(reasons)
    for listed in reasons:
        for code, effect, facts in listed:  # [code, effect, facts]: words come at display
            assert isinstance(code, str)
            assert effect in {"+", "-"}
            assert isinstance(facts, dict)
        for shown in display_reasons(listed):
            assert shown["text"]
            assert "_" not in shown["text"]  # labels, never codes


def test_incremental_and_full_refresh_store_the_same_reasons(
    session: Session, small: Settings
) -> None:
    ventures, _, _ = market(random.Random(11), ventures=8, investors=4)
    full_refresh(session, small)
    venture_id = int(ventures[0].id or 0)

    def stored_reasons() -> dict[int, object]:
        query = "SELECT investor_id, reasons FROM match WHERE venture_id = ?"
        if session.connection().dialect.name == "postgresql":
            query = query.replace("?", "%s")
        rows = session.connection().exec_driver_sql(query, (venture_id,)).fetchall()
        return {int(i): json.loads(r) if isinstance(r, str) else r for i, r in rows}

    by_full_refresh = stored_reasons()
    session.rollback()
    scoring.refresh_venture(session=session, settings=small, venture_id=venture_id)
    assert by_full_refresh
    assert stored_reasons() == by_full_refresh  # rewritten by the incremental path, unchanged


def test_refreshes_hold_one_block_of_scores_never_ventures_by_investors(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ventures, investors, _ = market(random.Random(12), ventures=30, investors=6)
    limit = 4 * len(investors)  # four ventures' scores at a time
    monkeypatch.setattr(blocks, "CELLS_PER_BLOCK", limit)
    shapes: list[tuple[int, ...]] = []
    real = PairFeatures.logit

    def spy(self: PairFeatures, rows: Any, coef: Any, intercept: float) -> Any:
        out = real(self, rows, coef, intercept)
        shapes.append(out.shape)
        return out

    monkeypatch.setattr(PairFeatures, "logit", spy)
    full_refresh(session, small, chunk=10)
    rng = random.Random(13)
    for venture in ventures[:6]:
        changed = session.get(Venture, venture.id)
        assert changed is not None
        for name, value in venture_values(rng).items():
            setattr(changed, name, value)
        changed.updated_at = utcnow()
        session.add(changed)
        session.commit()
        scoring.refresh_venture(session=session, settings=small, venture_id=venture.id)
    profile = session.get(InvestorProfile, investors[0].id)
    assert profile is not None
    profile.ticket_max_gbp = profile.ticket_min_gbp * 50
    profile.updated_at = utcnow()
    session.add(profile)
    session.commit()
    scoring.refresh_investor(session=session, settings=small, investor_id=profile.id)
    seen = list(shapes)
    monkeypatch.setattr(PairFeatures, "logit", real)
    assert seen
    assert max(rows * cols for rows, cols in seen) <= limit
    assert all(rows < len(ventures) for rows, _ in seen)
    assert stored_lists(session) == brute_force(session, small)


def test_a_second_full_refresh_writes_only_the_difference_and_matches(
    session: Session, small: Settings
) -> None:
    ventures, _, _ = market(random.Random(14), ventures=40, investors=6)
    full_refresh(session, small)
    rng = random.Random(15)
    for venture in ventures[:3]:  # changed without an incremental refresh: the nightly case
        changed = session.get(Venture, venture.id)
        assert changed is not None
        for name, value in venture_values(rng).items():
            setattr(changed, name, value)
        changed.updated_at = utcnow()
        session.add(changed)
    session.commit()
    stats = refresh_everything(session, small, 9)
    assert stats.written is not None
    assert not stats.written.rewrote
    assert stats.written.unchanged > 0
    assert stored_lists(session) == brute_force(session, small)


def test_with_no_active_investor_a_full_refresh_empties_the_lists_instead_of_failing(
    session: Session, small: Settings
) -> None:
    """The nightly refresh failed with NoInvestors on a platform without active mandates."""
    _, investors, _ = market(random.Random(16), ventures=9, investors=3)
    full_refresh(session, small)
    assert stored_lists(session)
    for investor in investors:
        profile = session.get(InvestorProfile, investor.id)
        assert profile is not None
        profile.active = False
        profile.updated_at = utcnow()
        session.add(profile)
    session.commit()
    parts = chunk_parts(session, small, 4)
    assert all((part.venture_top == -1).all() for part in parts)
    stats = write_parts(session, small, parts)
    assert (stats.ventures, stats.investors, stats.rows) == (9, 0, 0)
    assert stored_lists(session) == {}


def _investor_list(session: Session, investor_id: int) -> list[int]:
    lists = stored_lists(session)
    ranked = sorted((r[1], v) for (v, i), r in lists.items() if i == investor_id and r[1])
    return [v for _, v in ranked]


def _scored_rows(monkeypatch: pytest.MonkeyPatch, cells: bool = False) -> list[int]:
    """Venture rows (or pairs, with `cells`) scored from now on (a spy on the one scoring
    function)."""
    rows: list[int] = []
    real = PairFeatures.logit

    def spy(self: PairFeatures, picked: Any, coef: Any, intercept: float) -> Any:
        out = real(self, picked, coef, intercept)
        rows.append(out.size if cells else out.shape[0])
        return out

    monkeypatch.setattr(PairFeatures, "logit", spy)
    return rows


def _warm_reserve(session: Session, settings: Settings, investor_ids: list[int]) -> None:
    """Make these investors' reserve rows, as their first refill does."""
    k = settings.match_top_k
    ctx = scoring_context(session=session, settings=settings)
    ctx.ventures.sync(session)
    column_reserve.reserve_for(ctx, k).lists(investor_ids, set(), k)
    session.rollback()


def test_a_new_scoring_context_costs_a_venture_refresh_no_pass_over_every_pair(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an investor change (a new context) the next venture refresh scores that venture,
    not investors × ventures to rebuild a reserve (minutes at 100,000 × 20,000)."""
    ventures, investors, _ = market(random.Random(25), ventures=40, investors=6)
    full_refresh(session, small)
    scoring.refresh_venture(session=session, settings=small, venture_id=ventures[0].id)
    profile = session.get(InvestorProfile, investors[0].id)
    assert profile is not None
    profile.thesis = f"{profile.thesis} and more"
    profile.updated_at = utcnow()
    session.add(profile)
    session.commit()
    scoring.refresh_investor(session=session, settings=small, investor_id=investors[0].id)
    cells = _scored_rows(monkeypatch, cells=True)
    result = scoring.refresh_venture(session=session, settings=small, venture_id=ventures[1].id)
    assert result.refilled == 0
    assert sum(cells) <= 2 * len(investors)  # the venture's own row, not every pair
    assert stored_lists(session) == brute_force(session, small)


def test_a_list_losing_its_best_venture_is_refilled_from_the_reserve_without_a_stream(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ventures, investors, _ = market(random.Random(21), ventures=40, investors=3)
    full_refresh(session, small)
    investor_id = investors[0].id
    _warm_reserve(session, small, [investor_id])
    best = _investor_list(session, investor_id)[0]
    rows = _scored_rows(monkeypatch)
    change_venture = session.get(Venture, best)
    assert change_venture is not None
    change_venture.visibility = "draft"
    change_venture.updated_at = utcnow()
    session.add(change_venture)
    session.commit()
    result = scoring.refresh_venture(session=session, settings=small, venture_id=best)
    assert result.refilled >= 1  # the list had to be recomputed ...
    assert sum(rows) < len(ventures) // 2  # ... without scoring every venture again
    assert stored_lists(session) == brute_force(session, small)


def test_lists_stay_exact_when_the_reserve_runs_dry_or_is_passed_over(
    session: Session, small: Settings
) -> None:
    """Unpublishing and passing on an investor's best ventures one by one exhausts its reserve
    (2K deep) again and again: each list is then streamed, and still exact."""
    ventures, investors, _ = market(random.Random(22), ventures=40, investors=3)
    full_refresh(session, small)
    investor_id = investors[0].id
    for step in range(3 * K + 2):
        session.rollback()
        best = _investor_list(session, investor_id)[0]
        if step % 2:
            session.add(Feedback(venture_id=best, investor_id=investor_id, action="pass"))
        else:
            venture = session.get(Venture, best)
            assert venture is not None
            venture.visibility = "draft"
            venture.updated_at = utcnow()
            session.add(venture)
        session.commit()
        scoring.refresh_venture(session=session, settings=small, venture_id=best)
        assert stored_lists(session) == brute_force(session, small), f"after step {step}"
    for venture in ventures[:10]:  # republished and changed: they re-enter from the change log
        session.rollback()
        changed = session.get(Venture, venture.id)
        assert changed is not None
        changed.visibility = "published"
        changed.updated_at = utcnow()
        session.add(changed)
        session.commit()
        scoring.refresh_venture(session=session, settings=small, venture_id=venture.id)
        assert stored_lists(session) == brute_force(session, small)


def test_thresholds_read_in_one_scan_equal_the_per_investor_reads(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, investors, _ = market(random.Random(23), ventures=30, investors=6)
    full_refresh(session, small)
    session.rollback()
    some = {i.id for i in investors[:4] if i.id is not None}
    read = {}
    for scan_from in (0, 10_000):  # one scan of list_floor, then reads by investor
        monkeypatch.setattr(match_store, "SCAN_THRESHOLDS_FROM", scan_from)
        limits = match_store.thresholds(session=session, side="investor", k=K, owners=some)
        read[scan_from] = limits.as_dict()
    assert read[0] == read[10_000]
    assert set(read[0]) == some  # every list is full: 30 ventures, K = 4
    for scan_from in (0, 10_000):  # no list holds K + 1: none is full
        monkeypatch.setattr(match_store, "SCAN_THRESHOLDS_FROM", scan_from)
        limits = match_store.thresholds(session=session, side="investor", k=K + 1, owners=some)
        assert limits.as_dict() == {}


def test_many_venture_changes_against_a_shallow_reserve_keep_every_list_exact(
    session: Session, settings: Settings
) -> None:
    """K = 2: each investor's reserve holds 4 ventures, so changed ventures that fall below
    its cut (and must not be trusted there) and refills from a dry reserve come up often."""
    forget()
    tiny = settings.model_copy(update={"match_top_k": 2})
    rng = random.Random(31)
    ventures, _, _ = market(rng, ventures=40, investors=3)
    full_refresh(session, tiny)
    for step in range(60):
        session.rollback()
        venture = session.get(Venture, rng.choice(ventures).id)
        assert venture is not None
        for name, value in venture_values(rng).items():
            setattr(venture, name, value)
        venture.updated_at = utcnow()
        session.add(venture)
        session.commit()
        scoring.refresh_venture(session=session, settings=tiny, venture_id=venture.id)
        assert stored_lists(session) == brute_force(session, tiny), f"after step {step}"


def _logits_for(session: Session, settings: Settings, investor_id: int) -> dict[int, float]:
    """Every published venture's log-odds for one investor (−inf where barred by mandate)."""
    session.rollback()
    ctx = scoring_context(session=session, settings=settings)
    records = scoring_data.venture_rows(session=session)
    features = ctx.features_for(records)
    logits = block_logits(ctx.model, features, np.arange(len(records)))
    column = ctx.investor_position[investor_id]
    session.rollback()
    return {int(v): float(logits[r, column]) for r, v in enumerate(features.side.frame.ids)}


def test_ventures_that_fell_below_the_reserve_cut_do_not_fill_a_list(
    session: Session, settings: Settings
) -> None:
    """Twelve identical ventures (ties: by id) give investor I the list [1, 2] and a reserve of
    1–4. Ventures 3 and 4 then get worse (still eligible) and venture 1 leaves: the list must
    take venture 5, which no reserve holds, not 3 or 4 from below the reserve's cut."""
    forget()
    tiny = settings.model_copy(update={"match_top_k": 2})
    rng = random.Random(41)
    _, investors, _ = market(rng, ventures=0, investors=1)
    investor_id = investors[0].id
    assert investor_id is not None
    twin: dict[str, Any] = {}
    for _ in range(200):  # values the investor can be matched with
        twin = venture_values(rng)
        probe = VentureFactory(**twin)
        eligible = np.isfinite(_logits_for(session, tiny, investor_id)[probe.id])
        session.delete(session.get(Venture, probe.id))
        session.commit()
        if eligible:
            break
    twins = sorted(VentureFactory(**twin).id for _ in range(12))
    full_refresh(session, tiny)
    _warm_reserve(session, tiny, [investor_id])
    assert _investor_list(session, investor_id) == twins[:2]
    best = _logits_for(session, tiny, investor_id)[twins[0]]
    for venture_id in twins[2:4]:
        for _ in range(200):  # worse for the investor, but still eligible
            venture = session.get(Venture, venture_id)
            assert venture is not None
            for name, value in venture_values(rng).items():
                setattr(venture, name, value)
            venture.updated_at = utcnow()
            session.add(venture)
            session.commit()
            score = _logits_for(session, tiny, investor_id)[venture_id]
            if np.isfinite(score) and score < best:
                break
        scoring.refresh_venture(session=session, settings=tiny, venture_id=venture_id)
    gone = session.get(Venture, twins[0])
    assert gone is not None
    gone.visibility = "draft"
    gone.updated_at = utcnow()
    session.add(gone)
    session.commit()
    scoring.refresh_venture(session=session, settings=tiny, venture_id=twins[0])
    assert _investor_list(session, investor_id) == [twins[1], twins[4]]
    assert stored_lists(session) == brute_force(session, tiny)


def _investor_list_rows(session: Session, investor_id: int) -> dict[int, tuple[int, int]]:
    """venture id → (row id, stored investor_rank) of the investor's list members."""
    session.rollback()
    rows = session.connection().exec_driver_sql(
        "SELECT venture_id, id, investor_rank FROM match "
        f"WHERE investor_id = {int(investor_id)} AND investor_rank IS NOT NULL"
    )
    return {v: (row_id, rank) for v, row_id, rank in rows}


def test_a_venture_leaving_the_top_of_a_list_rewrites_three_of_its_rows_not_all(
    session: Session, settings: Settings
) -> None:
    """Ranks are not renumbered: the members below a leaver keep their rows as they were."""
    forget()
    ten = settings.model_copy(update={"match_top_k": 10})
    market(random.Random(12), ventures=40, investors=5)
    full_refresh(session, ten)
    lists = stored_lists(session)
    investor_id = next(
        i
        for i in {i for _, i in lists}
        if sum(1 for (_, j), r in lists.items() if j == i and r[1]) == 10
    )
    top = next(v for (v, i), (_, place) in lists.items() if i == investor_id and place == 1)
    before = _investor_list_rows(session, investor_id)

    change_venture(session, top, {"visibility": "draft"})
    scoring.refresh_venture(session=session, settings=ten, venture_id=top)

    after = _investor_list_rows(session, investor_id)
    assert top not in after
    assert len(after) == 10
    unchanged = {v for v, row in after.items() if before.get(v) == row}
    assert len(after) - len(unchanged) <= 2, (before, after)  # the newcomer and the new last
    assert stored_lists(session) == brute_force(session, ten)


def test_after_a_new_model_a_venture_refresh_rescores_every_row_of_the_lists_it_touches(
    session: Session, small: Settings, tmp_path: Path
) -> None:
    """Until the next full refresh, rows stored by the previous model are rescored by the
    lists a venture refresh writes, also those whose number in the list does not move."""
    market(random.Random(27), ventures=30, investors=6)
    full_refresh(session, small)
    before = {(r.venture_id, r.investor_id): r.model_version for r in session.exec(select(Match))}
    activate(session, tmp_path, "lists-b")
    listed = sorted({v for (v, _), (_, rank) in stored_lists(session).items() if rank})
    venture_id = listed[len(listed) // 2]  # in some investor's list
    result = scoring.refresh_venture(session=session, settings=small, venture_id=venture_id)
    session.expire_all()
    rows = list(session.exec(select(Match)))
    touched = {r.investor_id for r in rows if r.venture_id == venture_id and r.investor_rank}
    assert result.model_version == "lists-b"
    assert touched
    for row in rows:
        if row.investor_id in touched and row.investor_rank is not None:
            assert row.model_version == "lists-b", (row.venture_id, row.investor_id)
    untouched = [r for r in rows if r.venture_id != venture_id and r.investor_id not in touched]
    assert untouched
    assert all(r.model_version == before[(r.venture_id, r.investor_id)] for r in untouched)


def test_list_ends_reads_the_two_lowest_the_candidate_and_other_models_rows(
    session: Session, settings: Settings
) -> None:
    """What a venture refresh reads of an investor list it places the venture in, on either
    database: not the whole list, and not a list whose numbers a deleted member broke."""
    forget()
    twelve = settings.model_copy(update={"match_top_k": 12})
    market(random.Random(31), ventures=40, investors=4)
    full_refresh(session, twelve)
    lists = stored_lists(session)
    order: dict[int, list[int]] = {}
    for (v, i), (_, place) in sorted(lists.items(), key=lambda item: item[1][1] or 0):
        if place:
            order.setdefault(i, []).append(v)
    investor_id, members = max(order.items(), key=lambda item: len(item[1]))
    assert len(members) >= 6
    middle = members[len(members) // 2]
    outsider = next(v for (v, _i) in lists if v not in members)
    session.rollback()

    def ends(candidate: int, version: str = "v1") -> tuple[list[int], match_store.Listed]:
        listed = match_store.Listed()
        found = match_store.list_ends(
            session=session, owners=[investor_id], candidate=candidate,
            model_version=version, rows=listed,
        )  # fmt: skip
        session.rollback()
        return [v for v, _ in found.get(investor_id, [])], listed

    version = session.exec(select(Match.model_version)).first()
    assert version is not None
    read, listed = ends(outsider, version)
    assert read == members[-2:]
    assert listed.sizes == {investor_id: len(members)}
    assert listed.numbers[investor_id][members[-1]] == len(members)
    assert ends(middle, version)[0] == [middle, *members[-2:]]
    # Rows another model stored are read too: writing the list rescores them.
    assert ends(outsider, "another")[0] == members

    row = session.exec(
        select(Match).where(Match.investor_id == investor_id, Match.venture_id == members[1])
    ).one()
    session.delete(row)  # as a cascade does: a hole in the numbers until a repair
    session.commit()
    read, listed = ends(outsider, version)
    assert read == []
    assert listed.sizes == {}
