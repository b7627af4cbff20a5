"""What a worker's main process does besides consuming: a heartbeat for /healthz and the
outbox relay (woken by the web's after-commit signal, and sweeping every few seconds).

Both run in daemon threads started when the worker is ready and stopped at shutdown, when
the heartbeat key is deleted (a killed worker's key simply expires).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from typing import Any

import redis
from celery import Celery
from celery.signals import (
    task_postrun,
    worker_process_init,
    worker_ready,
    worker_shutting_down,
)
from sqlalchemy.exc import SQLAlchemyError

from webapp.services.common.health import WORKER_HEARTBEAT_PREFIX, WORKER_HEARTBEAT_TTL_S
from webapp.services.outbox.relay import wait_for_wake
from webapp.services.ranking.scoring import warm
from webapp.services.ranking.scoring_cache import NoInvestors
from workers.dispatch import relay_due
from workers.frozen_state import refreeze_if_replaced
from workers.runtime import runtime

log = logging.getLogger(__name__)
RELAY_BATCH = 200


class Background:
    """The heartbeat and relay threads of one worker process."""

    def __init__(self, app: Celery, hostname: str) -> None:
        self.app = app
        self.hostname = hostname
        self.key = f"{WORKER_HEARTBEAT_PREFIX}{hostname}"
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._heartbeat, name="vm-heartbeat", daemon=True),
            threading.Thread(target=self._relay, name="vm-relay", daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def shutdown(self) -> None:
        self.stop.set()
        with contextlib.suppress(redis.RedisError):  # else the key expires on its own
            runtime(self.app).redis.delete(self.key)

    def _heartbeat(self) -> None:
        client = runtime(self.app).redis
        interval = runtime(self.app).tuning.heartbeat_interval_s
        while not self.stop.is_set():
            try:
                client.set(self.key, self.hostname, ex=heartbeat_ttl(interval))
            except redis.RedisError as exc:
                log.warning("heartbeat not written: %s", exc)
            self.stop.wait(interval)

    def _relay(self) -> None:
        rt = runtime(self.app)
        settings = rt.settings
        listener = redis.Redis.from_url(
            settings.redis_url or "redis://127.0.0.1:6379/0",
            socket_timeout=rt.tuning.sweep_interval_s + 5,
            socket_connect_timeout=2,
        )
        while not self.stop.is_set():
            try:
                wait_for_wake(listener, rt.tuning.sweep_interval_s)
            except redis.RedisError as exc:
                log.warning("relay wake-up channel unavailable (%s); sweeping", exc)
                self.stop.wait(1.0)
            if self.stop.is_set():
                break
            try:
                with rt.session() as session:
                    relay_due(self.app, session, batch=RELAY_BATCH)
            except SQLAlchemyError as exc:
                log.warning("relay pass failed (%s); next pass soon", exc)
                self.stop.wait(1.0)
        listener.close()


_background: dict[str, Background] = {}


def install(app: Celery) -> None:
    """Connect the signals that start and stop the background threads."""

    def _ready(sender: Any = None, **_: Any) -> None:
        background = Background(app, getattr(sender, "hostname", None) or "worker")
        _background[background.hostname] = background
        background.start()

    def _stopping(**_: Any) -> None:
        for background in _background.values():
            background.shutdown()

    def _warm(**_: Any) -> None:
        threading.Thread(target=_warm_scoring, args=(app,), name="vm-warm", daemon=True).start()

    def _after_task(**_: Any) -> None:
        refreeze_if_replaced()  # a task that replaced the scoring context: freeze the new one

    worker_ready.connect(_ready, weak=False)
    worker_shutting_down.connect(_stopping, weak=False)
    worker_process_init.connect(_warm, weak=False)
    task_postrun.connect(_after_task, weak=False)


def heartbeat_ttl(interval_s: float) -> int:
    """How long a heartbeat key lives: its usual 30 s, or three beats when they are slower, so
    that /healthz never sees a live worker's key lapse between two beats."""
    return max(WORKER_HEARTBEAT_TTL_S, math.ceil(3 * interval_s))


def _warm_scoring(app: Celery) -> None:
    """Load the model, investor pool and venture keys before the first refresh needs them."""
    started = time.monotonic()
    rt = runtime(app)
    try:
        with rt.session() as session:
            warm(session=session, settings=rt.settings)
        log.info("scoring cache warm in %.1f s", time.monotonic() - started)
        refreeze_if_replaced()
    except (NoInvestors, SQLAlchemyError) as exc:
        log.info("scoring cache not warmed: %s", exc)
