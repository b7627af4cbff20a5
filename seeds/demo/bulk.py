"""Chunked bulk reads and inserts through SQLAlchemy core, fast on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, insert, select
from sqlmodel import Session

T = TypeVar("T")
CHUNK = 900  # rows per INSERT, and values per IN (...): under SQLite's old 999-variable limit


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup(
    session: Session, columns: Sequence[Any], key: Any, values: Iterable[Any]
) -> list[tuple[Any, ...]]:
    """Rows of `columns` (model attributes) whose `key` is one of `values`, a chunk at a time.

    Model attributes are typed as plain values by SQLModel, hence `Any` here.
    """
    found: list[tuple[Any, ...]] = []
    for part in chunks(sorted(set(values))):
        found.extend(tuple(row) for row in session.execute(select(*columns).where(key.in_(part))))
    return found


def insert_all(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    advance: Callable[[int], object] | None = None,
) -> int:
    """Insert `rows` in chunks (executemany); report progress after each chunk."""
    for part in chunks(rows):
        session.execute(insert(table), list(part))
        if advance is not None:
            advance(len(part))
    return len(rows)
