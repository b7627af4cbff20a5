"""The write lock serialises writers of one name, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlmodel import Session

from webapp.services.common.locks import take_write_lock


def test_a_second_writer_waits_until_the_first_commits(db: Engine) -> None:
    events: list[str] = []

    def second() -> None:
        with Session(db) as other:
            take_write_lock(session=other, name="ranking")
            events.append("second holds the lock")
            other.commit()

    with Session(db) as first:
        take_write_lock(session=first, name="ranking")
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the second writer did not wait for the lock"
        events.append("first commits")
        first.commit()
    waiting.join(30)
    assert events == ["first commits", "second holds the lock"]


def test_a_derived_only_writer_commits_without_waiting_for_the_disk_and_no_other_does(
    db: Engine,
) -> None:
    """PostgreSQL: synchronous_commit is off for that transaction alone. SQLite commits
    that way already (WAL with synchronous=NORMAL, 1), for every transaction."""

    def commit_setting(session: Session) -> str:
        if db.dialect.name == "postgresql":
            return str(session.connection().exec_driver_sql("SHOW synchronous_commit").scalar())
        return str(session.connection().exec_driver_sql("PRAGMA synchronous").scalar())

    with Session(db) as session:
        take_write_lock(session=session, name="ranking", derived_only=True)
        relaxed = commit_setting(session)
        session.commit()
        after = commit_setting(session)
        session.rollback()
        take_write_lock(session=session, name="outbox")
        other = commit_setting(session)
        session.commit()
    if db.dialect.name == "postgresql":
        assert (relaxed, after, other) == ("off", "on", "on")
    else:
        assert (relaxed, after, other) == ("1", "1", "1")


def test_reused_plans_are_asked_for_by_that_transaction_alone(db: Engine) -> None:
    """PostgreSQL plans a venture refresh's prepared statements once (a generic plan) only
    inside the transaction that asked; the next transaction plans as the server is set."""

    def plan_mode(session: Session) -> str:
        return str(session.connection().exec_driver_sql("SHOW plan_cache_mode").scalar())

    if db.dialect.name != "postgresql":
        with Session(db) as session:  # SQLite has no such setting: the lock is all it takes
            take_write_lock(session=session, name="ranking", derived_only=True, reuse_plans=True)
            session.commit()
        return
    with Session(db) as session:
        default = plan_mode(session)
        session.rollback()
        take_write_lock(session=session, name="ranking", derived_only=True, reuse_plans=True)
        reused = plan_mode(session)
        session.commit()
        after = plan_mode(session)
        session.rollback()
        take_write_lock(session=session, name="ranking", derived_only=True)
        other = plan_mode(session)
        session.commit()
    assert default != "force_generic_plan"
    assert (reused, after, other) == ("force_generic_plan", default, default)
