"""Run child processes together: restart the ones that may die, stop everything promptly.

Each child gets its own session (process group), so the terminal's Ctrl-C reaches only the
supervisor, which then stops every group in order: polite SIGTERM, then SIGKILL at the deadline.
Killing the whole group also takes down pool processes (Celery's prefork children, gunicorn's
workers) that would otherwise be left behind.

A child with a `Restart` policy (the Celery worker and beat) is started again when it exits,
after a back-off; a child without one (the web app), or a required service (the embedded
Redis), stops everything when it goes: without them nothing works, and saying so beats
limping on. A child that keeps dying soon after each start is given up on, and that stops
everything too, with a message that names it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

STOP_DEADLINE_S = 8.0  # well inside the 10 s a person waits after Ctrl-C


@dataclass(frozen=True)
class Restart:
    """How to bring back a child that exited on its own.

    The n-th death in a row waits `first_delay_s · 2^(n-1)` (at most `max_delay_s`) before the
    restart. A run that lasted `healthy_after_s` resets the count; the `give_up_after`-th death
    in a row, each within `healthy_after_s` of its start, is a crash loop: the supervisor stops.
    """

    first_delay_s: float = 1.0
    max_delay_s: float = 30.0
    healthy_after_s: float = 60.0
    give_up_after: int = 5

    def delay_s(self, failures: int) -> float:
        """Back-off before the restart that follows `failures` deaths in a row."""
        return float(min(self.max_delay_s, self.first_delay_s * 2.0 ** max(failures - 1, 0)))


@dataclass
class Child:
    """A named child process whose output is prefixed with its name."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    restart: Restart | None = None  # None: its exit stops everything
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0  # deaths in a row, each soon after its start
    restart_at: float | None = None  # when a restart is due (monotonic), while one is pending
    _pump: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        """Launch in a new session and start copying its output, line by line, with a prefix."""
        self.process = subprocess.Popen(  # noqa: S603 - argv is built by us, never from input
            list(self.argv),
            env=dict(self.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started_at = time.monotonic()
        assert self.process.stdout is not None
        self._pump = threading.Thread(
            target=_copy_lines, args=(self.name, self.process.stdout), daemon=True
        )
        self._pump.start()

    @property
    def running(self) -> bool:
        """True while the child has not exited."""
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        """Send a signal to the child's whole process group."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def group_alive(self) -> bool:
        """True while any process of the child's group still exists."""
        if self.process is None:
            return False
        self.process.poll()  # reap the leader if it has exited
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # pragma: no cover - a foreign process reused the group id
            return False
        return True

    def close(self) -> None:
        """Reap the process and release its pipe."""
        if self.process is None:
            return
        self.process.poll()
        if self._pump is not None:
            self._pump.join(timeout=1)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _copy_lines(name: str, stream: IO[bytes]) -> None:
    prefix = f"[{name}] ".encode()
    for line in iter(stream.readline, b""):
        sys.stdout.buffer.write(prefix + line)
        sys.stdout.buffer.flush()


def describe_exit(code: int | None) -> str:
    """'exited with code 3' or 'was killed by SIGKILL', as a person reads it."""
    if code is None:
        return "is running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


def say(message: str) -> None:
    """One line of the supervisor's own output."""
    print(f"[stack] {message}", flush=True)


class Supervisor:
    """Start children, restart the ones that may die, stop them all on a signal or a failure."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.required: list[tuple[str, Callable[[], bool]]] = []
        self._stop = threading.Event()
        self.stop_reason = ""

    def add(self, child: Child) -> Child:
        """Start a child and keep track of it."""
        child.start()
        self.children.append(child)
        return child

    def require(self, name: str, alive: Callable[[], bool]) -> None:
        """A service started elsewhere (the embedded Redis) whose loss stops everything."""
        self.required.append((name, alive))

    def install_signal_handlers(self) -> None:
        """SIGINT (Ctrl-C) and SIGTERM ask the supervisor to stop everything."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stop_reason = signal.Signals(signum).name
        self._stop.set()

    def request_stop(self, reason: str) -> None:
        """Stop from code (a child died, start-up failed)."""
        self.stop_reason = reason
        self._stop.set()

    def check(self) -> str | None:
        """One look at every child: schedule and perform restarts; the reason to stop, if any."""
        for name, alive in self.required:
            if not alive():
                return f"{name} stopped; nothing works without it"
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restart_at = None
                    child.close()
                    child.start()
                    assert child.process is not None
                    say(f"{child.name} restarted (pid {child.process.pid})")
                continue
            if child.running:
                continue
            code = child.process.returncode if child.process else None
            if child.restart is None:
                return f"{child.name} {describe_exit(code)}"
            reason = self._schedule_restart(child, code, now)
            if reason:
                return reason
        return None

    def _schedule_restart(self, child: Child, code: int | None, now: float) -> str | None:
        """Note a death of a restartable child; the reason to give up when it is a crash loop."""
        assert child.restart is not None
        # A SIGKILLed Celery main leaves its pool processes behind in its group: they would
        # hold memory and compete with the replacement, and their work is redelivered anyway.
        child.signal_group(signal.SIGKILL)
        ran_s = now - child.started_at
        child.failures = 1 if ran_s >= child.restart.healthy_after_s else child.failures + 1
        if child.failures >= child.restart.give_up_after:
            return (
                f"{child.name} {describe_exit(code)}: death {child.failures} in a row, each "
                f"within {child.restart.healthy_after_s:.0f} s of starting; giving up "
                "(see its output above)"
            )
        delay = child.restart.delay_s(child.failures)
        child.restart_at = now + delay
        say(
            f"{child.name} {describe_exit(code)} after {ran_s:.0f} s; restarting in "
            f"{delay:.0f} s (death {child.failures} in a row; the stack gives up at "
            f"{child.restart.give_up_after})"
        )
        return None

    def wait(self, poll_s: float = 0.5) -> int:
        """Block until a stop is requested or something required fails; the exit code to use."""
        while not self._stop.wait(poll_s):
            reason = self.check()
            if reason:
                self.request_stop(reason)
                return 1
        return 0

    def stop_all(self, deadline_s: float = STOP_DEADLINE_S) -> list[str]:
        """SIGTERM every group (newest first), SIGKILL what is left at the deadline.

        Returns the names of children that had to be killed.
        """
        for child in reversed(self.children):
            child.restart_at = None
            child.signal_group(signal.SIGTERM)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end and any(c.group_alive() for c in self.children):
            time.sleep(0.1)
        killed = []
        for child in self.children:
            if child.group_alive():
                killed.append(child.name)
                child.signal_group(signal.SIGKILL)
        for child in self.children:
            if child.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.process.wait(timeout=2)
            child.close()
        return killed
