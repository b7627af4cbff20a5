"""A process's scoring context after a new model: the investor and deal frames are reused when
only the model changed, and score exactly as a context built from the database."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import update
from sqlmodel import Session, col

import matching
from matching.blocks import block_logits
from tests.workers.builders import market
from webapp.config import Settings
from webapp.models import InvestorProfile, ModelVersion, PortfolioDeal, utcnow
from webapp.services.common.taxonomy import matching_taxonomy
from webapp.services.ranking import scoring_data
from webapp.services.ranking.scoring_cache import (
    ScoringContext,
    current_context,
    forget,
    scoring_context,
)


def activate(session: Session, directory: Path, version: str) -> None:
    """A model whose text vocabulary is fitted on the profiles, made the active one."""
    model = matching.prior_model(
        matching_taxonomy(),
        ventures=scoring_data.venture_rows(session=session),
        investors=scoring_data.investor_rows(session=session),
        version=version,
    )
    path = matching.save_model(model, directory)
    session.execute(update(ModelVersion).values(active=False))
    session.flush()
    session.add(ModelVersion(version=version, artefact_path=str(path), trained_at=utcnow(),
                             features=list(matching.FEATURES), active=True))  # fmt: skip
    session.commit()


def logits(session: Session, ctx: ScoringContext) -> np.ndarray:
    features = ctx.features_for(scoring_data.venture_rows(session=session))
    return block_logits(ctx.model, features, np.arange(len(features.side.frame)))


def test_a_new_model_reuses_the_frames_and_scores_like_a_fresh_context(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    market(random.Random(51), ventures=15, investors=6)
    forget()
    before = scoring_context(session=session, settings=settings)
    session.rollback()
    activate(session, tmp_path, "context-b")

    after = scoring_context(session=session, settings=settings)
    assert after.version == "context-b"
    assert after.pool.frame is before.pool.frame  # read and checked once, not again
    assert after.pool.history is before.pool.history
    reused = logits(session, after)
    session.rollback()

    forget()
    fresh = scoring_context(session=session, settings=settings)
    assert fresh.pool.frame is not before.pool.frame
    assert np.array_equal(logits(session, fresh), reused)
    assert not np.array_equal(logits(session, before), reused)  # the new model does score


def test_the_context_holds_until_the_model_an_investor_or_the_track_records_change(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    """`current_context` answers from one fingerprint statement; each kind of change that
    alters scores makes it give the context up (None: rebuild), and nothing else does."""
    _, investors, _ = market(random.Random(52), ventures=8, investors=4)
    forget()
    built = scoring_context(session=session, settings=settings)
    session.rollback()

    def holds() -> bool:
        session.rollback()
        found = current_context(session=session, settings=settings)
        session.rollback()
        return found is built

    assert holds()
    changes = {
        "a new model": lambda: activate(session, tmp_path, "context-c"),
        "an investor profile": lambda: _touch(session, investors[0]),
        "a past deal": lambda: _past_deal(session, investors[1]),
    }
    for change, make in changes.items():
        make()
        assert not holds(), f"{change} went unnoticed"
        built = scoring_context(session=session, settings=settings)
        session.commit()
        assert holds(), f"after {change}, the rebuilt context does not hold"


def _touch(session: Session, investor: InvestorProfile) -> None:
    session.execute(
        update(InvestorProfile)
        .where(col(InvestorProfile.id) == investor.id)
        .values(ticket_max_gbp=investor.ticket_max_gbp + 1, updated_at=utcnow())
    )
    session.commit()


def _past_deal(session: Session, investor: InvestorProfile) -> None:
    session.add(
        PortfolioDeal(investor_id=investor.id, company_name="Aire Valley Robotics",
                      funded_at=utcnow().date(), sectors=[], dedupe_key="aire-valley-robotics")
    )  # fmt: skip
    session.commit()


def test_an_investor_edit_keeps_the_deal_frame_and_scores_like_a_fresh_context(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mandate edit rebuilds the pool from the investors alone: the past deals are the same,
    so their validated frame is kept (reading ~60,000 of them was most of a rebuild); a new
    past deal has them read again."""
    _, investors, _ = market(random.Random(53), ventures=12, investors=5)
    forget()
    before = scoring_context(session=session, settings=settings)
    session.rollback()
    reads: list[int] = []
    real = scoring_data.history_rows

    def counted(**kwargs: object) -> list[matching.DealRecord]:
        reads.append(1)
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scoring_data, "history_rows", counted)
    _touch(session, investors[0])
    edited = scoring_context(session=session, settings=settings)
    assert edited is not before
    assert reads == []
    assert edited.pool.history is before.pool.history
    assert edited.pool.frame is not before.pool.frame  # the investors were read again
    kept = logits(session, edited)
    session.rollback()

    forget()
    fresh = scoring_context(session=session, settings=settings)
    assert reads == [1]
    assert fresh.pool.history is not before.pool.history
    assert np.array_equal(logits(session, fresh), kept)
    session.rollback()

    _past_deal(session, investors[1])
    again = scoring_context(session=session, settings=settings)
    assert reads == [1, 1]
    assert again.pool.history is not fresh.pool.history
    session.rollback()


def test_the_fingerprint_reads_the_mandates_from_their_small_index(session: Session) -> None:
    """Every refresh reads the fingerprint first. Its mandate figures come from
    ix_investor_profile_active_fingerprint alone: scanning every wide mandate row instead
    took 1.4 of a venture change's ~25 ms on PostgreSQL at 2,000 investors."""
    market(random.Random(41), ventures=5, investors=6)
    connection = session.connection()
    sql = str(
        scoring_data._fingerprint_query().compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
    )
    if connection.dialect.name == "postgresql":
        # The tables are tiny: make the planner take what it would take at scale.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        plan = "\n".join(line for (line,) in connection.exec_driver_sql(f"EXPLAIN {sql}"))
        assert "Index Only Scan using ix_investor_profile_active_fingerprint" in plan, plan
    else:
        plan = " ".join(
            str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
        )
        assert "COVERING INDEX ix_investor_profile_active_fingerprint" in plan, plan
    session.rollback()
