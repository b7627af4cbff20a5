"""Worker engines checkpoint SQLite's write-ahead log from a thread, not inside their commits."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, text

from webapp.config import load_settings
from webapp.db import make_engine, make_worker_engine, stop_checkpoints
from webapp.wal_checkpoints import BACKSTOP_PAGES

PAGE = 4096
ROWS = 1_500  # ~1,500 pages of blobs: past SQLite's own mark of 1,000, below the backstop


def _engine(path: Path, background: bool) -> Engine:
    """A worker's engine (`make_worker_engine`), or the default one everything else uses."""
    settings = load_settings({"DATABASE_URL": f"sqlite:///{path}"})
    return make_worker_engine(settings) if background else make_engine(settings)


def _write_pages(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE blob (data BLOB)"))
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO blob VALUES (randomblob(:size))"),
            [{"size": PAGE}] * ROWS,
        )


def _wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_default_engine_checkpoints_inside_the_commit(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    engine = _engine(path, background=False)
    try:
        _write_pages(engine)
        # The commit itself copied the log into the database file.
        assert path.stat().st_size > ROWS * PAGE
    finally:
        engine.dispose()


def test_a_worker_engine_leaves_the_checkpoint_to_its_thread(tmp_path: Path) -> None:
    path = tmp_path / "worker.db"
    engine = _engine(path, background=True)
    try:
        with engine.connect() as connection:
            mark = connection.execute(text("PRAGMA wal_autocheckpoint")).scalar()
        assert mark == BACKSTOP_PAGES
        _write_pages(engine)
        # The thread's next pass (every second) copies the log into the database file.
        assert _wait_for(lambda: path.stat().st_size > ROWS * PAGE)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM blob")).scalar() == ROWS
    finally:
        stop_checkpoints(engine)
        engine.dispose()


def test_commits_of_a_worker_engine_do_not_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "stopped.db"
    engine = _engine(path, background=True)
    assert stop_checkpoints(engine)  # no thread: only the backstop would checkpoint now
    try:
        _write_pages(engine)
        time.sleep(0.2)
        assert path.stat().st_size < ROWS * PAGE
        wal = Path(f"{path}-wal")
        assert wal.stat().st_size > ROWS * PAGE  # the pages wait in the log
    finally:
        engine.dispose()


def test_stopping_twice_or_an_engine_without_a_thread_is_harmless(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "twice.db", background=True)
    assert stop_checkpoints(engine)
    assert not stop_checkpoints(engine)
    plain = _engine(tmp_path / "plain.db", background=False)
    assert not stop_checkpoints(plain)
    engine.dispose()
    plain.dispose()


def test_an_in_memory_database_gets_no_thread() -> None:
    settings = load_settings({"DATABASE_URL": "sqlite:///:memory:"})
    engine = make_worker_engine(settings)
    try:
        assert not stop_checkpoints(engine)
    finally:
        engine.dispose()
