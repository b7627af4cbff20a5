"""One live runner per piece of work: a claim in Redis, renewed by a heartbeat while it runs.

Redis hands a taken message to another worker once its visibility timeout passes, whether the
first worker died or is merely slow, and the outbox hands out work again once its lease runs
out. Both are how lost work comes back in seconds; the claim is what stops them from running
work twice at the same time. A copy that finds the claim held by a live runner waits and looks
again; one that finds it held by a process that is gone (same machine) or not renewed for a
lease takes it over.

The heartbeat (one thread per process) renews the claims this process holds and, through
`on_beat`, holds their outbox events, so the relay does not hand out work that is running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Collection

import redis

log = logging.getLogger(__name__)

PREFIX = "venturematch:claim:"
DONE_PREFIX = "venturematch:done:"
DONE_TTL_S = 24 * 3600


def _if_held_by(command: str) -> str:
    """A Lua script that runs `command` only while the key still holds ARGV[1]."""
    return (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        f"return redis.call({command}) end return false"
    )


# Renew or drop only a claim we still hold; take over only from the holder we saw.
_RENEW = _if_held_by("'pexpire', KEYS[1], ARGV[2]")
_RELEASE = _if_held_by("'del', KEYS[1]")
_TAKE_OVER = _if_held_by("'set', KEYS[1], ARGV[2], 'PX', ARGV[3]")


def this_process() -> str:
    """The claim's owner: machine and process id (how a same-machine copy sees it is gone)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(holder: str) -> bool:
    """True when the holder ran on this machine and its process no longer exists."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Claims:
    """The claims of one process, and the heartbeat that keeps them alive."""

    def __init__(
        self,
        client: redis.Redis,
        lease_s: float,
        on_beat: Callable[[Collection[int]], None] | None = None,
    ) -> None:
        self.client = client
        self.lease_ms = int(lease_s * 1000)
        self.owner = this_process()
        self.on_beat = on_beat
        self._held: dict[str, int | None] = {}  # key → outbox event id, if any
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def acquire(self, work: str, event_id: int | None) -> str | None:
        """Claim `work`; None when claimed (or Redis is away), else the live holder's name."""
        key = PREFIX + work
        try:
            holder = self._take(key)
        except redis.RedisError as exc:  # no broker either: whoever got the message runs it
            log.warning("claim for %s not recorded (%s); running anyway", work, exc)
            holder = None
        if holder is not None:
            return holder
        with self._lock:
            self._held[key] = event_id
            self._start_heartbeat()
        return None

    def _take(self, key: str) -> str | None:
        """Set the claim; None when it is ours now, else who holds it."""
        if self.client.set(key, self.owner, nx=True, px=self.lease_ms):
            return None
        raw = self.client.get(key)
        if raw is None:  # released meanwhile: one more try, then leave it to the winner
            won = self.client.set(key, self.owner, nx=True, px=self.lease_ms)
            return None if won else "another worker"
        holder = raw.decode() if isinstance(raw, bytes) else str(raw)
        if not _gone(holder):
            return holder
        if not self.client.eval(_TAKE_OVER, 1, key, holder, self.owner, self.lease_ms):
            return holder  # another copy took it over first
        log.warning("took over %s from %s, whose process is gone", key, holder)
        return None

    def release(self, work: str, *, done: bool) -> None:
        """Drop the claim; `done` leaves a marker so a late copy of finished work is skipped."""
        key = PREFIX + work
        with self._lock:
            self._held.pop(key, None)
        try:
            with self.client.pipeline() as pipe:
                pipe.eval(_RELEASE, 1, key, self.owner)
                if done:
                    pipe.set(DONE_PREFIX + work, "1", ex=DONE_TTL_S)
                pipe.execute()
        except redis.RedisError as exc:
            log.warning("claim for %s not released (%s); it lapses on its own", work, exc)

    def finished(self, work: str) -> bool:
        """True when a copy of `work` already finished (the marker `release` leaves)."""
        try:
            return bool(self.client.exists(DONE_PREFIX + work))
        except redis.RedisError:
            return False

    def _start_heartbeat(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._beat, name="vm-claims", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        interval = self.lease_ms / 3000
        stop = threading.Event()
        while not stop.wait(interval):
            with self._lock:
                held = dict(self._held)
            if not held:
                continue
            with (
                contextlib.suppress(redis.RedisError),
                self.client.pipeline(transaction=False) as pipe,
            ):
                for key in held:
                    pipe.eval(_RENEW, 1, key, self.owner, self.lease_ms)
                pipe.execute()
            events = {event for event in held.values() if event is not None}
            if events and self.on_beat is not None:
                try:
                    self.on_beat(events)
                except Exception as exc:  # the next beat tries again; the lease has room
                    log.warning("outbox events %s not held (%s)", sorted(events), exc)
