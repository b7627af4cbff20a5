"""The audit trail: services record staff/admin actions and sensitive changes here."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, update

from webapp.models import AuditLog, User


def record_audit(
    *,
    session: Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLog:
    """Add an audit row to the caller's transaction (it commits with the change it describes)."""
    entry = AuditLog(
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
        ip=ip,
    )
    session.add(entry)
    return entry


def scrub_personal_data(*, session: Session, object_type: str, object_id: int | str) -> int:
    """Blank the before/after snapshots of an erased object, keeping who-did-what-when."""
    result = session.exec(
        update(AuditLog)
        .where(col(AuditLog.object_type) == object_type)
        .where(col(AuditLog.object_id) == str(object_id))
        .values(before=None, after=None)
    )
    return int(result.rowcount or 0)
