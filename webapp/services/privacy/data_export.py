"""A person's right of access: everything we hold about them, as one JSON document.

One format for every role (the account page's download and `GET /api/v1/me/export` both serve
it): the account, its organisation, notifications, API tokens and browser sessions (never a
secret or a hash), what they did, and the ventures they own with those ventures' matches,
introductions and deals (empty for anyone who owns no venture). Nothing about other people
beyond what those records name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, or_, select

from webapp.models import (
    ApiToken,
    AuditLog,
    Deal,
    DealEvent,
    Introduction,
    Match,
    Notification,
    Organisation,
    User,
    UserSession,
    Venture,
    utcnow,
)
from webapp.services.ranking.match_queries import Profiles, display_reasons

EXPORT_FORMAT = "venturematch-account-export/2"
ACCOUNT_FIELDS = (
    "id", "email", "name", "role", "phone", "organisation_id", "email_frequency", "list_view",
    "email_verified_at", "last_login_at", "created_at", "updated_at",
)  # fmt: skip
ORGANISATION_FIELDS = ("id", "name", "kind", "website")
NOTIFICATION_FIELDS = ("id", "kind", "title", "body", "link", "created_at", "read_at")
TOKEN_FIELDS = ("id", "name", "created_at", "expires_at", "revoked_at", "last_used_at")
SESSION_FIELDS = (
    "id", "created_at", "expires_at", "last_seen_at", "revoked_at", "ip", "user_agent",
)  # fmt: skip
ACTIVITY_FIELDS = ("action", "object_type", "object_id", "before", "after", "at")


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, all the way down."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _row(obj: SQLModel, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The named fields of a row (all of them when None), JSON-ready."""
    names = obj.model_dump().keys() if fields is None else fields
    return {name: _plain(getattr(obj, name)) for name in names}


def _venture_records(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    """The ventures the person owns, with their lists, introductions and deals."""
    ventures = session.exec(
        select(Venture).where(Venture.owner_id == user.id).order_by(col(Venture.id))
    ).all()
    venture_ids = [v.id for v in ventures]
    matches = session.exec(
        select(Match)
        .where(col(Match.venture_id).in_(venture_ids))
        .where(col(Match.venture_rank).is_not(None))
        .order_by(col(Match.venture_id), col(Match.venture_rank))
    ).all()
    profiles = Profiles.load(
        session, [int(v) for v in venture_ids if v], sorted({m.investor_id for m in matches})
    )
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
    return {
        "ventures": [_row(v) for v in ventures],
        "matches": [
            {k: v for k, v in _row(m).items() if k != "id"}
            | {"reasons": display_reasons(m.reasons, profiles.pair(m.venture_id, m.investor_id))}
            for m in matches
        ],
        "introductions": [_row(i) for i in intros],
        "deals": [
            _row(d) | {"events": [_row(e) for e in events if e.deal_id == d.id]} for d in deals
        ],
    }


def export_account_data(*, session: Session, user: User) -> dict[str, Any]:
    """Everything we hold about `user` (read-only)."""
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    notifications = session.exec(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(col(Notification.created_at), col(Notification.id))
    ).all()
    tokens = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))
    ).all()
    browser_sessions = session.exec(
        select(UserSession).where(UserSession.user_id == user.id).order_by(col(UserSession.id))
    ).all()
    audit = session.exec(
        select(AuditLog)
        .where(
            or_(
                col(AuditLog.actor_id) == user.id,
                (col(AuditLog.object_type) == "user") & (col(AuditLog.object_id) == str(user.id)),
            )
        )
        .order_by(col(AuditLog.at), col(AuditLog.id))
    ).all()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "account": _row(user, ACCOUNT_FIELDS),
        "organisation": _row(organisation, ORGANISATION_FIELDS) if organisation else None,
        **_venture_records(session, user),
        "notifications": [_row(n, NOTIFICATION_FIELDS) for n in notifications],
        "api_tokens": [_row(t, TOKEN_FIELDS) for t in tokens],
        "sessions": [_row(s, SESSION_FIELDS) for s in browser_sessions],
        "activity": [_row(a, ACTIVITY_FIELDS) for a in audit],
    }
