"""Engines and sessions: one engine per process, one session per request or task.

SQLite gets WAL (readers don't block the writer) and enforced foreign keys on every connection;
PostgreSQL comes through `DATABASE_URL`.

Two SQLite traps are closed here, for every caller at once:
- A deferred transaction that reads and then writes fails at once with "database is locked"
  (SQLITE_BUSY_SNAPSHOT, no busy wait) if another connection committed after its first read.
  Its first write therefore ends the read snapshot and begins IMMEDIATE first, which waits for
  the write lock; earlier reads then behave as under PostgreSQL's READ COMMITTED.
- A result left unread (an abandoned download, an error mid-iteration) keeps its statement, and
  so an old snapshot, open after ROLLBACK: the pooled connection then fails every BEGIN
  IMMEDIATE at once and WAL checkpoints stall behind it. Its cursors are closed on return.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, event, make_url
from sqlmodel import Session, create_engine

from webapp.config import Settings
from webapp.wal_checkpoints import BACKSTOP_PAGES, WalCheckpointer

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL, foreign keys and a busy timeout on each new SQLite connection."""
    # pysqlite opens transactions lazily in its own way; let SQLAlchemy issue BEGIN itself so
    # that `BEGIN IMMEDIATE` (used by the outbox relay's lock) works.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Execution option naming how a SQLite transaction begins (ignored by PostgreSQL).
SQLITE_BEGIN = "sqlite_begin"
# Per pooled connection: whether its current transaction holds the write lock, and its cursors.
_WRITE_LOCKED = "venturematch_write_locked"
_CURSORS = "venturematch_cursors"
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


def _begin_sqlite(connection: Any) -> None:
    """Emit BEGIN ourselves (pysqlite's own transaction handling is switched off above).

    Work that will write begins IMMEDIATE: in WAL mode a deferred transaction that reads and
    then writes fails at once ("database is locked") if another process committed in between,
    whereas IMMEDIATE waits for the write lock (busy_timeout) before its snapshot is taken.
    """
    immediate = connection.get_execution_options().get(SQLITE_BEGIN) == "immediate"
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    connection.info[_WRITE_LOCKED] = immediate


def begin_immediate(connection: Any) -> None:
    """Restart the SQLite transaction as IMMEDIATE (waiting for the write lock).

    Only for a transaction that has written nothing yet: what it read is committed away, so
    the snapshot is fresh and the lock is held from here until SQLAlchemy's COMMIT/ROLLBACK.
    """
    driver: Any = connection.connection.driver_connection
    if driver.in_transaction:
        driver.execute("COMMIT")
    driver.execute("BEGIN IMMEDIATE")
    connection.info[_WRITE_LOCKED] = True


def _lock_before_first_write(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if connection.info.get(_WRITE_LOCKED, True) or not _WRITES.match(statement):
        return
    if connection.connection.driver_connection.in_transaction:
        begin_immediate(connection)


def _track_cursor(connection: Any, cursor: Any, *_args: Any) -> None:
    cursors = connection.info.get(_CURSORS)
    if cursors is None:
        cursors = connection.info[_CURSORS] = weakref.WeakSet()
    cursors.add(cursor)


def _close_cursors(_dbapi_connection: Any, record: Any, _state: Any) -> None:
    """Release every statement (and with it any read snapshot) before the pool takes it back."""
    cursors = record.info.get(_CURSORS)
    if cursors:
        for cursor in list(cursors):
            cursor.close()
        cursors.clear()


def for_writing(engine: Engine) -> Engine:
    """The same engine (and pool), but its SQLite transactions take the write lock up front."""
    return engine.execution_options(**{SQLITE_BEGIN: "immediate"})


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _checkpoint_late(dbapi_connection: Any, _record: Any) -> None:
    """Leave checkpoints to the background thread (`webapp.wal_checkpoints`) unless the log
    grows past the backstop."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.close()


_checkpointers: weakref.WeakKeyDictionary[Engine, WalCheckpointer] = weakref.WeakKeyDictionary()


def stop_checkpoints(engine: Engine) -> bool:
    """Stop the engine's background checkpoints (its owner is closing it); False if it had
    none."""
    checkpointer = _checkpointers.pop(engine, None)
    if checkpointer is None:
        return False
    checkpointer.stop()
    return True


def make_engine(
    settings: Settings, *, checkpoint_in_background: bool = False, **kwargs: Any
) -> Engine:
    """Create the process's engine with the dialect-specific settings applied.

    `checkpoint_in_background`: a SQLite database's WAL is checkpointed by a thread of this
    process, not inside its commits (worker processes: a refresh's latency is their measure).
    Call `stop_checkpoints` when the engine is disposed of."""
    url = settings.sqlalchemy_url
    # JSON columns (sectors, reasons) are decoded on every list row: orjson is several times
    # faster than the standard library at it.
    kwargs.setdefault("json_serializer", _json_dumps)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 15})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        event.listen(engine, "before_cursor_execute", _lock_before_first_write)
        event.listen(engine, "after_cursor_execute", _track_cursor)
        event.listen(engine.pool, "reset", _close_cursors)
        if checkpoint_in_background and database and database != ":memory:":
            event.listen(engine, "connect", _checkpoint_late)
            _checkpointers[engine] = WalCheckpointer(database).start()
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def make_worker_engine(settings: Settings) -> Engine:
    """The engine of a process that refreshes scores (a worker, and the bench's stand-in for
    one): SQLite's WAL is checkpointed off the refreshes' path. `stop_checkpoints` at exit."""
    return make_engine(settings, checkpoint_in_background=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for a unit of work outside a request: commit on success, roll back on error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def read_rows(session: Session, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Plain tuples of a read through the driver's own cursor: no statement compile and no
    result objects (a refresh reads thousands of rows). On PostgreSQL the rows come in
    binary, so numbers are not parsed from text: a third of the time for an investor list.
    `params` fill the driver's own markers (`?` on SQLite, `%s` on PostgreSQL); anything
    else in `sql` is inlined by callers, integers only."""
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    binary = {"binary": True} if connection.dialect.name == "postgresql" else {}
    cursor = driver.cursor(**binary)
    try:
        if params:
            cursor.execute(sql, params)
        else:
            cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def param_mark(session: Session) -> str:
    """The driver's own parameter marker, for SQL run through `read_rows` or its cursor."""
    return "%s" if session.connection().dialect.name == "postgresql" else "?"


def among(session: Session, column: str, ids: Collection[int]) -> tuple[str, tuple[Any, ...]]:
    """`column` is one of these ids, as SQL for `read_rows` and its parameters. On PostgreSQL
    the ids go as one array: the statement's text is then the same whatever the ids, so psycopg
    prepares it once and the server does not parse it again (parsing and planning were about a
    quarter of a venture change's server time). On SQLite, in process, the integers are
    inlined."""
    wanted = sorted(int(i) for i in ids)
    if session.connection().dialect.name == "postgresql":
        return f"{column} = ANY(%s::bigint[])", (wanted,)
    return f"{column} IN ({', '.join(map(str, wanted))})", ()  # integers only: safe to inline


def driver_stamp(dialect: str, at: datetime) -> Any:
    """A timestamp as a bind value for the driver's own cursor (`read_rows`, the bulk
    writers), stored and compared as SQLAlchemy's DateTime stores it."""
    if dialect == "postgresql":
        return at
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
