"""Alembic environment: the metadata comes from our SQLModel tables, the URL from settings."""

from __future__ import annotations

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
        _run(connection)
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("venturematch migrations run online only (flask --app webapp db upgrade)")
run_online()
