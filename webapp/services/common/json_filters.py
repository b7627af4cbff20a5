"""Portable filters on JSON list columns (SQLite JSON, PostgreSQL JSONB)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB, array
from sqlmodel import Session


def dialect_name(session: Session) -> str:
    """`sqlite` or `postgresql`: a few statements differ between them."""
    return session.get_bind().dialect.name


def json_array_overlaps(dialect: str, column: Any, values: Collection[str]) -> ColumnElement[bool]:
    """True where the JSON list in `column` holds at least one of `values`.

    PostgreSQL uses JSONB's `?|` (which a GIN index can serve); SQLite has no containment
    operator, so it looks inside the list with a correlated `json_each`.
    """
    codes = sorted(values)
    if dialect == "postgresql":
        overlaps: ColumnElement[bool] = type_coerce(column, JSONB).has_any(array(codes))
        return overlaps
    each = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value.in_(codes)))
