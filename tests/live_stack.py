"""`make run`'s program started for real, for tests and tools that need the whole platform.

`python -m webapp.stack` migrates, seeds the demo data, trains the first model and then runs
gunicorn, a Celery worker and beat on Redis; this module starts it on a free port, waits until
it is healthy and stops it (and every child) afterwards. The database and Redis are the suite's
(TEST_DATABASE_URL, TEST_REDIS_URL) when set, otherwise the stack's own SQLite and embedded Redis.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from webapp.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 240.0


def stack_environment(instance: Path, port: int) -> dict[str, str]:
    """The stack's own SQLite and embedded Redis, or the suite's TEST_* services when set.

    In CI's second pass that exercises `make run` with DATABASE_URL and REDIS_URL given.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(INSTANCE_DIR=str(instance), PORT=str(port), WEB_CONCURRENCY="2")
    if os.environ.get("TEST_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    if os.environ.get("TEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    return env


def health(port: int) -> dict[str, Any] | None:
    """The stack's /healthz body, or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            found: dict[str, Any] = json.loads(response.read())
            return found
    except OSError:
        return None


def descendants(pid: int) -> list[psutil.Process]:
    """Every process the stack started (Redis, gunicorn and its workers, Celery and its pool)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@dataclass
class LiveStack:
    """A running stack: where it answers and where its output goes."""

    url: str
    port: int
    instance: Path
    log: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        """Everything the stack and its children printed so far."""
        return self.log.read_text(errors="replace")


@contextmanager
def live_stack(
    instance: Path,
    *,
    ventures: int = 60,
    investors: int = 30,
    web_workers: int = 2,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[LiveStack]:
    """Start `python -m webapp.stack`, yield once healthy with a worker, stop it all after."""
    port = port or free_port()
    instance.mkdir(parents=True, exist_ok=True)
    log_path = instance / "stack.log"
    environment = stack_environment(instance, port) | dict(env or {})
    argv = [sys.executable, "-m", "webapp.stack", "--workers", "1"]
    argv += ["--web-workers", str(web_workers)]
    argv += ["--ventures", str(ventures), "--investors", str(investors)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        stack = LiveStack(f"http://127.0.0.1:{port}", port, instance, log_path, process)
        try:
            _wait_until_healthy(stack)
            yield stack
        finally:
            _stop(process)


def _wait_until_healthy(stack: LiveStack) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline and stack.process.poll() is None:
        found = health(stack.port)
        if found and found.get("workers") and "Press Ctrl-C" in stack.output():
            return
        time.sleep(0.5)
    raise RuntimeError(f"the stack did not become healthy:\n{stack.output()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    children = descendants(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    _gone, alive = psutil.wait_procs(children, timeout=5)
    for child in alive:
        child.kill()
