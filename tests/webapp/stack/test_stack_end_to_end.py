"""`make run`'s program, started for real: it serves, reports healthy, and Ctrl-C leaves nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.live_stack import ROOT, descendants, stack_environment
from tests.live_stack import health as stack_health
from webapp.embedded_redis import free_port

pytestmark = pytest.mark.slow


def test_stack_serves_reports_healthy_and_stops_everything_on_ctrl_c(tmp_path, db):
    port = free_port()  # `db` empties the suite's database and Redis, which the stack may use
    env = stack_environment(tmp_path / "instance", port)
    env["WEB_CONCURRENCY"] = "1"  # the default is one per core plus one: never 1
    log = (tmp_path / "stack.log").open("w")
    stack = subprocess.Popen(
        [sys.executable, "-m", "webapp.stack", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        health, output = None, ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and stack.poll() is None:
            health = stack_health(port)
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

        children = descendants(stack.pid)
        assert len(children) >= 4  # redis, worker (+ pool), beat, gunicorn (+ its worker)
        [gunicorn] = [p for p in psutil.Process(stack.pid).children() if "gunicorn" in p.cmdline()]
        assert len(gunicorn.children()) == 1  # WEB_CONCURRENCY web workers
        started = time.monotonic()
        stack.send_signal(signal.SIGINT)
        stack.wait(timeout=15)
        stopped_after = time.monotonic() - started
        tail = (tmp_path / "stack.log").read_text()[-2000:]
        assert stopped_after < 10, f"took {stopped_after:.1f} s to stop\n{tail}"
        assert "had to kill" not in tail, tail  # the worker's soft shutdown fits the deadline
        _gone, alive = psutil.wait_procs(children, timeout=2)
        assert alive == [], f"left running: {[p.pid for p in alive]}\n{tail}"
        assert stack.returncode == 0, tail
    finally:
        if stack.poll() is None:
            for child in descendants(stack.pid):
                child.kill()
            stack.kill()
            stack.wait()
        log.close()


def test_a_bad_setting_stops_make_run_with_one_line(tmp_path):
    env = stack_environment(tmp_path, free_port())
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
