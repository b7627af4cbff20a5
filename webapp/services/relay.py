"""The outbox relay: hand committed events to the workers, each exactly once per claim.

Public functions:
- `relay_pending(*, session, dispatch, batch=100, now=None, max_backoff_s=MAX_BACKOFF_S)
  -> RelayResult` — claims due events (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the database
  write lock on SQLite), calls `dispatch(event)` for each, marks it dispatched, or on an error
  records it and pushes the event back with exponential backoff and jitter; an event the
  dispatch refuses with `Undeliverable` (unknown kind, unreadable payload) is closed as dead,
  with the reason in `last_error` and an audit row; commits.
- `pending_count(*, session) -> int` — events not yet dispatched.
- `install_outbox_waker(redis_url) -> None` — after any commit that added outbox events, push
  a wake-up to Redis so a listening worker relays at once (idempotent; never raises);
  `remove_outbox_waker(redis_url)` undoes it.
- `wake(client) -> None`, `wait_for_wake(client, timeout_s) -> bool` — the signal itself.

Two relays never dispatch the same event at the same time: PostgreSQL skips rows another relay
has locked; SQLite lets one writer in at a time. A crash between publishing and committing
leaves the event pending, so it is dispatched again: tasks are idempotent (at least once).
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
from webapp.services.audit import record_audit
from webapp.services.locks import take_write_lock

log = logging.getLogger(__name__)

WAKE_KEY = "venturematch:outbox:wake"
WAKE_TIMEOUT_S = 0.25  # a save never waits longer than this on a broken Redis
WAKE_QUIET_AFTER_FAILURE_S = 5.0  # then stop trying for a while (the sweep covers it)
MAX_BACKOFF_S = 300.0
BASE_BACKOFF_S = 2.0

Dispatch = Callable[[OutboxEvent], None]


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


def relay_pending(
    *,
    session: Session,
    dispatch: Dispatch,
    batch: int = 100,
    now: datetime | None = None,
    max_backoff_s: float = MAX_BACKOFF_S,
) -> RelayResult:
    """Claim up to `batch` due events, dispatch each, and record the outcome; commits."""
    now = now or utcnow()
    result = RelayResult()
    session.rollback()  # the claim must be the first thing in its transaction
    query = (
        select(OutboxEvent)
        .where(col(OutboxEvent.dispatched_at).is_(None))
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
            try:
                dispatch(item)
            except Undeliverable as exc:
                item.attempts += 1
                item.dispatched_at = utcnow()
                item.last_error = f"undeliverable: {exc}"[:2000]
                record_audit(
                    session=session,
                    actor=None,
                    action="outbox.undeliverable",
                    object_type="outbox_event",
                    object_id=item.id,
                    after={"kind": item.kind, "error": str(exc)[:500]},
                )
                result.dead.append(item.id)
                log.error("outbox event %s (%s) is undeliverable: %s", item.id, item.kind, exc)
            except Exception as exc:  # any failure must leave the event pending, never lose it
                item.attempts += 1
                item.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                delay = backoff_s(item.attempts, cap_s=max_backoff_s)
                item.available_at = utcnow() + timedelta(seconds=delay)
                result.failed.append(item.id)
                log.warning("outbox event %s (%s) not dispatched: %s", item.id, item.kind, exc)
            else:
                item.dispatched_at = utcnow()
                item.attempts += 1
                item.last_error = None
                result.dispatched.append(item.id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def pending_count(*, session: Session) -> int:
    """How many events still wait to be dispatched."""
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.dispatched_at).is_(None))
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
