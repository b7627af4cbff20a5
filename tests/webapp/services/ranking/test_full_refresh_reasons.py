"""A full refresh words only the pairs it writes: unchanged rows keep their stored reasons, and
every row it does write carries reasons equal to a from-scratch refresh's."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from sqlmodel import Session

from matching.reasons import PROFILE_CODES
from tests.workers.builders import chunk_parts, market, venture_values, write_parts
from webapp.config import Settings
from webapp.models import Venture, utcnow
from webapp.services.ranking.match_bulk import KEEP
from webapp.services.ranking.match_queries import Profiles, display_reasons
from webapp.services.ranking.scoring_cache import forget
from webapp.services.ranking.scoring_full import (
    ChunkResult,
)

K = 4
Reasons = dict[tuple[int, int], Any]


@pytest.fixture
def small(settings: Settings) -> Settings:
    forget()
    return settings.model_copy(update={"match_top_k": K})


def chunks(session: Session, settings: Settings) -> list[ChunkResult]:
    return chunk_parts(session, settings, 5)


finish = write_parts


def stored_reasons(session: Session) -> Reasons:
    session.rollback()
    rows = session.connection().exec_driver_sql(
        "SELECT venture_id, investor_id, reasons FROM match"
    )
    found = {(v, i): json.loads(r) if isinstance(r, str) else r for v, i, r in rows}
    session.rollback()
    return found


def from_scratch(session: Session, settings: Settings) -> Reasons:
    """What a refresh into an empty table stores (every pair worded)."""
    session.rollback()
    session.connection().exec_driver_sql("DELETE FROM match")
    session.commit()
    finish(session, settings, chunks(session, settings))
    return stored_reasons(session)


def worded(parts: list[ChunkResult]) -> int:
    return sum(int(((p.venture_reasons != KEEP) & (p.venture_top >= 0)).sum()) for p in parts)


def test_a_nightly_refresh_words_only_changed_pairs_and_keeps_stored_reasons(
    session: Session, small: Settings
) -> None:
    ventures, _, _ = market(random.Random(21), ventures=20, investors=5)
    first = chunks(session, small)
    assert worded(first) == sum(int((p.venture_top >= 0).sum()) for p in first)
    finish(session, small, first)
    before = stored_reasons(session)

    again = chunks(session, small)
    assert worded(again) == 0  # same model, same scores: nothing to word
    stats = finish(session, small, again)
    assert stats.written.unchanged == len(before)
    assert stored_reasons(session) == before

    changed = session.get(Venture, ventures[0].id)
    assert changed is not None
    for name, value in venture_values(random.Random(22)).items():
        setattr(changed, name, value)
    changed.updated_at = utcnow()
    session.add(changed)
    session.commit()
    parts = chunks(session, small)
    assert 0 < worded(parts) <= K  # only the changed venture's own list is worded again
    finish(session, small, parts)
    after = stored_reasons(session)
    assert after == from_scratch(session, small)


def test_rows_changed_after_the_chunks_ran_are_worded_by_the_writer(
    session: Session, small: Settings
) -> None:
    """A chunk skips a pair whose stored row holds its score; if that row is rescored before
    the merge writes (here: another model's refresh), the writer must word it, not store KEEP."""
    ventures, _, _ = market(random.Random(23), ventures=12, investors=4)
    finish(session, small, chunks(session, small))
    truth = stored_reasons(session)
    parts = chunks(session, small)
    assert worded(parts) == 0
    session.connection().exec_driver_sql(
        f"UPDATE match SET score = score / 2, reasons = '[]' WHERE venture_id = {ventures[0].id}"
    )
    session.commit()

    stats = finish(session, small, parts)
    assert not stats.written.rewrote
    assert stats.written.rescored > 0
    stored = stored_reasons(session)
    assert stored == truth
    assert all(listed != [] for (v, _), listed in stored.items() if v == ventures[0].id)


def test_a_new_model_rewrites_every_row_with_worded_reasons(
    session: Session, small: Settings
) -> None:
    market(random.Random(25), ventures=12, investors=10)
    finish(session, small, chunks(session, small))
    truth = stored_reasons(session)
    only_investor_side = (
        session.connection()
        .exec_driver_sql("SELECT COUNT(*) FROM match WHERE venture_rank IS NULL")
        .scalar()
    )
    assert only_investor_side  # pairs no chunk words: the writer must
    session.connection().exec_driver_sql("UPDATE match SET model_version = 'older', reasons = '[]'")
    session.commit()

    stats = finish(session, small, chunks(session, small))
    assert stats.written.rewrote
    assert stats.written.deleted == len(truth)
    assert stored_reasons(session) == truth


def test_mandate_reasons_are_stored_bare_and_worded_from_the_two_profiles(
    session: Session, small: Settings
) -> None:
    market(random.Random(27), ventures=8, investors=4)
    finish(session, small, chunks(session, small))
    stored = stored_reasons(session)
    mandate_reasons = [r for listed in stored.values() for r in listed if r[0] in PROFILE_CODES]
    assert mandate_reasons
    assert all(facts == {} for _, _, facts in mandate_reasons)  # small rows: no profile copies

    (venture_id, investor_id), listed = next(
        (pair, listed)
        for pair, listed in stored.items()
        if any(r[0] == "ticket_fit" for r in listed)
    )
    profiles = Profiles.load(session, [venture_id], [investor_id])
    shown = {r["code"]: r for r in display_reasons(listed, profiles.pair(venture_id, investor_id))}
    venture, investor = profiles.ventures[venture_id], profiles.investors[investor_id]
    assert shown["ticket_fit"]["facts"] == {
        "raise": venture.raise_amount_gbp,
        "min": investor.ticket_min_gbp,
        "max": investor.ticket_max_gbp,
    }
    assert shown["ticket_fit"]["text"].startswith("Tickets £")
    assert display_reasons(listed)[0]["text"]  # without the profiles: labels, never an error
