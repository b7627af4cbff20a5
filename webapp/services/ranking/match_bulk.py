"""Writing every Match row of a full refresh, at the speed of the database driver.

`rows` is a dict of equal-length numpy columns (`venture_id`, `investor_id`, `score`,
`venture_rank`, `investor_rank` with −1 for none, `reasons` as JSON text from
`matching.reasons.pair_reasons`, or KEEP where the caller did not word the pair because the
stored row holds the same score from the same model). Everything runs in the caller's
transaction.

When most rows are unchanged (the nightly case) only the difference is updated, inserted and
deleted; otherwise the table is emptied and bulk-inserted (COPY on PostgreSQL; one prepared
executemany in key order, rank indexes rebuilt afterwards, on SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session

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
    connection = session.connection()
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    sql = (
        "SELECT venture_id, investor_id, score FROM match "  # noqa: S608 - fixed names
        f"WHERE venture_id BETWEEN {mark} AND {mark} AND model_version = {mark}"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, (min(venture_ids), max(venture_ids), model_version))
        table = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 3)
    finally:
        cursor.close()
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


def insert_rows(
    *, session: Session, rows: dict[str, Any], model_version: str, computed_at: datetime
) -> int:
    """Insert every row in the caller's transaction; returns the number inserted."""
    connection = session.connection()
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    names = ", ".join(COLUMNS)
    if dialect.name == "postgresql":
        cursor = driver.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY match ({names}) FROM STDIN") as copy:
            for item in _tuples(rows, model_version, computed_at):
                copy.write_row(item)
        return len(rows["venture_id"])
    # SQLite: the text SQLAlchemy's DateTime writes, rows in unique-key order (the unique index
    # then grows at its end), and the two rank indexes rebuilt once instead of row by row.
    stamp = _stamp("sqlite", computed_at)
    order = np.lexsort((rows["investor_id"], rows["venture_id"]))
    indexes = [index for index in Match.__table__.indexes if not index.unique]  # type: ignore[attr-defined]
    for index in indexes:
        index.drop(connection)
    marks = ", ".join("?" for _ in COLUMNS)
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(
            f"INSERT INTO match ({names}) VALUES ({marks})",  # noqa: S608 - fixed column names
            _tuples(rows, model_version, stamp, order),
        )
    finally:
        cursor.close()
    for index in indexes:
        index.create(connection)
    return len(rows["venture_id"])


def clear_rows(*, session: Session) -> None:
    """Delete every Match row in the caller's transaction (before a full rewrite)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # Without its secondary indexes SQLite empties the table in one step.
        indexes = [index for index in Match.__table__.indexes if not index.unique]  # type: ignore[attr-defined]
        for index in indexes:
            index.drop(connection)
        connection.exec_driver_sql("DELETE FROM match")
        for index in indexes:
            index.create(connection)
        return
    connection.exec_driver_sql("DELETE FROM match")


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
    connection = session.connection()
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    sql = (
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN model_version = "  # noqa: S608 - no input
        f"{mark} THEN 1 ELSE 0 END), 0) FROM match"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, (model_version,))
        total, same = cursor.fetchone()
    finally:
        cursor.close()
    return int(total), int(same)


def _fill_reasons(rows: dict[str, Any], mask: Any, reasons_for: ReasonsFor) -> None:
    """Word the rows about to be written that the caller left as KEEP."""
    at = np.flatnonzero(mask & (rows["reasons"] == KEEP))
    if len(at):
        rows["reasons"][at] = reasons_for(rows["venture_id"][at], rows["investor_id"][at])


def _rewrite(
    session: Session, rows: dict[str, Any], model_version: str, computed_at: datetime,
    reasons_for: ReasonsFor, stored: int,
) -> WriteStats:  # fmt: skip
    _fill_reasons(rows, True, reasons_for)
    if stored:
        clear_rows(session=session)
    insert_rows(session=session, rows=rows, model_version=model_version, computed_at=computed_at)
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
    KEEP reasons are worded by `reasons_for` first."""
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
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(gone), 1000):
            part = gone[start : start + 1000].tolist()
            cursor.execute(
                f"DELETE FROM match WHERE id IN ({', '.join(mark for _ in part)})",  # noqa: S608
                part,
            )
        stamp = _stamp(connection.dialect.name, computed_at)
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


def _stamp(dialect: str, computed_at: datetime) -> Any:
    """The timestamp as a bind value the driver stores like SQLAlchemy's DateTime does."""
    if dialect == "postgresql":
        return computed_at
    return computed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
