"""The transactional outbox: a change and the event announcing it commit together.

Workers relay owed events to Celery after commit and in a periodic sweep, so a save never
fails or waits because Redis is down, and nothing is lost if it is. The event stays owed until
the tasks it caused have finished: they report here (`finish_part`), keep it from being handed
out again while they run (`hold_until`), and ask for it back later when they must wait
(`due_at`). See `webapp.services.outbox.relay` for the hand-out side.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import case, literal
from sqlmodel import Session, col, select, update

from webapp.models import OutboxEvent, utcnow
from webapp.models.types import UTCDateTime
from webapp.services.common.locks import begin_write

# SQLite serialises every writer anyway; on PostgreSQL this lock name keeps task bookkeeping
# from queueing behind the relays' claims (row locks still order the two).
PROGRESS_LOCK = "outbox-progress"

# Event kinds; the relay maps each to a task.
VENTURE_CHANGED = "venture.changed"
VENTURE_DELETED = "venture.deleted"
INVESTOR_CHANGED = "investor.changed"
FEEDBACK_GIVEN = "feedback.given"
INTRODUCTION_REQUESTED = "introduction.requested"
INTRODUCTION_ANSWERED = "introduction.answered"
DEAL_CHANGED = "deal.changed"
FULL_REFRESH_REQUESTED = "matching.full_refresh"
RETRAIN_REQUESTED = "matching.retrain"
EMAIL_QUEUED = "email.queued"


def record_event(*, session: Session, kind: str, payload: dict[str, Any]) -> OutboxEvent:
    """Add an event to the caller's transaction; it is dispatched only if that commits."""
    event = OutboxEvent(kind=kind, payload=payload)
    session.add(event)
    return event


def part_owed(*, session: Session, event_id: int, part: int) -> bool:
    """True while task `part` of the event has not finished (so a copy should run it)."""
    row = session.exec(
        select(OutboxEvent.finished_at, OutboxEvent.handouts, OutboxEvent.owed_parts).where(
            col(OutboxEvent.id) == event_id
        )
    ).first()
    session.rollback()  # end the read snapshot before the task's own work
    if row is None:
        return False
    finished_at, handouts, owed = row
    if finished_at is not None:
        return False
    return handouts == 0 or bool(owed & (1 << part))


def _update_owed(
    session: Session, event_ids: Collection[int], values: dict[str, Any], *conditions: Any
) -> None:
    """One UPDATE of events that are still owed, in a write transaction of its own; commits."""
    begin_write(session=session, name=PROGRESS_LOCK)
    session.exec(
        update(OutboxEvent)
        .where(col(OutboxEvent.id).in_(sorted(event_ids)))
        .where(col(OutboxEvent.finished_at).is_(None))
        .where(*conditions)
        .values(**values)
    )
    session.commit()


def finish_part(*, session: Session, event_id: int, part: int, error: str | None = None) -> None:
    """Task `part` of the event finished (or failed for good): no longer owed; commits."""
    bit = 1 << part
    remaining = (col(OutboxEvent.owed_parts).op("|")(bit)) - bit  # clears the bit
    finished = literal(utcnow(), UTCDateTime())
    values: dict[str, Any] = {
        "owed_parts": remaining,
        "finished_at": case((remaining == 0, finished), else_=col(OutboxEvent.finished_at)),
    }
    if error is not None:
        values["last_error"] = error[:2000]
    _update_owed(session, [event_id], values)


def hold_until(*, session: Session, event_ids: Collection[int], until: datetime) -> None:
    """Running tasks' heartbeat: not due again before `until` (never brought forward); commits."""
    if event_ids:
        _update_owed(
            session, event_ids, {"available_at": until}, col(OutboxEvent.available_at) < until
        )


def due_at(*, session: Session, event_id: int, at: datetime, note: str | None = None) -> None:
    """A task must wait (an email's next attempt): hand the event out again at `at`; commits."""
    values: dict[str, Any] = {"available_at": at}
    if note is not None:
        values["last_error"] = note[:2000]
    _update_owed(session, [event_id], values)
