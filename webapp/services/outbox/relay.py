"""The outbox relay: hand committed events to the workers until their work is finished.

An event is work owed until every task of its plan has finished (`webapp.services.outbox.outbox`
records that from the tasks). A pass claims the events that are due (`FOR UPDATE SKIP LOCKED`
on PostgreSQL, the database write lock on SQLite), hands each one out (`dispatch` publishes
the tasks still owed and returns how many tasks the whole plan has) and sets it due again
`lease_s` later. Running tasks push that time on with their heartbeat, so only work whose
message or worker was lost comes round again: a worker killed at any moment delays its work by
about a lease, never by the broker's visibility timeout. An event handed out `max_handouts`
times without finishing is closed as abandoned, like one the dispatch refuses as
`Undeliverable`, with the reason in `last_error` and an audit row; a dispatch that fails
(Redis down) leaves the event due again after an exponential backoff with jitter.

Two relays never hand out the same event at once: PostgreSQL skips rows another relay has
locked; SQLite lets one writer in at a time. A crash between publishing and committing leaves
the event due, so it is handed out again: tasks are idempotent and skip parts already done.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import redis
from sqlalchemy import event, func
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from webapp.models import OutboxEvent, utcnow
from webapp.services.common.audit import record_audit
from webapp.services.common.locks import take_write_lock

log = logging.getLogger(__name__)

WAKE_KEY = "venturematch:outbox:wake"
LEASE_S = 300.0  # a hand-out nobody has started within this long is handed out again
MAX_HANDOUTS = 20
WAKE_TIMEOUT_S = 0.25  # a save never waits longer than this on a broken Redis
WAKE_QUIET_AFTER_FAILURE_S = 5.0  # then stop trying for a while (the sweep covers it)
MAX_BACKOFF_S = 300.0
BASE_BACKOFF_S = 2.0

# Publishes the event's tasks that are still owed; returns how many tasks its plan has.
Dispatch = Callable[[OutboxEvent], int]


class Undeliverable(Exception):
    """Raised by a dispatch for an event no retry can deliver (unknown kind, bad payload)."""


@dataclass
class RelayResult:
    """What one relay pass did."""

    dispatched: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        """Events this pass took."""
        return len(self.dispatched) + len(self.failed) + len(self.dead)


def backoff_s(
    attempts: int, *, base_s: float = BASE_BACKOFF_S, cap_s: float = MAX_BACKOFF_S
) -> float:
    """Exponential backoff with jitter for the n-th failed attempt."""
    ceiling = min(cap_s, base_s * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


def _close_as_dead(session: Session, item: OutboxEvent, action: str, error: str) -> None:
    item.finished_at = utcnow()
    item.last_error = error[:2000]
    record_audit(
        session=session,
        actor=None,
        action=action,
        object_type="outbox_event",
        object_id=item.id,
        after={"kind": item.kind, "error": error[:500]},
    )
    log.error("outbox event %s (%s) closed: %s", item.id, item.kind, error)


def relay_pending(
    *,
    session: Session,
    dispatch: Dispatch,
    batch: int = 100,
    now: datetime | None = None,
    max_backoff_s: float = MAX_BACKOFF_S,
    lease_s: float = LEASE_S,
    max_handouts: int = MAX_HANDOUTS,
) -> RelayResult:
    """Claim up to `batch` due events, hand each out, and record the outcome; commits."""
    now = now or utcnow()
    result = RelayResult()
    session.rollback()  # the claim must be the first thing in its transaction
    query = (
        select(OutboxEvent)
        .where(col(OutboxEvent.finished_at).is_(None))
        .where(col(OutboxEvent.available_at) <= now)
        .order_by(col(OutboxEvent.id))
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    else:
        take_write_lock(session=session, name="outbox")
    try:
        events = session.exec(query.execution_options(populate_existing=True)).all()
        for item in events:
            assert item.id is not None
            if item.handouts >= max_handouts:
                error = f"handed out {item.handouts} times without finishing; abandoned"
                _close_as_dead(session, item, "outbox.abandoned", error)
                result.dead.append(item.id)
                continue
            try:
                parts = dispatch(item)
            except Undeliverable as exc:
                item.attempts += 1
                item.dispatched_at = utcnow()
                _close_as_dead(session, item, "outbox.undeliverable", f"undeliverable: {exc}")
                result.dead.append(item.id)
            except Exception as exc:  # any failure must leave the event owed, never lose it
                item.attempts += 1
                item.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                delay = backoff_s(item.attempts, cap_s=max_backoff_s)
                item.available_at = utcnow() + timedelta(seconds=delay)
                result.failed.append(item.id)
                log.warning("outbox event %s (%s) not dispatched: %s", item.id, item.kind, exc)
            else:
                handed_at = utcnow()
                if item.handouts == 0:
                    item.owed_parts = (1 << parts) - 1
                item.handouts += 1
                item.attempts += 1
                item.dispatched_at = handed_at
                item.available_at = handed_at + timedelta(seconds=lease_s)
                if parts == 0 or item.owed_parts == 0:
                    item.finished_at = handed_at  # nothing to do for this kind of change
                result.dispatched.append(item.id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def pending_count(*, session: Session) -> int:
    """How many events wait for their first hand-out."""
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.finished_at).is_(None))
            .where(col(OutboxEvent.handouts) == 0)
        ).one()
    )


def owed_count(*, session: Session) -> int:
    """How many events are not finished yet (waiting, queued or running)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.finished_at).is_(None))
        ).one()
    )


# -- the after-commit wake-up ------------------------------------------------------------------


def wake(client: redis.Redis) -> None:
    """Leave one wake-up token (a list capped at one item, so bursts coalesce)."""
    with client.pipeline(transaction=True) as pipe:
        pipe.lpush(WAKE_KEY, "1")
        pipe.ltrim(WAKE_KEY, 0, 0)
        pipe.execute()


def wait_for_wake(client: redis.Redis, timeout_s: float) -> bool:
    """Block until a wake-up token arrives (True) or the timeout passes (False)."""
    return client.blpop([WAKE_KEY], timeout=timeout_s) is not None


class _Waker:
    """The session listeners: remember outbox inserts at flush, signal after commit."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self._client: redis.Redis | None = None
        self._quiet_until = 0.0
        self._lock = threading.Lock()

    def client(self) -> redis.Redis:
        with self._lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self.redis_url,
                    socket_timeout=WAKE_TIMEOUT_S,
                    socket_connect_timeout=WAKE_TIMEOUT_S,
                )
            return self._client

    def after_flush(self, session: OrmSession, _context: Any) -> None:
        if any(isinstance(obj, OutboxEvent) for obj in session.new):
            session.info["outbox_wake"] = True

    def after_commit(self, session: OrmSession) -> None:
        if not session.info.pop("outbox_wake", False):
            return
        if time.monotonic() < self._quiet_until:
            return
        try:
            wake(self.client())
        except redis.RedisError as exc:  # the periodic sweep relays it instead
            self._quiet_until = time.monotonic() + WAKE_QUIET_AFTER_FAILURE_S
            log.warning("outbox wake-up not sent (%s); the sweep will relay the event", exc)

    def after_rollback(self, session: OrmSession, _previous: Any = None) -> None:
        session.info.pop("outbox_wake", None)

    def listeners(self) -> list[tuple[str, Any]]:
        return [
            ("after_flush", self.after_flush),
            ("after_commit", self.after_commit),
            ("after_soft_rollback", self.after_rollback),
        ]


_installed: dict[str, _Waker] = {}


def install_outbox_waker(redis_url: str | None) -> None:
    """Signal the relay after every commit that added outbox events (once per process)."""
    if not redis_url or redis_url in _installed:
        return
    waker = _Waker(redis_url)
    for name, listener in waker.listeners():
        event.listen(OrmSession, name, listener)
    _installed[redis_url] = waker


def remove_outbox_waker(redis_url: str) -> None:
    """Stop signalling this Redis (tests that point the waker somewhere on purpose)."""
    waker = _installed.pop(redis_url, None)
    if waker is None:
        return
    for name, listener in waker.listeners():
        event.remove(OrmSession, name, listener)
    if waker._client is not None:
        waker._client.close()
