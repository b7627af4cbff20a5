"""SQLite WAL checkpoints in a background thread, for processes whose commits are latency-bound.

By default SQLite checkpoints inside whichever commit takes the write-ahead log past 1,000
pages: that commit copies the log into the database file and syncs it, ~30 ms where a commit
takes ~1 ms (one venture refresh in eight paid it: measured in bench/RESULTS.md). A worker
process instead checkpoints from this thread, off its tasks' path, every `interval_s`. Its
connections keep automatic checkpoints at a much higher mark (`BACKSTOP_PAGES`), so the log
stays bounded even if this thread fell behind or stopped.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

INTERVAL_S = 1.0
BACKSTOP_PAGES = 10_000  # ~40 MB of log: commits checkpoint themselves only past this
BUSY_TIMEOUT_MS = 1_000


class WalCheckpointer:
    """One daemon thread running passive checkpoints on its own connection to `database`.

    Passive checkpoints never wait for readers or writers: they copy what they can, and the
    next pass copies the rest."""

    def __init__(self, database: str, interval_s: float = INTERVAL_S) -> None:
        self.database = database
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vm-wal-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        while not self._stop.wait(self.interval_s):
            try:
                if connection is None:
                    connection = sqlite3.connect(
                        self.database, isolation_level=None, check_same_thread=False
                    )
                    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:  # a locked or vanished file: try again next pass
                log.warning("background WAL checkpoint failed: %s", exc)
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()
