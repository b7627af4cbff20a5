"""A founder's right of access: everything we hold about them and their ventures, as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, or_, select

from webapp.models import (
    AuditLog,
    Deal,
    DealEvent,
    Introduction,
    Match,
    Notification,
    User,
    Venture,
    utcnow,
)
from webapp.models.enums import Role
from webapp.services.errors import Forbidden
from webapp.services.match_views import display_reasons

EXPORT_FORMAT = "venturematch-founder-export/1"
_ACCOUNT_FIELDS = (
    "id",
    "email",
    "name",
    "role",
    "phone",
    "email_frequency",
    "list_view",
    "email_verified_at",
    "last_login_at",
    "created_at",
    "updated_at",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _row(obj: SQLModel, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {k: _plain(v) for k, v in obj.model_dump().items() if k not in exclude}


def export_founder_data(*, session: Session, user: User) -> dict[str, Any]:
    """The account, ventures, matches, introductions, deals, notifications and own actions."""
    if user.role != Role.FOUNDER.value:
        raise Forbidden("The founder data export is for founder accounts")
    ventures = list(session.exec(select(Venture).where(Venture.owner_id == user.id)).all())
    venture_ids = [v.id for v in ventures]
    matches = session.exec(
        select(Match)
        .where(col(Match.venture_id).in_(venture_ids))
        .where(col(Match.venture_rank).is_not(None))
        .order_by(col(Match.venture_id), col(Match.venture_rank))
    ).all()
    intros = session.exec(
        select(Introduction)
        .where(col(Introduction.venture_id).in_(venture_ids))
        .order_by(col(Introduction.id))
    ).all()
    deals = session.exec(
        select(Deal).where(col(Deal.venture_id).in_(venture_ids)).order_by(col(Deal.id))
    ).all()
    events = session.exec(
        select(DealEvent)
        .where(col(DealEvent.deal_id).in_([d.id for d in deals]))
        .order_by(col(DealEvent.at), col(DealEvent.id))
    ).all()
    notifications = session.exec(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(col(Notification.created_at))
    ).all()
    audit = session.exec(
        select(AuditLog)
        .where(
            or_(
                col(AuditLog.actor_id) == user.id,
                (col(AuditLog.object_type) == "user") & (col(AuditLog.object_id) == str(user.id)),
            )
        )
        .order_by(col(AuditLog.at))
    ).all()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "account": {f: _plain(getattr(user, f)) for f in _ACCOUNT_FIELDS},
        "ventures": [_row(v) for v in ventures],
        "matches": [
            _row(m, frozenset({"id"})) | {"reasons": display_reasons(m.reasons)} for m in matches
        ],
        "introductions": [_row(i) for i in intros],
        "deals": [
            _row(d) | {"events": [_row(e) for e in events if e.deal_id == d.id]} for d in deals
        ],
        "notifications": [_row(n) for n in notifications],
        "activity": [_row(a, frozenset({"ip"})) for a in audit],
    }
