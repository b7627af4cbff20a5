"""Hold back Celery's cancel while a pool process does something a kill would cut in two.

Celery cancels a running task by signalling its pool process: when the broker connection is
lost (`worker_cancel_long_running_tasks_on_connection_loss`) and when a soft shutdown runs out
of time. The signal is billiard's `TERM_SIGNAL`: SIGTERM, or SIGQUIT under
`REMAP_SIGTERM=SIGQUIT` (as `make run` and docker-compose start workers), whose handler in a
pool process raises SystemExit wherever the task happens to be. Some steps must not end
halfway: an email the SMTP server has taken but that is not yet recorded as sent looks unsent
to the next attempt, which sends it again. Inside `termination_deferred()` those signals are
only noted, and raised again, to the handlers that were there before, when the block ends.
SIGKILL, the hard time limit and a lost machine are not held back by anything.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from billiard.common import TERM_SIGNAL

DEFERRED = tuple(sorted({signal.SIGTERM, signal.Signals(TERM_SIGNAL)}))


@contextmanager
def termination_deferred() -> Iterator[None]:
    """Run the block to its end; a cancel that came meanwhile takes effect after it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can set handlers; Celery's pool runs tasks there
        return
    received: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = {signum: signal.getsignal(signum) for signum in DEFERRED}
    for signum in DEFERRED:
        signal.signal(signum, note)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        for noted in dict.fromkeys(received):
            signal.raise_signal(noted)
