"""The `make run` supervisor stops every child, and every child's children, promptly."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from webapp.stack.supervisor import Child, Supervisor

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
