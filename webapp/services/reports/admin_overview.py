"""The figures an administrator checks first: who has accounts, and whether work is piling up.

The admin dashboard puts these beside the existing pieces it reuses (health checks, programme
and audit listings), so nothing here repeats their queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from webapp.models import EmailDelivery, User
from webapp.models.enums import EmailStatus, Role
from webapp.services.outbox.relay import pending_count

NEW_ACCOUNT_DAYS = 30


@dataclass(frozen=True)
class RoleCount:
    """Accounts of one role: able to sign in, switched off, and joined lately."""

    role: str
    active: int
    deactivated: int
    joined_recently: int


@dataclass(frozen=True)
class Backlog:
    """Work waiting for the workers; numbers that keep growing mean a worker is down."""

    outbox_pending: int
    emails_pending: int
    emails_failed: int


def account_counts(*, session: Session, now: datetime) -> list[RoleCount]:
    """One row per role, in the order of `Role`, zeros included."""
    since = now - timedelta(days=NEW_ACCOUNT_DAYS)
    rows = session.exec(
        select(
            col(User.role),
            func.sum(case((col(User.active).is_(True), 1), else_=0)),
            func.sum(case((col(User.active).is_(True), 0), else_=1)),
            func.sum(case((col(User.created_at) >= since, 1), else_=0)),
        ).group_by(col(User.role))
    ).all()
    found = {role: (int(a or 0), int(d or 0), int(n or 0)) for role, a, d, n in rows}
    return [RoleCount(r.value, *found.get(r.value, (0, 0, 0))) for r in Role]


def backlog(*, session: Session) -> Backlog:
    """Outbox events not yet handed to the workers, and emails not yet (or never) sent."""
    emails = dict(
        session.exec(
            select(col(EmailDelivery.status), func.count())
            .where(
                col(EmailDelivery.status).in_([EmailStatus.PENDING.value, EmailStatus.FAILED.value])
            )
            .group_by(col(EmailDelivery.status))
        ).all()
    )
    return Backlog(
        outbox_pending=pending_count(session=session),
        emails_pending=int(emails.get(EmailStatus.PENDING.value, 0)),
        emails_failed=int(emails.get(EmailStatus.FAILED.value, 0)),
    )
