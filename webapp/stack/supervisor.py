"""Run child processes together and stop all of them, promptly and completely.

Each child gets its own session (process group), so the terminal's Ctrl-C reaches only the
supervisor, which then stops every group in order: polite SIGTERM, then SIGKILL at the deadline.
Killing the whole group also takes down pool processes (Celery's prefork children, gunicorn's
workers) that would otherwise be left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

STOP_DEADLINE_S = 8.0  # well inside the 10 s a person waits after Ctrl-C


@dataclass
class Child:
    """A named child process whose output is prefixed with its name."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    process: subprocess.Popen[bytes] | None = None
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


class Supervisor:
    """Start children, watch them, and stop them all on a signal or when one dies."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self._stop = threading.Event()
        self.stop_reason = ""

    def add(self, child: Child) -> Child:
        """Start a child and keep track of it."""
        child.start()
        self.children.append(child)
        return child

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

    def wait(self, poll_s: float = 0.5) -> int:
        """Block until a stop is requested or a child exits; return the exit code to use."""
        while not self._stop.wait(poll_s):
            for child in self.children:
                if not child.running:
                    code = child.process.returncode if child.process else -1
                    self.request_stop(f"{child.name} exited with code {code}")
                    return 1
        return 0

    def stop_all(self, deadline_s: float = STOP_DEADLINE_S) -> list[str]:
        """SIGTERM every group (newest first), SIGKILL what is left at the deadline.

        Returns the names of children that had to be killed.
        """
        for child in reversed(self.children):
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
