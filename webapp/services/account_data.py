"""A person's own data: download it as JSON, or erase the account and what hangs off it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, delete, or_, select, update

from webapp.models import (
    ApiToken,
    AuditLog,
    EmailDelivery,
    MemberInvitation,
    Notification,
    Organisation,
    User,
    UserSession,
    Venture,
    utcnow,
)
from webapp.models.enums import DealClosedReason, Role
from webapp.services import passwords
from webapp.services.audit import record_audit, scrub_personal_data
from webapp.services.data_export import export_founder_data
from webapp.services.deal_closures import close_investor_deals
from webapp.services.errors import FieldError, Forbidden, ValidationFailed
from webapp.services.object_access import active_members, member_investor_id
from webapp.services.ventures import delete_venture

EXPORT_FORMAT = "venturematch-account-export/1"
SELF_ERASABLE_ROLES = (Role.FOUNDER.value, Role.INVESTOR.value)
_ACCOUNT_FIELDS = (
    "id",
    "email",
    "name",
    "role",
    "phone",
    "organisation_id",
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
    return value


def _row(obj: SQLModel, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def export_account_data(*, session: Session, user: User) -> dict[str, Any]:
    """Everything we hold about the caller (founders get the full venture export)."""
    if user.role == Role.FOUNDER.value:
        return export_founder_data(session=session, user=user)
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    notifications = session.exec(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(col(Notification.created_at))
    ).all()
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    browser_sessions = session.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
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
        "account": _row(user, _ACCOUNT_FIELDS),
        "organisation": _row(organisation, ("id", "name", "kind", "website"))
        if organisation
        else None,
        "notifications": [
            _row(n, ("id", "kind", "title", "body", "link", "created_at", "read_at"))
            for n in notifications
        ],
        "api_tokens": [
            _row(t, ("id", "name", "created_at", "expires_at", "revoked_at", "last_used_at"))
            for t in tokens
        ],
        "sessions": [
            _row(
                s,
                (
                    "id",
                    "created_at",
                    "expires_at",
                    "last_seen_at",
                    "revoked_at",
                    "ip",
                    "user_agent",
                ),
            )
            for s in browser_sessions
        ],
        "activity": [
            _row(a, ("action", "object_type", "object_id", "before", "after", "at")) for a in audit
        ],
    }


def _leave_investor_deals(session: Session, user: User) -> None:
    """An investor leaving: the organisation's open deals close if nobody is left to follow them.

    Colleagues who stay carry the deals on (founders then see one of them as the contact).
    """
    investor_id = member_investor_id(session, user)
    if investor_id is None:
        return
    if any(member.id != user.id for member in active_members(session, investor_id)):
        return
    close_investor_deals(
        session=session,
        actor=user,
        investor_id=investor_id,
        reason=DealClosedReason.INVESTOR_ERASED,
    )


def erase_account(*, session: Session, user: User, password: str) -> None:
    """Erase the account: a founder's ventures go too; the audit trail keeps who-did-what only."""
    if user.role not in SELF_ERASABLE_ROLES:
        raise Forbidden("Staff and admin accounts are closed by an admin, not erased here")
    if not passwords.verify_password(user.password_hash, password):
        raise ValidationFailed([FieldError("password", "Your password is wrong")])
    assert user.id is not None
    user_id, role = user.id, user.role
    venture_ids = session.exec(select(Venture.id).where(Venture.owner_id == user_id)).all()
    for venture_id in venture_ids:
        if venture_id is not None:  # commits each
            delete_venture(
                session=session,
                actor=user,
                venture_id=venture_id,
                reason=DealClosedReason.FOUNDER_ERASED,
            )
    if role == Role.INVESTOR.value:
        _leave_investor_deals(session, user)
    # Email rows hold the address and message bodies: they go with the person.
    session.exec(delete(EmailDelivery).where(col(EmailDelivery.user_id) == user_id))
    # Invitations are addressed to the email: they go with it.
    session.exec(
        delete(MemberInvitation).where(col(MemberInvitation.email) == str(user.email).lower())
    )
    scrub_personal_data(session=session, object_type="user", object_id=user_id)
    # What they did stays (who, what, when); what it contained and where from does not.
    session.exec(
        update(AuditLog)
        .where(col(AuditLog.actor_id) == user_id)
        .values(before=None, after=None, ip=None)
    )
    session.delete(user)
    record_audit(
        session=session,
        actor=None,
        action="user.erased",
        object_type="user",
        object_id=user_id,
        after={"role": role},
    )
    session.commit()
