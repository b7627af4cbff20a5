"""The database keeps the count and id total of published ventures (`venture_census`) through
every kind of change, and the refresh path reads them from there."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from tests.factories import VentureFactory
from webapp.config import load_settings
from webapp.db import make_engine
from webapp.migrate import upgrade
from webapp.models import Venture, utcnow
from webapp.services.ranking.scoring_data import recent_changes


def census(session: Session) -> tuple[int, int] | None:
    row = session.connection().execute(
        text("SELECT published, id_total FROM venture_census WHERE id = 1")
    )
    found = row.one_or_none()
    return None if found is None else (int(found[0]), int(found[1]))


def scanned(session: Session) -> tuple[int, int]:
    count, total = (
        session.connection()
        .execute(
            text(
                "SELECT count(*), coalesce(sum(id), 0) FROM venture WHERE visibility = 'published'"
            )
        )
        .one()
    )
    return int(count), int(total)


def test_every_kind_of_change_keeps_the_census_equal_to_a_count(session: Session) -> None:
    rng = random.Random(41)
    ventures = [VentureFactory(visibility=rng.choice(["draft", "published"])) for _ in range(12)]
    session.commit()
    assert census(session) == scanned(session) != (0, 0)
    for step in range(60):
        venture = session.get(Venture, rng.choice(ventures).id)
        if venture is None:
            continue
        action = rng.choice(["publish", "unpublish", "rename", "delete", "same"])
        if action == "publish":
            venture.visibility = "published"
        elif action == "unpublish":
            venture.visibility = "draft"
        elif action == "rename":
            venture.name = f"Renamed {step}"  # not a change of the published set
        elif action == "delete":
            session.delete(venture)
        else:
            venture.visibility = venture.visibility  # set to what it was
        session.commit()
        assert census(session) == scanned(session), (step, action)
    # Bulk statements fire the triggers row by row, in one transaction.
    session.connection().execute(text("UPDATE venture SET visibility = 'published'"))
    assert census(session) == scanned(session)
    top = session.connection().execute(text("SELECT max(id) FROM venture")).scalar()
    session.connection().execute(text(f"UPDATE venture SET id = id + 1000 WHERE id = {top}"))
    assert census(session) == scanned(session)
    session.connection().execute(text("DELETE FROM venture WHERE id % 2 = 0"))
    assert census(session) == scanned(session)
    session.rollback()
    assert census(session) == scanned(session)  # the rolled-back changes left no trace


def test_emptying_the_table_in_one_statement_empties_the_census(session: Session) -> None:
    """Each database's own way of emptying a table at once: PostgreSQL's TRUNCATE fires no
    row trigger (a statement trigger resets the census); SQLite's DELETE without WHERE would
    skip row triggers too, were there none (its truncate optimisation)."""
    VentureFactory.create_batch(3)
    session.commit()
    assert census(session) == scanned(session) != (0, 0)
    postgresql = session.connection().dialect.name == "postgresql"
    empty = "TRUNCATE venture CASCADE" if postgresql else "DELETE FROM venture"
    session.connection().execute(text(empty))
    assert census(session) == (0, 0) == scanned(session)
    session.rollback()


def test_the_refresh_path_reads_the_census_and_scans_only_without_it(session: Session) -> None:
    ventures = VentureFactory.create_batch(4)
    session.commit()
    since = utcnow() - timedelta(minutes=1)
    stamps, count, total = recent_changes(session=session, since=since)
    assert set(stamps) == {v.id for v in ventures}
    assert (count, total) == scanned(session)
    # Read from the row, not counted: a row saying otherwise is what comes back.
    session.connection().execute(text("UPDATE venture_census SET published = 99, id_total = 7"))
    assert recent_changes(session=session, since=since)[1:] == (99, 7)
    # Without the row, every published venture is counted.
    session.connection().execute(text("DELETE FROM venture_census"))
    stamps, count, total = recent_changes(session=session, since=since)
    assert (count, total) == scanned(session) == (4, sum(v.id for v in ventures))
    assert set(stamps) == {v.id for v in ventures}
    session.rollback()


def test_the_migration_counts_the_ventures_already_published(tmp_path: Path) -> None:
    engine = make_engine(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}))
    upgrade(engine, "0010_match_investor_list_index")
    now = "2026-12-01 10:00:00.000000"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user (id, email, name, password_hash, role, active, "
                "email_frequency, created_at, updated_at) VALUES (1, 'f@x.example', 'Fay', 'h', "
                f"'founder', 1, 'instant', '{now}', '{now}')"
            )
        )
        for venture_id, visibility in ((3, "published"), (5, "draft"), (8, "published")):
            connection.execute(
                text(
                    "INSERT INTO venture (id, owner_id, visibility, name, summary, sectors, "
                    "stage, raise_amount_gbp, instruments, region, spinout, eis, seis, "
                    f"created_at, updated_at) VALUES ({venture_id}, 1, '{visibility}', 'V', "
                    "'A summary long enough.', '[\"diagnostics\"]', 'seed', 500000, "
                    f"'[\"equity\"]', 'north_east_ca', 0, 0, 0, '{now}', '{now}')"
                )
            )
    upgrade(engine)
    with Session(engine) as session:
        assert census(session) == (2, 11) == scanned(session)
        session.connection().execute(text("UPDATE venture SET visibility = 'published'"))
        assert census(session) == (3, 16)
    engine.dispose()
