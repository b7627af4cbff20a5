"""Date arithmetic the reports need, spelt for both SQLite and PostgreSQL.

The two dialects share window functions and GROUP BY but not date functions, so each construct
here compiles to the right SQL for the bound database.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

Grain = Literal["quarter", "month"]


class days_between(FunctionElement[float]):
    """Days (fractional) from the first timestamp to the second."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


class quarter_key(FunctionElement[str]):
    """`2025-Q3` for a UTC timestamp."""

    type = String()
    name = "quarter_key"
    inherit_cache = True


@compiles(quarter_key, "sqlite")
def _quarter_sqlite(element: quarter_key, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return (
        f"(strftime('%Y', {value}) || '-Q' || ((CAST(strftime('%m', {value}) AS INTEGER) + 2) / 3))"
    )


@compiles(quarter_key, "postgresql")
def _quarter_postgresql(element: quarter_key, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"to_char(({value}) AT TIME ZONE 'UTC', 'YYYY-\"Q\"Q')"


class month_key(FunctionElement[str]):
    """`2025-07` for a UTC timestamp."""

    type = String()
    name = "month_key"
    inherit_cache = True


@compiles(month_key, "sqlite")
def _month_sqlite(element: month_key, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(next(iter(element.clauses)), **kw)})"


@compiles(month_key, "postgresql")
def _month_postgresql(element: month_key, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"to_char(({value}) AT TIME ZONE 'UTC', 'YYYY-MM')"


def period_key(column: Any, grain: Grain) -> FunctionElement[str]:
    """The quarter or month label of a timestamp column, computed by the database."""
    return quarter_key(column) if grain == "quarter" else month_key(column)


class unix_days(FunctionElement[float]):
    """Days since 1970-01-01 UTC as a float: cheap to fetch, and differences are day counts."""

    type = Float()
    name = "unix_days"
    inherit_cache = True


@compiles(unix_days, "sqlite")
def _unix_days_sqlite(element: unix_days, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(julianday({compiler.process(next(iter(element.clauses)), **kw)}) - 2440587.5)"


@compiles(unix_days, "postgresql")
def _unix_days_postgresql(element: unix_days, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"(CAST(EXTRACT(EPOCH FROM {value}) AS DOUBLE PRECISION) / 86400.0)"
