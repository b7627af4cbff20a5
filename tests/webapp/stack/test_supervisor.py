"""The `make run` supervisor restarts what may die, and stops every child, and every child's
children, promptly when something required fails or on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from webapp.stack.supervisor import Child, Restart, Supervisor

# A child that ignores SIGTERM and forks a grandchild that does the same.
STUBBORN = """
import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.fork() == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(os.getpid(), flush=True)
time.sleep(600)
"""


def _pids_of_group(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(entry))
    return pids


def test_polite_children_stop_on_sigterm_without_being_killed():
    supervisor = Supervisor()
    child = supervisor.add(
        Child("sleeper", [sys.executable, "-c", "import time; time.sleep(600)"], os.environ)
    )
    pid = child.process.pid
    killed = supervisor.stop_all(deadline_s=5)
    assert killed == []
    assert _pids_of_group(pid) == []


def test_stubborn_children_and_grandchildren_are_killed_at_the_deadline():
    supervisor = Supervisor()
    child = supervisor.add(Child("stubborn", [sys.executable, "-c", STUBBORN], os.environ))
    pgid = child.process.pid
    deadline = time.monotonic() + 10
    while len(_pids_of_group(pgid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_pids_of_group(pgid)) == 2
    started = time.monotonic()
    killed = supervisor.stop_all(deadline_s=1)
    assert killed == ["stubborn"]
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while _pids_of_group(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _pids_of_group(pgid) == []


def test_a_dying_child_stops_the_supervisor_with_a_failure_code():
    supervisor = Supervisor()
    supervisor.add(Child("quitter", [sys.executable, "-c", "raise SystemExit(3)"], os.environ))
    assert supervisor.wait(poll_s=0.05) == 1
    assert supervisor.stop_reason == "quitter exited with code 3"
    supervisor.stop_all(deadline_s=1)


def _quick(**overrides: float) -> Restart:
    values = {"first_delay_s": 0.1, "max_delay_s": 0.4, "healthy_after_s": 30.0,
              "give_up_after": 3} | overrides  # fmt: skip
    return Restart(**values)  # type: ignore[arg-type]


def _until(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_restartable_child_comes_back_and_the_essential_one_keeps_running(capfd):
    supervisor = Supervisor()
    sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
    web = supervisor.add(Child("web", sleeper, os.environ))
    worker = supervisor.add(Child("worker1", sleeper, os.environ, restart=_quick()))
    first_pid = worker.process.pid
    os.kill(first_pid, signal.SIGKILL)  # as the OOM killer would
    try:
        assert _until(lambda: supervisor.check() is None and worker.running
                      and worker.process.pid != first_pid)  # fmt: skip
        assert web.running
        output = capfd.readouterr().out
        assert "[stack] worker1 was killed by SIGKILL after 0 s; restarting in 0 s" in output
        assert f"[stack] worker1 restarted (pid {worker.process.pid})" in output
    finally:
        supervisor.stop_all(deadline_s=2)


def test_a_child_that_keeps_dying_at_start_is_given_up_and_everything_stops():
    supervisor = Supervisor()
    supervisor.add(Child("sleeper", [sys.executable, "-c", "import time; time.sleep(600)"],
                         os.environ))  # fmt: skip
    crashing = [sys.executable, "-c", "raise SystemExit('Could not start worker processes')"]
    supervisor.add(Child("worker1", crashing, os.environ, restart=_quick()))
    try:
        assert supervisor.wait(poll_s=0.05) == 1
        assert supervisor.stop_reason == (
            "worker1 exited with code 1: death 3 in a row, each within 30 s of starting; "
            "giving up (see its output above)"
        )
    finally:
        supervisor.stop_all(deadline_s=2)


def test_a_required_service_that_stops_stops_everything():
    supervisor = Supervisor()
    service = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    supervisor.require("the embedded Redis", lambda: service.poll() is None)
    assert supervisor.check() is None
    service.kill()
    service.wait()
    assert supervisor.wait(poll_s=0.05) == 1
    assert supervisor.stop_reason == "the embedded Redis stopped; nothing works without it"


def test_the_back_off_doubles_up_to_its_cap():
    policy = Restart(first_delay_s=1, max_delay_s=30)
    assert [policy.delay_s(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
