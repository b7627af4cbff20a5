"""The audit log as staff read it: who did what, when, filterable, pageable and exportable.

Admins and platform staff see every entry. Staff assigned to programmes see entries about those
programmes, about their ventures, and their own actions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlmodel import Session, col

from webapp.models import AuditLog, Deal, Introduction, ProgrammeVenture, User
from webapp.models.bounds import whole_number
from webapp.services.access.staff_scope import staff_scope
from webapp.services.common.errors import FieldError, ValidationFailed
from webapp.services.common.pagination import Page, check_window
from webapp.services.common.text_match import ESCAPE, contains_text, like_escape
from webapp.services.reports.audit_labels import action_label, object_label
from webapp.services.reports.pipeline_filters import start_of

AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "actor_email",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "ip",
    "before",
    "after",
    "action_label",
)


@dataclass(frozen=True)
class AuditFilters:
    """What to look for; every field is optional."""

    actor: str | None = None  # an email, part of a name, or a user id
    action: str | None = None  # an action or its prefix ("programme." matches them all)
    object_type: str | None = None
    object_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as URL parameters (for paging and the CSV link)."""
        pairs = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in pairs.items() if v}


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry with the actor's name."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_email: str | None
    actor_role: str | None
    action: str
    object_type: str
    object_id: str | None
    ip: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def action_label(self) -> str:
        """What was done, in words."""
        return action_label(self.action)

    @property
    def object_label(self) -> str:
        """What it was done to, in words."""
        return object_label(self.object_type)

    def csv_values(self) -> list[object]:
        """The row in `AUDIT_COLUMNS` order, snapshots as JSON text."""
        return [
            self.at.isoformat(),
            self.actor_id or "",
            self.actor_name or "",
            self.actor_email or "",
            self.actor_role or "",
            self.action,
            self.object_type,
            self.object_id or "",
            self.ip or "",
            json.dumps(self.before, sort_keys=True) if self.before is not None else "",
            json.dumps(self.after, sort_keys=True) if self.after is not None else "",
            self.action_label,
        ]


def _conditions(session: Session, viewer: User, filters: AuditFilters) -> list[ColumnElement[bool]]:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed(
            [FieldError("to", f"{filters.date_to} is before from={filters.date_from}")]
        )
    found: list[ColumnElement[bool]] = []
    scope = staff_scope(session=session, user=viewer)
    if scope is not None:
        ids = sorted(scope)
        enrolled_ids = select(col(ProgrammeVenture.venture_id)).where(
            col(ProgrammeVenture.programme_id).in_(ids)
        )
        enrolled = select(cast(col(ProgrammeVenture.venture_id), String)).where(
            col(ProgrammeVenture.programme_id).in_(ids)
        )
        # Introductions and deals of their ventures are theirs to read too.
        introductions = select(cast(col(Introduction.id), String)).where(
            col(Introduction.venture_id).in_(enrolled_ids)
        )
        deals = select(cast(col(Deal.id), String)).where(col(Deal.venture_id).in_(enrolled_ids))
        found.append(
            or_(
                col(AuditLog.actor_id) == viewer.id,
                and_(
                    col(AuditLog.object_type) == "programme",
                    col(AuditLog.object_id).in_([str(i) for i in ids]),
                ),
                and_(col(AuditLog.object_type) == "venture", col(AuditLog.object_id).in_(enrolled)),
                and_(
                    col(AuditLog.object_type) == "introduction",
                    col(AuditLog.object_id).in_(introductions),
                ),
                and_(col(AuditLog.object_type) == "deal", col(AuditLog.object_id).in_(deals)),
            )
        )
    if filters.actor:
        text = filters.actor.strip()
        actor_id = whole_number(text, low=1)
        if actor_id is not None:
            found.append(col(AuditLog.actor_id) == actor_id)
        else:
            found.append(
                or_(contains_text(col(User.email), text), contains_text(col(User.name), text))
            )
    if filters.action:
        found.append(col(AuditLog.action).like(f"{like_escape(filters.action)}%", escape=ESCAPE))
    if filters.object_type:
        found.append(col(AuditLog.object_type) == filters.object_type)
    if filters.object_id:
        found.append(col(AuditLog.object_id) == filters.object_id)
    if filters.date_from:
        found.append(col(AuditLog.at) >= start_of(filters.date_from))
    if filters.date_to:
        found.append(col(AuditLog.at) < start_of(filters.date_to + timedelta(days=1)))
    return found


def _query(session: Session, viewer: User, filters: AuditFilters) -> Any:
    return (
        select(
            col(AuditLog.id),
            col(AuditLog.at),
            col(AuditLog.actor_id),
            col(User.name),
            col(User.email),
            col(AuditLog.actor_role),
            col(AuditLog.action),
            col(AuditLog.object_type),
            col(AuditLog.object_id),
            col(AuditLog.ip),
            col(AuditLog.before),
            col(AuditLog.after),
        )
        .select_from(AuditLog)
        .outerjoin(User, col(User.id) == col(AuditLog.actor_id))
        .where(*_conditions(session, viewer, filters))
    )


def audit_entries(
    *, session: Session, viewer: User, filters: AuditFilters, limit: int = 50, offset: int = 0
) -> Page[AuditRow]:
    """A page of entries, newest first."""
    check_window(limit, offset)
    query = _query(session, viewer, filters)
    connection = session.connection()
    total = connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = query.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
    rows = [AuditRow(*row) for row in connection.execute(page.limit(limit).offset(offset))]
    return Page(items=rows, total=total, limit=limit, offset=offset)


def audit_csv_rows(
    *, session: Session, viewer: User, filters: AuditFilters
) -> Iterator[list[object]]:
    """Every matching entry, oldest first, for the CSV export (filters are checked at once).

    The rows are fetched here, before the download starts, so the response holds no cursor
    (and no read snapshot) open while a client reads it slowly.
    """
    query = _query(session, viewer, filters).order_by(col(AuditLog.at), col(AuditLog.id))
    rows = session.connection().execute(query).all()
    return (AuditRow(*row).csv_values() for row in rows)


def audit_actions(*, session: Session) -> list[str]:
    """Every action recorded so far, for the filter's choices."""
    query = select(col(AuditLog.action)).distinct().order_by(col(AuditLog.action))
    return [row[0] for row in session.connection().execute(query)]
