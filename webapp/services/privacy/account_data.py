"""Erasing an account and what hangs off it (the right to erasure; the download is
`webapp.services.privacy.data_export`)."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select, update

from webapp.models import (
    AuditLog,
    EmailDelivery,
    MemberInvitation,
    User,
    Venture,
)
from webapp.models.enums import DealClosedReason, Role
from webapp.services.access.object_access import active_members, member_investor_id
from webapp.services.accounts import passwords
from webapp.services.common.audit import record_audit, scrub_personal_data
from webapp.services.common.errors import FieldError, Forbidden, ValidationFailed
from webapp.services.deals.deal_closures import close_investor_deals
from webapp.services.ventures.ventures import delete_venture

SELF_ERASABLE_ROLES = (Role.FOUNDER.value, Role.INVESTOR.value)


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
