"""Real worker processes, a real SMTP server and helpers to wait for the system to settle.

Workers are `celery -A workers worker` subprocesses (prefork, one pool process each) pointed at
the test database and Redis through their environment, exactly as `make run` starts them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session

from webapp.config import Settings
from webapp.embedded_redis import free_port
from webapp.models import Venture, utcnow
from webapp.services.common.health import WORKER_HEARTBEAT_PREFIX
from webapp.services.common.locks import take_write_lock
from webapp.services.outbox.relay import install_outbox_waker, owed_count
from webapp.services.ranking.scoring_cache import forget
from workers.base import DELIVERY_KEY

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
QUEUES = ("scoring", "notifications", "maintenance")

# Short timings so that redelivery and retries happen within a test's patience.
TUNING = {
    "VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S": "4",
    "VENTUREMATCH_WORKER_TASK_LEASE_S": "2",
    "VENTUREMATCH_WORKER_OUTBOX_LEASE_S": "10",
    "VENTUREMATCH_WORKER_RESTORE_INTERVAL_S": "1",
    "VENTUREMATCH_WORKER_RETRY_BACKOFF_MAX_S": "2",
    "VENTUREMATCH_WORKER_SOFT_SHUTDOWN_S": "1",
    "VENTUREMATCH_WORKER_SWEEP_INTERVAL_S": "1",
    "VENTUREMATCH_WORKER_HEARTBEAT_INTERVAL_S": "1",
    "VENTUREMATCH_WORKER_EMAIL_LEASE_S": "3",
    "VENTUREMATCH_WORKER_EMAIL_BACKOFF_BASE_S": "0.5",
    "VENTUREMATCH_WORKER_FULL_REFRESH_CHUNK": "25",
}


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


# -- SMTP ----------------------------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps what it receives and can hold a conversation at RCPT,
    or after it has the message and before it says so."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.hold = threading.Event()  # set: RCPT waits until `release` is set
        # set: the message is kept, and the reply to DATA waits until `release` is set
        self.hold_data = threading.Event()
        self.release = threading.Event()
        self.holding = threading.Event()  # set by the handler while it holds someone

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.hold.is_set():
            self.holding.set()
            await asyncio.to_thread(self.release.wait, 60)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        if self.hold_data.is_set():
            self.holding.set()
            await asyncio.to_thread(self.release.wait, 60)
        return "250 Message accepted for delivery"

    def received(self) -> list[Message]:
        with self.lock:
            return list(self.messages)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
        self.hold.clear()
        self.hold_data.clear()
        self.release.clear()
        self.holding.clear()


@dataclass
class SmtpServer:
    """A real SMTP server on a fixed loopback port that tests can take down and bring back."""

    port: int
    mailbox: Mailbox = field(default_factory=Mailbox)
    controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def up(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on a free port for the whole session."""
    server = SmtpServer(port=free_port())
    server.up()
    try:
        yield server
    finally:
        server.mailbox.release.set()
        server.down()


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Iterator[Mailbox]:
    """The SMTP server's mailbox, emptied before the test; the server is up."""
    smtp_server.up()
    smtp_server.mailbox.clear()
    yield smtp_server.mailbox
    smtp_server.mailbox.release.set()
    smtp_server.up()


# -- worker processes ------------------------------------------------------------------------------


class Worker:
    """One `celery -A workers worker` node: its main process and pool in their own group."""

    def __init__(
        self,
        name: str,
        env: dict[str, str],
        log_dir: Path,
        concurrency: int = 1,
        queues: tuple[str, ...] = QUEUES,
    ) -> None:
        self.name = name
        self.env = env
        self.concurrency = concurrency
        self.queues = queues
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def hostname(self) -> str:
        return f"{self.name}@test"

    def start(self) -> Worker:
        argv = [
            sys.executable, "-m", "celery", "-A", "workers", "worker",
            "-Q", ",".join(self.queues), "-c", str(self.concurrency), "-P", "prefork",
            "-n", self.hostname,
            "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "INFO",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                argv, env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self, client: redis.Redis) -> None:
        key = f"{WORKER_HEARTBEAT_PREFIX}{self.hostname}"
        wait_for(lambda: self.alive() and client.exists(key), START_TIMEOUT_S, f"{self.name} up")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole node (main process and pool) at once."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM (the soft shutdown, then a cold one), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def worker_env(settings: Settings, redis_url: str, smtp_url: str | None) -> dict[str, str]:
    """The environment `make run` would give a worker, pointed at the test stores."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTUREMATCH_WORKER_")}
    env.update(TUNING)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": redis_url,
            "INSTANCE_DIR": str(settings.instance_dir),
            "SECRET_KEY": settings.secret_key.get_secret_value(),
            "MATCH_TOP_K": str(settings.match_top_k),
            "PYTHONUNBUFFERED": "1",
            "REMAP_SIGTERM": "SIGQUIT",  # as `make run` and docker-compose give it
        }
    )
    env.pop("SMTP_URL", None)
    if smtp_url:
        env["SMTP_URL"] = smtp_url
    return env


@dataclass
class WorkerPool:
    """Worker nodes of one test module."""

    workers: list[Worker]
    client: redis.Redis
    redis_url: str

    def restart(self, worker: Worker) -> None:
        worker.start().wait_ready(self.client)

    def app_send(self, task: str, kwargs: dict[str, Any], task_id: str | None = None) -> None:
        """Queue a task the way the relay does, from this process."""
        from celery import Celery

        from workers.reliability import DIRECT

        queue = task.split(".")[2]
        app = Celery("test-producer", broker=self.redis_url)
        try:
            app.send_task(task, kwargs=kwargs, queue=queue, exchange=DIRECT, routing_key=queue,
                          task_id=task_id)  # fmt: skip
        finally:
            app.close()

    def logs(self) -> str:
        return "\n".join(f"===== {w.name}\n{w.log()[-6000:]}" for w in self.workers)

    @contextmanager
    def showing_logs(self) -> Iterator[None]:
        """Print the workers' logs when the block fails: a timeout's only clue."""
        try:
            yield
        except BaseException:
            print(self.logs())
            raise

    def wait_settled(self, engine: Engine, timeout: float = 60) -> None:
        """Wait until nothing is owed, queued or in flight (see `settled`)."""
        with self.showing_logs():
            wait_for(lambda: settled(engine, self.client), timeout, "the workers to finish")


def kill_mid_refresh(pool: WorkerPool, db: Engine, venture_id: int, change: dict[str, Any]) -> None:
    """Kill the pool's only worker while it refreshes the venture, then make the change.

    The test holds the ranking lock so the refresh starts and waits inside its transaction;
    its message stays unacknowledged in Redis, for a restarted worker to be given again.
    """
    with Session(db) as holder:
        take_write_lock(session=holder, name="ranking")
        pool.client.flushdb()  # nothing else queued: the message in flight is ours
        pool.app_send("workers.tasks.scoring.refresh_venture", {"venture_id": venture_id})
        wait_for(lambda: pool.client.hlen("unacked"), 20, "the refresh to be taken")
        # Counted as delivered: the pool process has begun the task (not just prefetched it).
        started = f"{DELIVERY_KEY}*"
        wait_for(lambda: any(pool.client.scan_iter(match=started)), 20, "the refresh to start")
        pool.workers[0].kill()
        venture = holder.get(Venture, venture_id)
        assert venture is not None
        for name, value in change.items():
            setattr(venture, name, value)
        venture.updated_at = utcnow()
        holder.add(venture)
        holder.commit()


@contextmanager
def worker_logs() -> Iterator[Path]:
    """A directory for worker logs; kept when VENTUREMATCH_KEEP_WORKER_LOGS is set."""
    directory = Path(tempfile.mkdtemp(prefix="vm-worker-logs-"))
    try:
        yield directory
    finally:
        if os.environ.get("VENTUREMATCH_KEEP_WORKER_LOGS"):
            print(f"worker logs kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


def start_pool(names: list[str], env: dict[str, str], log_dir: Path, redis_url: str) -> WorkerPool:
    client = redis.Redis.from_url(redis_url)
    workers = [Worker(name, env, log_dir).start() for name in names]
    pool = WorkerPool(workers, client, redis_url)
    try:
        for worker in workers:
            worker.wait_ready(client)
    except BaseException:
        stop_pool(pool)
        raise
    return pool


def stop_pool(pool: WorkerPool) -> None:
    for worker in pool.workers:
        worker.stop()
    pool.client.close()


@pytest.fixture(scope="module")
def pool_settings(settings: Settings) -> Settings:
    """The settings a module's workers run with (a module overrides this to change them)."""
    return settings


@pytest.fixture(scope="module")
def pool_redis_url(redis_url: str) -> str:
    """The Redis a module's workers use (a module with its own Redis overrides this)."""
    return redis_url


@pytest.fixture(scope="module")
def pool(
    request: pytest.FixtureRequest,
    pool_settings: Settings,
    pool_redis_url: str,
    smtp_server: SmtpServer,
    engine: Engine,
) -> Iterator[WorkerPool]:
    """The module's worker nodes, named by its `WORKERS`; they send mail to the test SMTP
    server unless the module sets `WORKERS_SEND_MAIL = False`, and `WORKER_TUNING` (a dict of
    `VENTUREMATCH_WORKER_*` variables) changes their timings and limits."""
    names = list(getattr(request.module, "WORKERS", ("worker",)))
    smtp_url = smtp_server.url if getattr(request.module, "WORKERS_SEND_MAIL", True) else None
    env = worker_env(pool_settings, pool_redis_url, smtp_url)
    env.update(getattr(request.module, "WORKER_TUNING", {}))
    with worker_logs() as logs:
        started = start_pool(names, env, logs, pool_redis_url)
        try:
            yield started
        finally:
            stop_pool(started)


# -- settling --------------------------------------------------------------------------------------


def settled(engine: Engine, client: redis.Redis, *, in_flight: bool = True) -> bool:
    """No work owed in the outbox, nothing in the queues or in flight (checked twice, apart).

    `in_flight=False` ignores Redis's unacknowledged messages: a killed worker's stay there
    until the visibility timeout, when their finished work is skipped.
    """

    def quiet() -> bool:
        with Session(engine) as session:
            if owed_count(session=session):
                return False
        if any(client.llen(q) for q in QUEUES):
            return False
        return not (in_flight and client.hlen("unacked"))

    if not quiet():
        return False
    time.sleep(0.5)
    return quiet()


@pytest.fixture(autouse=True)
def _fresh_scoring_cache() -> Iterator[None]:
    """The test process scores too (expected lists): start each test without cached state."""
    forget()
    yield
    forget()


@pytest.fixture
def waker(redis_url: str) -> None:
    """This process's commits wake the relay, as the web app's do."""
    install_outbox_waker(redis_url)
