"""The soft shutdown and the restore of a dead worker's messages, set through the environment
(`VENTUREMATCH_WORKER_SOFT_SHUTDOWN_S`, `VENTUREMATCH_WORKER_RESTORE_INTERVAL_S`), change what
real workers do.

Each test starts its own workers: they are stopped or killed on purpose. A refresh that the
test holds on the ranking lock is the running task: it finishes only once the test lets go.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session

from tests.workers.builders import market
from tests.workers.conftest import (
    TUNING,
    Worker,
    WorkerPool,
    wait_for,
    worker_env,
    worker_logs,
)
from webapp.config import Settings
from webapp.services.common.locks import take_write_lock
from workers.base import DELIVERY_KEY
from workers.claims import DONE_PREFIX
from workers.tuning import WorkerTuning

pytestmark = [pytest.mark.workers, pytest.mark.slow]

DEFAULTS = WorkerTuning()
REFRESH = "workers.tasks.scoring.refresh_venture"


@pytest.fixture
def logs() -> Iterator[Path]:
    with worker_logs() as directory:
        yield directory


@pytest.fixture
def venture_id(session: Session) -> int:
    """A venture in a small market: the one the refresh rescores."""
    (venture, *_), _, _ = market(random.Random(11), ventures=3, investors=2)
    assert venture.id is not None
    return venture.id


def _env(settings: Settings, redis_url: str, **tuning: str) -> dict[str, str]:
    env = worker_env(settings, redis_url, None)
    env.update({f"VENTUREMATCH_WORKER_{name.upper()}": value for name, value in tuning.items()})
    return env


def _start(client: redis.Redis, *workers: Worker) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.wait_ready(client)


@contextmanager
def _running_refresh(
    db: Engine, client: redis.Redis, redis_url: str, venture_id: int
) -> Iterator[None]:
    """A refresh taken by a worker and blocked on the ranking lock until the block ends."""
    with Session(db) as holder:
        take_write_lock(session=holder, name="ranking")
        WorkerPool([], client, redis_url).app_send(REFRESH, {"venture_id": venture_id})
        started = f"{DELIVERY_KEY}*"  # counted as delivered: the pool process has begun it
        wait_for(lambda: any(client.scan_iter(match=started)), 30, "the refresh to start")
        yield
        holder.rollback()


def _finished(client: redis.Redis) -> bool:
    """True when the refresh ran to its end (the claim's done marker, `workers.claims`)."""
    return any(client.scan_iter(match=f"{DONE_PREFIX}*"))


def _showing(workers: list[Worker]) -> str:
    return "\n".join(f"===== {w.name}\n{w.log()[-5000:]}" for w in workers)


def test_a_task_running_at_sigterm_finishes_within_the_configured_soft_shutdown(
    db: Engine, settings: Settings, redis_url: str, redis_client: redis.Redis,
    venture_id: int, logs: Path,
) -> None:  # fmt: skip
    hold_s = DEFAULTS.soft_shutdown_s + 3  # by default the task would be cancelled meanwhile
    worker = Worker("patient", _env(settings, redis_url, soft_shutdown_s="12"), logs)
    try:
        _start(redis_client, worker)
        with _running_refresh(db, redis_client, redis_url, venture_id):
            assert worker.process is not None
            os.killpg(worker.process.pid, signal.SIGTERM)  # as `make run` stops its workers
            time.sleep(hold_s)
            assert worker.alive(), "the worker must wait for its running task"
        worker.process.wait(60)
        assert _finished(redis_client), "the running refresh must finish before the worker stops"
        assert redis_client.hlen("unacked") == 0  # acknowledged: nothing comes back
        assert redis_client.llen("scoring") == 0
    except BaseException:
        print(_showing([worker]))
        raise
    finally:
        worker.kill()


def test_with_no_soft_shutdown_a_task_running_at_sigterm_is_put_back_on_the_queue(
    db: Engine, settings: Settings, redis_url: str, redis_client: redis.Redis,
    venture_id: int, logs: Path,
) -> None:  # fmt: skip
    """0 means no grace: the worker stops at once and the task goes back to the queue. (With
    the default it would end the same way seconds later; the test above tells the two apart.)"""
    assert DEFAULTS.soft_shutdown_s > 0
    worker = Worker("hasty", _env(settings, redis_url, soft_shutdown_s="0"), logs)
    try:
        _start(redis_client, worker)
        with _running_refresh(db, redis_client, redis_url, venture_id):
            assert worker.process is not None
            os.killpg(worker.process.pid, signal.SIGTERM)
            worker.process.wait(30)  # it stops while the refresh is still held on the lock
        assert not _finished(redis_client)
        assert redis_client.llen("scoring") == 1  # back on the queue for another worker
        assert redis_client.hlen("unacked") == 0
    except BaseException:
        print(_showing([worker]))
        raise
    finally:
        worker.kill()


def test_a_dead_workers_message_waits_for_the_configured_restore_interval(
    db: Engine, settings: Settings, redis_url: str, redis_client: redis.Redis,
    venture_id: int, logs: Path,
) -> None:  # fmt: skip
    """The restorer consumes another queue, so a restored refresh stays visible in `scoring`."""
    visibility_s = float(TUNING["VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S"])
    rare = _env(settings, redis_url, restore_interval_s="3600")
    victim = Worker("victim", rare, logs)
    restorer = Worker("rare-restorer", rare, logs, queues=("maintenance",))
    prompt = Worker("prompt-restorer", _env(settings, redis_url), logs, queues=("maintenance",))
    workers = [victim, restorer, prompt]
    try:
        _start(redis_client, victim, restorer)
        with _running_refresh(db, redis_client, redis_url, venture_id):
            taken_at = time.monotonic()
            victim.kill()  # its message stays in Redis's unacknowledged set
        # By default it would be restored within visibility + 10 s (+ a check's own time).
        quiet_until = taken_at + visibility_s + DEFAULTS.restore_interval_s + 6
        while time.monotonic() < quiet_until:
            assert redis_client.llen("scoring") == 0, "restored before the configured interval"
            assert redis_client.hlen("unacked") == 1
            time.sleep(0.5)
        # The message could be restored all along: a worker checking every second does it.
        prompt.start().wait_ready(redis_client)
        wait_for(lambda: redis_client.llen("scoring") == 1, 30, "the prompt restore")
        assert redis_client.hlen("unacked") == 0
        assert not _finished(redis_client)
    except BaseException:
        print(_showing(workers))
        raise
    finally:
        for worker in workers:
            worker.kill()
