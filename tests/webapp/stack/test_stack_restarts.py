"""`make run` with children dying under it: a worker or beat killed with SIGKILL (as the OOM
killer would) comes back while the web keeps serving; the embedded Redis dying stops it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.live_stack import ROOT, descendants, stack_environment
from webapp.embedded_redis import free_port

pytestmark = [pytest.mark.slow, pytest.mark.workers]


def _wait(condition, timeout: float, what: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n{log.read_text()[-4000:]}")


def _process(stack_pid: int, *words: str) -> psutil.Process | None:
    """The stack's child whose command line has all `words` (the leader of its group)."""
    for process in descendants(stack_pid):
        try:
            cmdline = " ".join(process.cmdline())
            if all(w in cmdline for w in words) and os.getpgid(process.pid) == process.pid:
                return process
        except (psutil.NoSuchProcess, ProcessLookupError):
            continue
    return None


class WebWatch:
    """Asks /healthz every 0.2 s from a thread; counts the answers that were not 200."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.ok = 0
        self.failed: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            try:
                url = f"http://127.0.0.1:{self.port}/healthz"
                with urllib.request.urlopen(url, timeout=5) as response:
                    self.ok += response.status == 200
            except OSError as exc:  # an HTTPError is one too
                self.failed.append(repr(exc))


def test_killed_worker_and_beat_come_back_while_the_web_serves_and_redis_loss_stops_it(
    tmp_path: Path, db: object
) -> None:
    port = free_port()
    log_path = tmp_path / "stack.log"
    log = log_path.open("w")
    env = stack_environment(tmp_path / "instance", port)
    stack = subprocess.Popen(
        [sys.executable, "-m", "webapp.stack", "--ventures", "30", "--investors", "10",
         "--web-workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    watch = WebWatch(port)
    try:
        _wait(lambda: "Press Ctrl-C" in log_path.read_text(), 180, "the stack to start", log_path)
        _wait(lambda: " ready." in log_path.read_text(), 60, "the worker to be ready", log_path)
        watch.thread.start()

        worker = _process(stack.pid, "celery", " worker ")
        assert worker is not None
        worker.send_signal(signal.SIGKILL)  # the main process only, as the OOM killer does
        _wait(lambda: "[stack] worker1 restarted" in log_path.read_text(), 30,
              "the worker's restart", log_path)  # fmt: skip
        text = log_path.read_text()
        assert "[stack] worker1 was killed by SIGKILL after" in text
        assert "restarting in 1 s (death 1 in a row; the stack gives up at 10)" in text

        # Its replacement loses its pool processes before it is ready: it must not matter.
        def replacement() -> psutil.Process | None:
            found = _process(stack.pid, "celery", " worker ")
            return found if found is not None and found.pid != worker.pid else None

        _wait(lambda: replacement() is not None, 30, "the replacement worker", log_path)
        new = replacement()
        assert new is not None
        _wait(lambda: bool(new.children()), 30, "the replacement's pool", log_path)
        for child in new.children():
            child.kill()
        _wait(lambda: log_path.read_text().count(" ready.") >= 2, 90,
              "a worker to be ready again", log_path)  # fmt: skip

        beat = _process(stack.pid, "celery", " beat ")
        assert beat is not None
        beat.send_signal(signal.SIGKILL)
        _wait(lambda: "[stack] beat restarted" in log_path.read_text(), 30,
              "beat's restart", log_path)  # fmt: skip
        assert stack.poll() is None, log_path.read_text()[-3000:]
        watch.stop.set()
        watch.thread.join()
        assert watch.ok > 0
        assert watch.failed == [], watch.failed[:3]

        if os.environ.get("TEST_REDIS_URL"):
            return  # the suite's own Redis: not the stack's to lose
        children = descendants(stack.pid)
        redis_server = next(p for p in children if "redis-server" in " ".join(p.cmdline()))
        redis_server.kill()
        stack.wait(timeout=30)
        tail = log_path.read_text()[-3000:]
        assert stack.returncode == 1, tail
        assert "[stack] stopping (the embedded Redis stopped; nothing works without it)" in tail
        _gone, alive = psutil.wait_procs(children, timeout=5)
        assert alive == [], f"left running: {[p.pid for p in alive]}\n{tail}"
    finally:
        watch.stop.set()
        if stack.poll() is None:
            stack.send_signal(signal.SIGINT)
            try:
                stack.wait(timeout=20)
            except subprocess.TimeoutExpired:
                for child in descendants(stack.pid):
                    child.kill()
                stack.kill()
                stack.wait()
        log.close()
