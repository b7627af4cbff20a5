"""The transactional outbox: a change and the event announcing it commit together.

Workers relay pending events to Celery after commit and in a periodic sweep, so a save never
fails or waits because Redis is down, and nothing is lost if it is.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from webapp.models import OutboxEvent

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
