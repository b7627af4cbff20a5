"""A full rewrite of the lists (a new model) leaves the match table as the migrations made it:
same keys, indexes and cascades (on PostgreSQL the rows go into a fresh table swapped in)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, inspect
from sqlmodel import Session

from tests.workers.builders import market, refresh_everything
from webapp.config import Settings, load_settings
from webapp.db import make_engine
from webapp.migrate import upgrade
from webapp.models import Venture, utcnow
from webapp.services.ranking import match_bulk, match_store
from webapp.services.ranking.scoring_cache import forget


@pytest.fixture
def small(settings: Settings) -> Settings:
    forget()
    return settings.model_copy(update={"match_top_k": 3})


def refresh(session: Session, settings: Settings) -> Any:
    return refresh_everything(session, settings, 4)


def _options(options: Any) -> str:
    """An index's dialect options as text (a partial index's WHERE is a TextClause)."""
    return repr(sorted((k, str(v)) for k, v in (options or {}).items()))


def schema(session: Session) -> dict[str, Any]:
    session.rollback()
    found = inspect(session.connection())
    shape = {
        "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns("match")],
        "pk": found.get_pk_constraint("match"),
        "unique": sorted(map(str, found.get_unique_constraints("match"))),
        "indexes": sorted(
            (i["name"], i["column_names"], i["unique"], _options(i.get("dialect_options")))
            for i in found.get_indexes("match")
        ),
        "foreign_keys": sorted(map(str, found.get_foreign_keys("match"))),
    }
    if session.connection().dialect.name == "postgresql":
        sequence = session.connection().exec_driver_sql(
            "SELECT pg_get_serial_sequence('match', 'id')"
        )
        shape["sequence"] = sequence.scalar()
    session.rollback()
    return shape


def count(session: Session, where: str = "") -> int:
    session.rollback()
    value = session.connection().exec_driver_sql(f"SELECT COUNT(*) FROM match {where}").scalar()
    session.rollback()
    return int(value or 0)


def test_a_rewrite_keeps_the_table_its_keys_and_its_cascades(
    session: Session, small: Settings
) -> None:
    ventures, _, _ = market(random.Random(31), ventures=9, investors=5)
    before = schema(session)
    first = refresh(session, small)  # into an empty table: a rewrite
    assert first.written.rewrote
    session.connection().exec_driver_sql("UPDATE match SET model_version = 'older'")
    session.commit()
    again = refresh(session, small)  # every row from another model: a rewrite again
    assert again.written.rewrote
    assert schema(session) == before
    assert count(session) == again.rows

    # The swapped-in table still cascades, still refuses duplicates, and new ids follow on.
    gone = int(ventures[0].id or 0)
    assert count(session, f"WHERE venture_id = {gone}")
    session.delete(session.get(Venture, gone))
    session.commit()
    assert count(session, f"WHERE venture_id = {gone}") == 0
    duplicate = (
        "INSERT INTO match (venture_id, investor_id, score, reasons, model_version, computed_at) "
        "SELECT venture_id, investor_id, 0.5, '[]', 'x', computed_at FROM match LIMIT 1"
    )
    with pytest.raises(Exception, match=r"(?i)unique"):
        session.connection().exec_driver_sql(duplicate)
    session.rollback()
    connection = session.connection()
    top, venture_id, investor_id = connection.exec_driver_sql(
        "SELECT id, venture_id, investor_id FROM match ORDER BY id DESC LIMIT 1"
    ).one()
    connection.exec_driver_sql(f"DELETE FROM match WHERE id = {top}")
    connection.exec_driver_sql(
        "INSERT INTO match (venture_id, investor_id, score, reasons, model_version, computed_at) "
        f"VALUES ({venture_id}, {investor_id}, 0.5, '[]', 'x', CURRENT_TIMESTAMP)"
    )
    newest = connection.exec_driver_sql("SELECT MAX(id) FROM match").scalar()
    # SQLite hands out max + 1 again; PostgreSQL's sequence (kept by the swap) moves on.
    assert newest > top if connection.dialect.name == "postgresql" else newest == top
    session.rollback()


def test_a_reader_holding_the_table_gets_an_in_place_rewrite_not_a_stalled_site(
    session: Session, small: Settings, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction left open on the lists (here: another connection that read one) must
    neither stall a full rewrite nor lose its reads. On PostgreSQL the swap needs the table to
    itself for a moment, so the refresh rewrites in place instead; SQLite's WAL readers keep
    their snapshot while the writer replaces the rows."""
    monkeypatch.setattr(match_bulk, "SWAP_LOCK_TRIES", 2)
    market(random.Random(33), ventures=9, investors=5)
    truth = refresh(session, small).rows
    session.connection().exec_driver_sql("UPDATE match SET model_version = 'older'")
    session.commit()
    with db.connect() as reader:
        reader.exec_driver_sql("SELECT COUNT(*) FROM match").scalar()  # holds its lock on match
        stats = refresh(session, small)
        assert stats.written.rewrote
        assert reader.exec_driver_sql("SELECT COUNT(*) FROM match").scalar() == truth
        reader.rollback()
    assert count(session, "WHERE model_version = 'older'") == 0
    assert count(session) == truth


def test_after_a_rewrite_a_refresh_reads_the_investor_lists_from_the_index_alone(
    session: Session, small: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read of the investor lists a venture refresh touches is answered by
    ix_match_investor_list without visiting table rows, straight after a full rewrite. On
    PostgreSQL that needs the swapped-in rows written frozen (COPY FREEZE): otherwise every
    page waits for autovacuum to be marked all-visible, and until then a refresh's two list
    reads visited thousands of table pages."""
    session.rollback()
    market(random.Random(35), ventures=40, investors=8)
    assert refresh(session, small).written.rewrote
    reads: list[tuple[str, tuple[object, ...]]] = []
    real = match_store.read_rows

    def read_rows(s: Session, sql: str, params: tuple[object, ...] = ()) -> list[object]:
        reads.append((sql, params))
        return real(s, sql, params)

    monkeypatch.setattr(match_store, "read_rows", read_rows)
    owners = [int(i) for (i,) in session.connection().exec_driver_sql(
        "SELECT DISTINCT investor_id FROM match WHERE investor_rank IS NOT NULL LIMIT 3"
    )]  # fmt: skip
    assert match_store.lists(session=session, side="investor", owners=owners)
    ((sql, params),) = reads
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # The table is tiny: make the planner take the index it would take at scale.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        explained = connection.exec_driver_sql(f"EXPLAIN (ANALYZE) {sql}", params)
        plan = "\n".join(line for (line,) in explained)
        assert "Index Only Scan using ix_match_investor_list" in plan, plan
        assert "Heap Fetches: 0" in plan, plan
    else:
        plan = " ".join(
            str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
        )
        assert "COVERING INDEX ix_match_investor_list" in plan, plan
    session.rollback()


def test_a_sqlite_rewrite_runs_with_a_larger_page_cache_and_gives_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pooled connection must not keep the rewrite's 64 MB cache for good. On a SQLite
    file of its own, whatever database the suite runs on (PostgreSQL rewrites by COPY into a
    fresh table, with no such cache)."""
    engine = make_engine(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}))
    upgrade(engine)
    rows = {name: np.zeros(0, np.int64) for name in ("venture_id", "investor_id")}
    rows |= {"score": np.zeros(0), "reasons": np.zeros(0, dtype=object)}
    rows |= {name: np.zeros(0, np.int64) for name in ("venture_rank", "investor_rank")}
    seen: list[int] = []
    real = match_bulk._tuples
    try:
        with engine.begin() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            before = driver.execute("PRAGMA cache_size").fetchone()[0]

            def watched(*args: Any, **kwargs: Any) -> Any:
                seen.append(driver.execute("PRAGMA cache_size").fetchone()[0])
                return real(*args, **kwargs)

            monkeypatch.setattr(match_bulk, "_tuples", watched)
            match_bulk._insert_sqlite(connection, rows, "v1", utcnow())
            assert seen == [-match_bulk.REWRITE_CACHE_KIB]
            assert driver.execute("PRAGMA cache_size").fetchone()[0] == before != seen[0]
            # The indexes it dropped for the rewrite are back.
            names = {i["name"] for i in inspect(connection).get_indexes("match")}
            assert {i.name for i in match_bulk._rank_indexes()} <= names
    finally:
        engine.dispose()
