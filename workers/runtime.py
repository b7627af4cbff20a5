"""Per-process resources of a worker: settings, tuning, database engine and a Redis client.

Created lazily in the process that uses them (pool children are forked without any), and
recreated if the process id changes, so a forked child never shares a parent's connections.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import timedelta

import redis
from celery import Celery
from sqlalchemy import Engine
from sqlmodel import Session

from webapp.config import Settings
from webapp.db import make_worker_engine, stop_checkpoints
from webapp.models import utcnow
from webapp.services.outbox import links, outbox
from webapp.services.outbox.relay import install_outbox_waker
from workers.claims import Claims
from workers.tuning import WorkerTuning


class Runtime:
    """What one process needs to run tasks; one per (app, process id)."""

    def __init__(self, settings: Settings, tuning: WorkerTuning) -> None:
        self.settings = settings
        self.tuning = tuning
        self.pid = os.getpid()
        # Checkpoints off the tasks' path: a refresh's latency is what users wait for.
        self.engine: Engine = make_worker_engine(settings)
        self.redis = redis.Redis.from_url(
            settings.redis_url or "redis://127.0.0.1:6379/0",
            socket_timeout=5,
            socket_connect_timeout=2,
            health_check_interval=30,
        )
        self.claims = Claims(self.redis, tuning.task_lease_s, on_beat=self.hold_events)
        # Emails and events that tasks write wake the relay as the web's commits do.
        install_outbox_waker(settings.redis_url)
        links.configure(settings.site_url)  # absolute links in the emails tasks render

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one unit of work; rolled back and closed whatever happens."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()

    def hold_events(self, event_ids: Collection[int]) -> None:
        """Keep the relay from handing out these events again for a lease (they are running)."""
        until = utcnow() + timedelta(seconds=self.tuning.task_lease_s)
        with self.session() as session:
            outbox.hold_until(session=session, event_ids=event_ids, until=until)

    def close(self) -> None:
        """Release the engine's connections, its checkpoint thread and the Redis client."""
        stop_checkpoints(self.engine)
        self.engine.dispose()
        self.redis.close()


_lock = threading.Lock()
_runtimes: dict[int, Runtime] = {}


def runtime(app: Celery) -> Runtime:
    """This process's runtime for the app (made on first use, again after a fork)."""
    key = id(app)
    with _lock:
        current = _runtimes.get(key)
        if current is not None and current.pid == os.getpid():
            return current
        if current is not None:  # inherited through fork: drop it without closing the parent's
            current.engine.dispose(close=False)
        settings: Settings = app.conf["venturematch_settings"]
        tuning: WorkerTuning = app.conf["venturematch_tuning"]
        current = Runtime(settings, tuning)
        _runtimes[key] = current
        return current
