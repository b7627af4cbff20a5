"""Database write locks that work the same on SQLite and PostgreSQL.

Take the lock before the first statement of a transaction; it is held until that transaction
commits or rolls back.

Why SQLite needs care: in WAL mode a deferred transaction opens its read snapshot at its first
statement. If it must then wait for another writer, that writer's commit makes the snapshot
stale and SQLite fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) instead of
waiting, even when the first statement is itself a write. `BEGIN IMMEDIATE` takes the write
lock before any snapshot, so it waits (busy_timeout) and then always succeeds.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import Engine, event, text
from sqlmodel import Session

from webapp.db import begin_immediate, read_rows

_STATEMENTS = "venturematch_statements"


def _count(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    if not statement.lstrip().upper().startswith("BEGIN"):
        conn.info[_STATEMENTS] = conn.info.get(_STATEMENTS, 0) + 1


def _reset(conn: Any) -> None:
    conn.info[_STATEMENTS] = 0


# Count statements per transaction on every engine, so the lock knows whether it comes first.
event.listen(Engine, "before_cursor_execute", _count)
event.listen(Engine, "begin", _reset)


def lock_key(name: str) -> int:
    """A stable 32-bit advisory-lock number for a lock name."""
    return zlib.crc32(f"venturematch:{name}".encode()) & 0x7FFFFFFF


def take_write_lock(
    *, session: Session, name: str, derived_only: bool = False, reuse_plans: bool = False
) -> None:
    """Serialise writers of one kind (ranking lists, outbox claims) until the transaction ends.

    PostgreSQL takes a transaction-scoped advisory lock, so only writers of the same `name`
    wait. SQLite has one writer at a time: the fresh transaction SQLAlchemy began is turned
    into `BEGIN IMMEDIATE` (SQLAlchemy still ends it with its own COMMIT or ROLLBACK).

    `derived_only`: the transaction writes only what can be computed again (the ranked lists),
    so on PostgreSQL its commit does not wait for the write-ahead log to reach the disk
    (`synchronous_commit` off for it alone). A database crash may then lose the last
    fraction of a second of such commits, never half of one; a later refresh or the nightly
    full refresh writes them again, and any ordinary commit after them (a notification of a
    new match, say) flushes them first. SQLite already commits this way (WAL with
    `synchronous=NORMAL`).

    `reuse_plans`: the transaction runs the same few small statements every time (one
    venture's refresh), so on PostgreSQL each prepared statement keeps one plan for any
    parameters (`plan_cache_mode` force_generic_plan, for this transaction alone) instead of
    being planned again at every execution: that planning was ~1 of a venture change's ~7 ms of
    server time. Not for statements whose best plan depends on their arrays' sizes (a full
    refresh's thousands of rows).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Through the driver's cursor: every refresh starts here, and SQLAlchemy's statement
        # handling cost more than the lock itself (0.45 of 0.7 ms). The settings ride in the
        # same statement.
        relaxed = ", set_config('synchronous_commit', 'off', true)" if derived_only else ""
        if reuse_plans:
            relaxed += ", set_config('plan_cache_mode', 'force_generic_plan', true)"
        read_rows(session, f"SELECT pg_advisory_xact_lock({lock_key(name)}){relaxed}")
        return
    if connection.info.get(_STATEMENTS, 0) == 0:
        begin_immediate(connection)  # in place of the empty deferred transaction just opened
        return
    # Statements already ran in this transaction: its first write takes the lock (webapp.db
    # restarts a transaction that has written nothing as IMMEDIATE before that write).
    connection.execute(text("UPDATE job_run SET id = id WHERE 1 = 0"))


def begin_write(*, session: Session, name: str) -> None:
    """Start a write transaction holding the lock, ending any read-only snapshot first.

    Pending (unflushed) changes in the session are kept; otherwise the session is rolled back
    so that the lock is taken before the first read.
    """
    if not (session.new or session.dirty or session.deleted):
        session.rollback()
    take_write_lock(session=session, name=name)
