"""Writing every Match row of a full refresh, at the speed of the database driver.

`rows` is a dict of equal-length numpy columns (`venture_id`, `investor_id`, `score`,
`venture_rank`, `investor_rank` with −1 for none, `reasons` as JSON text from
`matching.reasons.pair_reasons`, or KEEP where the caller did not word the pair because the
stored row holds the same score from the same model). Everything runs in the caller's
transaction.

When most rows are unchanged (the nightly case) only the difference is updated, inserted and
deleted; otherwise every row is rewritten (on PostgreSQL COPY into a fresh table swapped in;
on SQLite one prepared executemany in key order, rank indexes rebuilt afterwards).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from psycopg.errors import LockNotAvailable
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from webapp.db import driver_stamp, param_mark
from webapp.models import Match

COLUMNS = (
    "venture_id", "investor_id", "score", "venture_rank", "investor_rank", "reasons",
    "model_version", "computed_at",
)  # fmt: skip


BATCH = 50_000  # rows turned into Python tuples at a time (6M rows at once would be ~1 GB)
KEEP = ""  # in `reasons`: not worded; the stored row's reasons still hold
I64 = npt.NDArray[np.int64]
ReasonsFor = Callable[[I64, I64], npt.NDArray[np.object_]]  # (ventures, investors) → JSON texts


@dataclass(frozen=True)
class StoredScores:
    """Stored (pair key, score) of one model's rows, sorted by key."""

    keys: I64
    scores: npt.NDArray[np.float64]

    def holds(self, ventures: I64, investors: I64, scores: npt.NDArray[np.float64]) -> Any:
        """Which of these pairs are stored with exactly these scores (their reasons hold)."""
        key = (ventures.astype(np.int64) << 32) | investors.astype(np.int64)
        if len(self.keys) == 0:
            return np.zeros(len(key), dtype=bool)
        at = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        return (self.keys[at] == key) & (self.scores[at] == scores)


def stored_scores(
    *, session: Session, venture_ids: Collection[int], model_version: str
) -> StoredScores:
    """The stored scores of these ventures' rows written by this model (one range scan)."""
    if not venture_ids:
        return StoredScores(np.zeros(0, np.int64), np.zeros(0, np.float64))
    found = _fetch(
        session,
        "SELECT venture_id, investor_id, score FROM match "
        "WHERE venture_id BETWEEN ? AND ? AND model_version = ?",
        (min(venture_ids), max(venture_ids), model_version),
    )
    table = np.array(found, dtype=np.float64).reshape(-1, 3)
    key = (table[:, 0].astype(np.int64) << 32) | table[:, 1].astype(np.int64)
    order = np.argsort(key)
    return StoredScores(key[order], table[order, 2])


def _tuples(
    rows: dict[str, Any], model_version: str, stamp: Any, order: Any = None
) -> Iterator[tuple[Any, ...]]:
    """The rows (in `order`, if given) as driver tuples, a batch at a time while the driver
    consumes them: no second copy of every column is made."""
    for start in range(0, len(rows["venture_id"]), BATCH):
        pick = slice(start, start + BATCH) if order is None else order[start : start + BATCH]
        part = {name: values[pick] for name, values in rows.items()}
        reasons = [str(text) for text in part["reasons"].tolist()]
        yield from zip(
            part["venture_id"].tolist(),
            part["investor_id"].tolist(),
            part["score"].tolist(),
            _nullable(part["venture_rank"]),
            _nullable(part["investor_rank"]),
            reasons,
            [model_version] * len(reasons),
            [stamp] * len(reasons),
            strict=True,
        )


def _copy_rows(
    connection: Any, table: str, rows: dict[str, Any], version: str, at: Any, freeze: bool = False
) -> None:
    """PostgreSQL: every row through COPY. `freeze`, for a table created in this
    subtransaction: rows are written frozen and their pages marked all-visible, so the list
    reads are index-only scans from the first one (not after autovacuum has been by: until
    then a venture refresh's two list reads visited ~3,500 heap pages, ~10 ms)."""
    options = " (FREEZE)" if freeze else ""
    cursor = connection.connection.driver_connection.cursor()
    sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN{options}"
    with cursor, cursor.copy(sql) as copy:
        for item in _tuples(rows, version, at):
            copy.write_row(item)


def _swap_in(connection: Any, rows: dict[str, Any], model_version: str, computed_at: Any) -> None:
    """PostgreSQL: COPY into a fresh table, give it the live table's keys, indexes and
    constraints (read from the catalog, so a later migration's index comes along), then swap
    it in, all in the caller's transaction.

    Why not DELETE and COPY: every row then pays for three indexes and two foreign-key checks
    (about 3x slower); and TRUNCATE would block every list read for the whole rewrite. Here
    readers see the old lists until the commit and wait only for the swap itself. If a reader
    holds the table too long for the swap (SWAP_LOCK_TRIES short waits), the rewrite happens
    in place instead, which never blocks readers. Privileges granted on the table to other
    roles are not carried over (the app's role owns it).
    """
    run = connection.exec_driver_sql
    run("SAVEPOINT before_match_next")
    constraints = run(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'match'::regclass ORDER BY contype DESC, conname"
    ).all()  # p, u, f, c: keys first, then the foreign keys that need no index of their own
    indexes = run(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'match'::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
    ).all()
    run(
        "CREATE TABLE match_next (LIKE match INCLUDING DEFAULTS INCLUDING GENERATED "
        "INCLUDING IDENTITY INCLUDING STORAGE)"
    )
    _copy_rows(connection, "match_next", rows, model_version, computed_at, freeze=True)
    for name, definition in constraints:
        run(f'ALTER TABLE match_next ADD CONSTRAINT "{name}__next" {definition}')
    for name, definition in indexes:
        found = _INDEX_DEFINITION.fullmatch(definition)
        if found is None:
            raise RuntimeError(f"unexpected index definition: {definition}")
        run(f'{found["create"]} "{name}__next" ON match_next {found["rest"]}')
    if not _lock_for_swap(connection):
        run("ROLLBACK TO SAVEPOINT before_match_next")  # match_next goes
        run("DELETE FROM match")
        _copy_rows(connection, "match", rows, model_version, computed_at)
        return
    sequence = run("SELECT pg_get_serial_sequence('match', 'id')").scalar()
    if sequence:  # owned by match.id: it would go with the old table
        run(f"ALTER SEQUENCE {sequence} OWNED BY match_next.id")
    run("DROP TABLE match")
    run("ALTER TABLE match_next RENAME TO match")
    for name, _definition in constraints:
        run(f'ALTER TABLE match RENAME CONSTRAINT "{name}__next" TO "{name}"')
    for name, _definition in indexes:
        run(f'ALTER INDEX "{name}__next" RENAME TO "{name}"')
    # Plans for the list reads from the first query on; the columns they filter and sort on
    # (statistics of the reasons JSON would cost three times as long and serve no query).
    planned = "venture_id, investor_id, venture_rank, investor_rank, score, model_version"
    run(f"ANALYZE match ({planned})")


SWAP_LOCK_TRIES = 5
SWAP_LOCK_WAIT = "500ms"  # each try; queued behind the swap, list reads wait at most this long


def _lock_for_swap(connection: Any) -> bool:
    """Take the live table for the swap in short tries: a waiting exclusive lock queues every
    new reader behind it, so it must never wait long (a transaction left open elsewhere)."""
    run = connection.exec_driver_sql
    for attempt in range(SWAP_LOCK_TRIES):
        run("SAVEPOINT swap_lock")
        run(f"SET LOCAL lock_timeout = '{SWAP_LOCK_WAIT}'")
        try:
            run("LOCK TABLE match IN ACCESS EXCLUSIVE MODE")
        except OperationalError as exc:
            if not isinstance(exc.orig, LockNotAvailable):
                raise
            run("ROLLBACK TO SAVEPOINT swap_lock")
            time.sleep(0.2 * (attempt + 1))
            continue
        run("RELEASE SAVEPOINT swap_lock")
        run("SET LOCAL lock_timeout = 0")
        return True
    return False


_INDEX_DEFINITION = re.compile(
    r"(?P<create>CREATE (?:UNIQUE )?INDEX) \S+ ON (?:\S+\.)?match (?P<rest>USING .*)"
)


def _rank_indexes() -> list[Any]:
    return [index for index in Match.__table__.indexes if not index.unique]  # type: ignore[attr-defined]


# SQLite's page cache while the table is rewritten (KiB; the default is 2 MB): the unique
# index and the rank indexes' sorts then stay in memory (10,000 x 2,000: 10.5 -> 8.8 s).
REWRITE_CACHE_KIB = 65_536


def _insert_sqlite(connection: Any, rows: dict[str, Any], model_version: str, at: Any) -> None:
    """SQLite: the text SQLAlchemy's DateTime writes, rows in unique-key order (the unique
    index then grows at its end), the rank indexes rebuilt once instead of row by row, and a
    larger page cache for the rewrite only (the pooled connection gets its own back)."""
    order = np.lexsort((rows["investor_id"], rows["venture_id"]))
    indexes = _rank_indexes()
    marks = ", ".join("?" for _ in COLUMNS)
    cursor = connection.connection.driver_connection.cursor()
    (cache,) = cursor.execute("PRAGMA cache_size").fetchone()
    cursor.execute(f"PRAGMA cache_size = -{REWRITE_CACHE_KIB}")
    try:
        for index in indexes:
            index.drop(connection)
        # Without its secondary indexes SQLite empties the table in one step.
        cursor.execute("DELETE FROM match")
        cursor.executemany(
            f"INSERT INTO match ({', '.join(COLUMNS)}) VALUES ({marks})",  # noqa: S608
            _tuples(rows, model_version, driver_stamp("sqlite", at), order),
        )
        for index in indexes:
            index.create(connection)
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(cache)}")
        cursor.close()


def clear_rows(*, session: Session) -> None:
    """Delete every Match row in the caller's transaction (no active investor: no lists)."""
    session.connection().exec_driver_sql("DELETE FROM match")
    session.connection().exec_driver_sql("DELETE FROM list_floor")


# Every investor list's floor (`ListFloor`) from the lists as stored: the member holding
# investor_rank = n in a list of n. Written after the rows of each full refresh, only where it
# moved (the nightly refresh, lists unchanged, writes none), floors of lists gone deleted.
_FLOORS_GONE = (
    "DELETE FROM list_floor WHERE investor_id NOT IN "
    "(SELECT investor_id FROM match WHERE investor_rank IS NOT NULL)"
)
# Floors upserted, a floor that stays not rewritten (no dead row version left behind for it);
# after a SELECT, which needs a WHERE of its own before ON CONFLICT on SQLite.
FLOOR_UPSERT = (
    "ON CONFLICT (investor_id) DO UPDATE SET venture_id = excluded.venture_id, "
    "score = excluded.score, size = excluded.size WHERE list_floor.venture_id <> "
    "excluded.venture_id OR list_floor.score <> excluded.score OR list_floor.size <> excluded.size"
)
_FLOORS = (
    "INSERT INTO list_floor (investor_id, venture_id, score, size) "  # noqa: S608
    "SELECT m.investor_id, m.venture_id, m.score, lists.size FROM "
    "(SELECT investor_id, COUNT(*) AS size FROM match WHERE investor_rank IS NOT NULL "
    "GROUP BY investor_id) AS lists "
    "JOIN match AS m ON m.investor_id = lists.investor_id AND m.investor_rank = lists.size "
    f"WHERE true {FLOOR_UPSERT}"
)


def _rebuild_floors(session: Session) -> None:
    run = session.connection().exec_driver_sql
    run(_FLOORS_GONE)
    run(_FLOORS)


REWRITE_SHARE = 0.4  # above this share of new or rescored rows, a bulk rewrite is faster


@dataclass(frozen=True)
class WriteStats:
    """How a full refresh changed the table."""

    inserted: int
    rescored: int
    reranked: int
    deleted: int
    unchanged: int
    rewrote: bool


def _existing(session: Session, model_version: str) -> dict[str, Any]:
    """Every stored row's key columns as arrays, read in batches through the driver's cursor
    with the ranks and "same model" packed into one number (no reasons: an unchanged score
    under the same model means unchanged reasons)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sql = (
            "SELECT id, (venture_id::bigint << 32) | investor_id, score, "
            "(COALESCE(venture_rank, 0)::bigint << 12) | (COALESCE(investor_rank, 0) << 1) "
            "| (CASE WHEN model_version = %s THEN 1 ELSE 0 END) FROM match"
        )
    else:
        sql = (
            "SELECT id, (venture_id << 32) | investor_id, score, "
            "(COALESCE(venture_rank, 0) << 12) | (COALESCE(investor_rank, 0) << 1) "
            "| COALESCE(model_version = ?, 0) FROM match"
        )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    batches: list[npt.NDArray[np.float64]] = []
    try:
        cursor.execute(sql, (model_version,))
        while batch := cursor.fetchmany(BATCH):
            # Every column fits a float64 exactly (keys < 2**46): one conversion per batch.
            batches.append(np.array(batch, dtype=np.float64))
    finally:
        cursor.close()
    values = np.vstack(batches) if batches else np.zeros((0, 4), np.float64)
    table = values[:, [0, 1, 3]].T.astype(np.int64)
    packed_all = table[2]
    ranks = ((packed_all >> 12), (packed_all >> 1) & ((1 << 11) - 1))
    return {
        "id": table[0],
        "key": table[1],
        "score": values[:, 2].copy(),
        "venture_rank": np.where(ranks[0] > 0, ranks[0], -1),
        "investor_rank": np.where(ranks[1] > 0, ranks[1], -1),
        "same_model": (packed_all & 1).astype(bool),
    }


def _counts(session: Session, model_version: str) -> tuple[int, int]:
    """(rows stored, rows stored by this model)."""
    sql = (
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN model_version = ? THEN 1 ELSE 0 END), 0) "
        "FROM match"
    )
    ((total, same),) = _fetch(session, sql, (model_version,))
    return int(total), int(same)


def _fetch(session: Session, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """Plain tuples through the driver's own cursor; `sql` marks parameters with `?`."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _fill_reasons(rows: dict[str, Any], mask: Any, reasons_for: ReasonsFor) -> None:
    """Word the rows about to be written that the caller left as KEEP."""
    at = np.flatnonzero(mask & (rows["reasons"] == KEEP))
    if len(at):
        rows["reasons"][at] = reasons_for(rows["venture_id"][at], rows["investor_id"][at])


def _rewrite(
    session: Session, rows: dict[str, Any], model_version: str, computed_at: datetime,
    reasons_for: ReasonsFor, stored: int,
) -> WriteStats:  # fmt: skip
    """Replace every row: no stored row is worth keeping (or too few are)."""
    _fill_reasons(rows, True, reasons_for)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _swap_in(connection, rows, model_version, computed_at)
    else:
        _insert_sqlite(connection, rows, model_version, computed_at)
    return WriteStats(len(rows["venture_id"]), 0, 0, stored, 0, True)


def replace_all(
    *,
    session: Session,
    rows: dict[str, Any],
    model_version: str,
    computed_at: datetime,
    reasons_for: ReasonsFor,
) -> WriteStats:
    """Make the table hold exactly `rows`, writing as little as it can; rows written with
    KEEP reasons are worded by `reasons_for` first. The lists' floors are written after."""
    written = _replace_rows(session, rows, model_version, computed_at, reasons_for)
    _rebuild_floors(session)
    return written


def _replace_rows(
    session: Session,
    rows: dict[str, Any],
    model_version: str,
    computed_at: datetime,
    reasons_for: ReasonsFor,
) -> WriteStats:
    stored, same_model = _counts(session, model_version)
    if same_model == 0:  # a new model (or an empty table): no stored row can be kept
        return _rewrite(session, rows, model_version, computed_at, reasons_for, stored)
    old = _existing(session, model_version)
    key = (rows["venture_id"].astype(np.int64) << 32) | rows["investor_id"].astype(np.int64)
    order = np.argsort(old["key"])
    matched = np.zeros(len(key), dtype=bool)
    where = np.zeros(len(key), dtype=np.int64)
    if len(order):
        sorted_keys = old["key"][order]
        pos = np.minimum(np.searchsorted(sorted_keys, key), len(order) - 1)
        matched = sorted_keys[pos] == key
        where = order[pos]
    same_score = matched & (old["score"][where] == rows["score"])
    same_score &= old["same_model"][where]
    same_rank = (old["venture_rank"][where] == rows["venture_rank"]) & (
        old["investor_rank"][where] == rows["investor_rank"]
    )
    rescore = matched & ~same_score
    rerank = same_score & ~same_rank
    new = ~matched
    if (new.sum() + rescore.sum()) > REWRITE_SHARE * max(len(key), 1):
        return _rewrite(session, rows, model_version, computed_at, reasons_for, len(old["id"]))
    _fill_reasons(rows, rescore | new, reasons_for)
    kept = np.zeros(len(old["id"]), dtype=bool)
    kept[where[matched]] = True
    gone = old["id"][~kept]
    connection = session.connection()
    mark = param_mark(session)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(gone), 1000):
            part = gone[start : start + 1000].tolist()
            cursor.execute(
                f"DELETE FROM match WHERE id IN ({', '.join(mark for _ in part)})",  # noqa: S608
                part,
            )
        stamp = driver_stamp(connection.dialect.name, computed_at)
        if rescore.any():
            picked = {name: values[rescore] for name, values in rows.items()}
            ids = old["id"][where[rescore]].tolist()
            cursor.executemany(
                f"UPDATE match SET score = {mark}, venture_rank = {mark}, investor_rank = {mark}, "  # noqa: S608
                f"reasons = {mark}, model_version = {mark}, computed_at = {mark} WHERE id = {mark}",
                [
                    (*t[2:], i)
                    for t, i in zip(_tuples(picked, model_version, stamp), ids, strict=True)
                ],
            )
        if rerank.any():
            ranks = zip(
                _nullable(rows["venture_rank"][rerank]),
                _nullable(rows["investor_rank"][rerank]),
                old["id"][where[rerank]].tolist(),
                strict=True,
            )
            cursor.executemany(
                f"UPDATE match SET venture_rank = {mark}, investor_rank = {mark} WHERE id = {mark}",  # noqa: S608
                list(ranks),
            )
        if new.any():
            picked = {name: values[new] for name, values in rows.items()}
            marks = ", ".join(mark for _ in COLUMNS)
            cursor.executemany(
                f"INSERT INTO match ({', '.join(COLUMNS)}) VALUES ({marks})",  # noqa: S608
                list(_tuples(picked, model_version, stamp)),
            )
    finally:
        cursor.close()
    unchanged = int((same_score & same_rank).sum())
    return WriteStats(
        int(new.sum()), int(rescore.sum()), int(rerank.sum()), len(gone), unchanged, False
    )


def _nullable(ranks: Any) -> list[int | None]:
    return [r if r > 0 else None for r in ranks.tolist()]
