"""`make run`'s program, started for real: it serves, reports healthy, and Ctrl-C leaves nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from webapp.embedded_redis import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


def _environment(instance: Path, port: int) -> dict[str, str]:
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


def _health(port: int) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_stack_serves_reports_healthy_and_stops_everything_on_ctrl_c(tmp_path, db):
    port = free_port()  # `db` empties the suite's database and Redis, which the stack may use
    log = (tmp_path / "stack.log").open("w")
    stack = subprocess.Popen(
        [sys.executable, "-m", "webapp.stack", "--workers", "1", "--web-workers", "2"],
        cwd=ROOT,
        env=_environment(tmp_path / "instance", port),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        health, output = None, ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and stack.poll() is None:
            health = _health(port)
            output = (tmp_path / "stack.log").read_text()
            if health and health["workers"] and "Press Ctrl-C" in output:
                break
            time.sleep(0.5)
        assert health is not None, output[-3000:]
        assert health == {**health, "db": "ok", "broker": "ok", "status": "ok"}, output[-3000:]
        assert health["workers"] >= 1
        assert health["model_version"], "make run trains and promotes the first model"
        assert f"venturematch is running at http://127.0.0.1:{port}" in output
        assert "founder@demo.venturematch.example" in output
        embedded_redis_log = tmp_path / "instance" / "redis" / "redis.log"
        if os.environ.get("TEST_REDIS_URL"):
            assert f"broker:   {os.environ['TEST_REDIS_URL']}" in output
            assert not embedded_redis_log.exists()
        else:
            assert embedded_redis_log.exists(), "make run starts its own Redis"

        children = _descendants(stack.pid)
        assert len(children) >= 5  # redis, worker (+ pool), beat, gunicorn (+ workers)
        started = time.monotonic()
        stack.send_signal(signal.SIGINT)
        stack.wait(timeout=15)
        stopped_after = time.monotonic() - started
        tail = (tmp_path / "stack.log").read_text()[-2000:]
        assert stopped_after < 10, f"took {stopped_after:.1f} s to stop\n{tail}"
        _gone, alive = psutil.wait_procs(children, timeout=2)
        assert alive == [], f"left running: {[p.pid for p in alive]}\n{tail}"
        assert stack.returncode == 0, tail
    finally:
        if stack.poll() is None:
            for child in _descendants(stack.pid):
                child.kill()
            stack.kill()
            stack.wait()
        log.close()


def test_a_bad_setting_stops_make_run_with_one_line(tmp_path):
    env = _environment(tmp_path, free_port())
    env["DATABASE_URL"] = "nonsense"
    result = subprocess.run(
        [sys.executable, "-m", "webapp.stack"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "venturematch: configuration error: DATABASE_URL='nonsense': not a database URL; "
        "expected a database URL such as sqlite:///instance/venturematch.db or "
        "postgresql://user:password@host:5432/dbname"
    ]
