"""`termination_deferred`: Celery's cancel signal waits for the block, then takes effect."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import pytest

from workers.termination import termination_deferred


@pytest.fixture
def sigterms() -> Iterator[list[str]]:
    """A SIGTERM handler of the test's own, recording each call; the old one is put back."""
    seen: list[str] = []

    def handler(_signum: int, _frame: FrameType | None) -> None:
        seen.append("handled")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_sigterm_inside_the_block_reaches_the_old_handler_once_after_it(
    sigterms: list[str],
) -> None:
    with termination_deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
        sigterms.append("block finished")
    assert sigterms == ["block finished", "handled"]
    os.kill(os.getpid(), signal.SIGTERM)  # the old handler is back
    assert sigterms == ["block finished", "handled", "handled"]


def test_without_a_signal_nothing_is_raised_and_the_handler_is_restored(
    sigterms: list[str],
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    with termination_deferred():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
    assert sigterms == []


def _signalled_then_failing() -> None:
    with termination_deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        raise LookupError


def test_a_block_that_raises_still_restores_and_delivers(sigterms: list[str]) -> None:
    with pytest.raises(LookupError):
        _signalled_then_failing()
    assert sigterms == ["handled"]


def test_off_the_main_thread_it_changes_nothing(sigterms: list[str]) -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen: list[object] = []

    def run() -> None:
        with termination_deferred():
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [before]


REMAPPED_POOL_PROCESS = """
import os, signal, sys
from billiard.common import reset_signals
reset_signals()  # what a pool process installs: SIGQUIT raises SystemExit (REMAP_SIGTERM)
from workers.termination import termination_deferred
steps = []
try:
    with termination_deferred():
        os.kill(os.getpid(), signal.SIGQUIT)  # Celery's cancel when REMAP_SIGTERM=SIGQUIT
        steps.append("block finished")
except SystemExit:
    steps.append("exit")
print(",".join(steps))
"""


def test_under_remap_sigterm_the_cancel_is_sigquit_and_it_waits_too() -> None:
    """`make run` and docker-compose start workers with REMAP_SIGTERM=SIGQUIT: Celery then
    cancels with SIGQUIT, whose pool-process handler raises SystemExit mid-task."""
    env = {**os.environ, "REMAP_SIGTERM": "SIGQUIT"}
    done = subprocess.run(
        [sys.executable, "-c", REMAPPED_POOL_PROCESS],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.stdout.strip() == "block finished,exit", done.stderr
