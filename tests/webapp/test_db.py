"""Database behaviour the rest of the app relies on."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.factories import VentureFactory
from webapp.config import load_settings
from webapp.db import make_engine
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
