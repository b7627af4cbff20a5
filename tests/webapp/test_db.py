"""Database behaviour the rest of the app relies on."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tests.factories import VentureFactory
from webapp.config import load_settings
from webapp.db import for_writing, make_engine
from webapp.models import Venture


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    # The default database is SQLite whatever the suite runs against, so build one here.
    engine = make_engine(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'pragmas.db'}"}))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(session):
    session.add(
        Venture(
            owner_id=999_999,
            name="Orphan",
            summary="A venture whose owner does not exist at all.",
            sectors=["ai"],
            stage="seed",
            raise_amount_gbp=100_000,
            instruments=["equity"],
            region="north_east_ca",
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_check_constraints_keep_enums_closed(session):
    venture = VentureFactory()
    venture.visibility = "secret"
    session.add(venture)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_times_come_back_timezone_aware(session):
    venture = VentureFactory()
    session.expire_all()
    stored = session.get(Venture, venture.id)
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset().total_seconds() == 0


@pytest.fixture
def sqlite_file_engine(tmp_path):
    """A SQLite engine of our own (whatever the suite runs on) with one table of numbers."""
    engine = make_engine(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'locks.db'}"}))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE number (value INTEGER)"))
        connection.execute(text("INSERT INTO number VALUES (1), (2), (3)"))
    yield engine
    engine.dispose()


def _commit_elsewhere(engine, value):
    """Another process's writer: a plain connection outside the engine's pool."""
    database = engine.url.database
    other = sqlite3.connect(database, timeout=15, isolation_level=None)
    try:
        other.execute("INSERT INTO number VALUES (?)", (value,))
    finally:
        other.close()


def test_a_read_transaction_can_write_after_another_process_committed(sqlite_file_engine):
    # A GET that reads, then audits: its snapshot is stale by the time it writes.
    with Session(sqlite_file_engine) as session:
        assert session.execute(text("SELECT count(*) FROM number")).scalar() == 3
        _commit_elsewhere(sqlite_file_engine, 4)
        session.execute(text("INSERT INTO number VALUES (5)"))
        session.commit()
    with sqlite_file_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM number")).scalar() == 5


def test_a_result_left_unread_does_not_pin_the_pooled_connection(sqlite_file_engine):
    with Session(sqlite_file_engine) as session:
        rows = session.connection().execute(text("SELECT value FROM number"))
        assert rows.fetchone() is not None  # an abandoned download: never read to the end
    _commit_elsewhere(sqlite_file_engine, 4)

    # The pool hands the same connection out again: it must still take the write lock...
    with Session(for_writing(sqlite_file_engine)) as session:
        session.execute(text("INSERT INTO number VALUES (5)"))
        session.commit()
    # ...and hold no old snapshot that keeps the WAL from being checkpointed.
    with sqlite_file_engine.connect() as connection:
        busy, frames, done = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert (busy, frames) == (0, done)
