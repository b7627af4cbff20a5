"""Alembic environment: the metadata comes from our SQLModel tables, the URL from settings."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine

import webapp.models
from webapp.config import load_settings_or_exit
from webapp.db import make_engine

target_metadata = webapp.models.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_sqlite(connection: Connection) -> None:
    """Migrate with foreign keys off, then check them and switch them back on.

    Batch mode alters a SQLite table by copying it and dropping the original; with foreign keys
    on, that DROP deletes every row referencing the table through ON DELETE CASCADE (a deal's
    events, say). SQLite ignores the pragma inside a transaction, so it is set on the raw
    connection before SQLAlchemy begins one.
    """
    driver: Any = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        _run(connection)
        connection.commit()
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def run_online() -> None:
    """Run migrations on the engine handed over by the caller, or one built from settings."""
    handed_over = context.config.attributes.get("connection")
    if isinstance(handed_over, Connection):
        _run(handed_over)
        return
    engine = context.config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = make_engine(load_settings_or_exit())
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            _run_sqlite(connection)
            return
        _run(connection)
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("venturematch migrations run online only (flask --app webapp db upgrade)")
run_online()
