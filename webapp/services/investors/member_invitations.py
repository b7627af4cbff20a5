"""Bringing a colleague into an investor organisation: an invitation that only they can accept.

Joining shows the organisation's ranked ventures and founders' contact details, so it takes the
invitee's consent; and the inviter hears the same thing for every address (registered or not,
investor or not), so the form can't be used to find out who has an account. We email only
active investor accounts (in the app and by email, through the outbox); for any other address
nothing is sent, and the invitation waits `INVITATION_DAYS` for someone to register with that
address, confirm it, and accept. We never mail addresses that have no account with us, so the
form can't be used to send mail to strangers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from webapp.models import InvestorProfile, MemberInvitation, User, utcnow
from webapp.models.enums import InvitationStatus, Role
from webapp.services.access.object_access import (
    is_member,
    member_investor,
    readable_investor,
    staff_programme_scope,
)
from webapp.services.accounts.accounts import find_user_by_email, normalise_email
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from webapp.services.common.ids import saved_id
from webapp.services.common.locks import begin_write
from webapp.services.outbox.notifications import answer_verb, notify, tell_asker

INVITATION_DAYS = 14
# Open invitations per organisation: plenty for a firm, too few to pester people with.
MAX_OPEN = 25
INVITED = "investor.invited"  # invitee: a colleague asks them to manage the mandate
INVITATION_ANSWERED = "investor.invitation_answered"  # inviter: accepted or declined
INVITEE_PAGE = "/investor/invitations"


@dataclass(frozen=True, slots=True)
class InvitationView:
    """An invitation as the inviter's organisation and the invitee see it."""

    id: int
    investor_id: int
    organisation_name: str  # as its mandate is called now
    email: str
    status: str  # pending invitations past their date read as "expired"
    invited_by_name: str | None
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None


def _effective_status(invitation: MemberInvitation, now: datetime) -> str:
    if invitation.status == InvitationStatus.PENDING.value and invitation.expires_at <= now:
        return InvitationStatus.EXPIRED.value
    return invitation.status


def _views(session: Session, where: list[ColumnElement[bool]], limit: int) -> list[InvitationView]:
    now = utcnow()
    rows = session.exec(
        select(MemberInvitation, InvestorProfile.id, InvestorProfile.name, User.name)
        .join(
            InvestorProfile,
            col(InvestorProfile.organisation_id) == col(MemberInvitation.organisation_id),
        )
        .outerjoin(User, col(User.id) == col(MemberInvitation.invited_by))
        .where(*where)
        .order_by(col(MemberInvitation.created_at).desc(), col(MemberInvitation.id).desc())
        .limit(limit)
    ).all()
    return [
        InvitationView(
            id=saved_id(invitation),
            investor_id=int(investor_id or 0),
            organisation_name=mandate_name,
            email=invitation.email,
            status=_effective_status(invitation, now),
            invited_by_name=inviter,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            answered_at=invitation.answered_at,
        )
        for invitation, investor_id, mandate_name, inviter in rows
    ]


def _view(session: Session, invitation_id: int) -> InvitationView:
    [found] = _views(session, [col(MemberInvitation.id) == invitation_id], 1)
    return found


def invite_member(
    *, session: Session, actor: User, investor_id: int, email: str, ip: str | None = None
) -> InvitationView:
    """Record an invitation; the answer is the same whoever the address belongs to."""
    address = normalise_email(email)
    begin_write(session=session, name="invitations")
    profile = member_investor(session, actor, investor_id)
    if address == str(actor.email).lower():
        raise ValidationFailed([FieldError("email", "That is your own address")])
    organisation_id = profile.organisation_id
    # Members are listed to the inviter already, so saying so reveals nothing new.
    member = session.exec(
        select(User.id)
        .where(func.lower(col(User.email)) == address)
        .where(col(User.organisation_id) == organisation_id)
        .where(col(User.role) == Role.INVESTOR.value)
    ).first()
    if member is not None:
        raise Conflict(f"{address} already manages this mandate")
    now = utcnow()
    open_one = session.exec(
        select(MemberInvitation)
        .where(col(MemberInvitation.organisation_id) == organisation_id)
        .where(col(MemberInvitation.email) == address)
        .where(col(MemberInvitation.status) == InvitationStatus.PENDING.value)
    ).first()
    if open_one is not None and open_one.expires_at > now:
        session.rollback()
        return _view(session, saved_id(open_one))  # inviting twice changes nothing
    if open_one is not None:
        open_one.status = InvitationStatus.EXPIRED.value
        session.add(open_one)
        session.flush()  # free the one-open-invitation slot before the new row takes it
    waiting = session.exec(
        select(func.count())
        .select_from(MemberInvitation)
        .where(col(MemberInvitation.organisation_id) == organisation_id)
        .where(col(MemberInvitation.status) == InvitationStatus.PENDING.value)
        .where(col(MemberInvitation.expires_at) > now)
    ).one()
    if waiting >= MAX_OPEN:
        raise Conflict(
            f"Your organisation has {waiting} invitations waiting; revoke some before inviting more"
        )
    invitation = MemberInvitation(
        organisation_id=organisation_id,
        email=address,
        invited_by=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action="investor.member_invited",
        object_type="investor_profile",
        object_id=profile.id,
        # The id, not the address: the row (and so the address) goes if its owner erases it.
        after={"invitation_id": invitation.id},
        ip=ip,
    )
    invitee = find_user_by_email(session=session, email=address)
    if invitee is not None and invitee.role == Role.INVESTOR.value and invitee.active:
        notify(
            session=session,
            user=invitee,
            kind=INVITED,
            title=f"{actor.name} invited you to join {profile.name} on venturematch",
            body=(
                f"{actor.name} asked you to join {profile.name} on venturematch, to manage its "
                "mandate and ranked ventures with them.\n\n"
                f"Accept or decline on your invitations page; the invitation is open until "
                f"{invitation.expires_at:%-d %B %Y}. Nothing is shared until you accept."
            ),
            link=INVITEE_PAGE,
            data={"invitation_id": invitation.id, "investor_id": profile.id},
            dedupe_key=f"invitation:{invitation.id}",
        )
    session.commit()
    return _view(session, saved_id(invitation))


def organisation_invitations(
    *, session: Session, viewer: User, investor_id: int, limit: int = 100
) -> list[InvitationView]:
    """The organisation's invitations, newest first: its members, admins and platform-wide staff.

    Programme staff read mandates but not these: they hold addresses of people who may have
    no account with us.
    """
    profile = readable_investor(session, viewer, investor_id)
    if not is_member(viewer, profile) and staff_programme_scope(session, viewer) is not None:
        raise NotFound(f"No investor {investor_id}")
    return _views(
        session, [col(MemberInvitation.organisation_id) == profile.organisation_id], limit
    )


def _close(
    session: Session,
    invitation: MemberInvitation,
    actor: User,
    status: InvitationStatus,
    action: str,
    *,
    profile_id: int,
    ip: str | None,
    **audited: Any,
) -> None:
    """End a pending invitation (revoked, accepted or declined) by `actor`, on the audit trail."""
    invitation.status = status.value
    invitation.answered_at = utcnow()
    invitation.answered_by = actor.id
    session.add(invitation)
    record_audit(
        session=session,
        actor=actor,
        action=action,
        object_type="investor_profile",
        object_id=profile_id,
        after={"invitation_id": invitation.id, **audited},
        ip=ip,
    )


def revoke_invitation(
    *, session: Session, actor: User, investor_id: int, invitation_id: int, ip: str | None = None
) -> InvitationView:
    """A member withdraws an invitation nobody has answered yet."""
    begin_write(session=session, name="invitations")
    profile = member_investor(session, actor, investor_id)
    invitation = session.get(MemberInvitation, invitation_id)
    if invitation is None or invitation.organisation_id != profile.organisation_id:
        raise NotFound(f"No invitation {invitation_id} in investor {investor_id}")
    if _effective_status(invitation, utcnow()) != InvitationStatus.PENDING.value:
        raise Conflict(f"Invitation {invitation_id} is {_effective_status(invitation, utcnow())}")
    _close(session, invitation, actor, InvitationStatus.REVOKED, "investor.invitation_revoked",
           profile_id=saved_id(profile), ip=ip)  # fmt: skip
    session.commit()
    return _view(session, invitation_id)


def invitations_for(*, session: Session, user: User) -> list[InvitationView]:
    """Open invitations addressed to this investor account's email, newest first."""
    if user.role != Role.INVESTOR.value:
        return []
    return _views(
        session,
        [
            col(MemberInvitation.email) == str(user.email).lower(),
            col(MemberInvitation.status) == InvitationStatus.PENDING.value,
            col(MemberInvitation.expires_at) > utcnow(),
        ],
        50,
    )


def _addressed_to(session: Session, user: User, invitation_id: int) -> MemberInvitation:
    invitation = session.get(MemberInvitation, invitation_id)
    if (
        invitation is None
        or user.role != Role.INVESTOR.value
        or invitation.email != str(user.email).lower()
    ):
        raise NotFound(f"No invitation {invitation_id}")
    return invitation


def _can_leave(session: Session, user: User, joining: int) -> bool:
    """An account belongs to one organisation: it may move only from one with no mandate yet."""
    if user.organisation_id is None or user.organisation_id == joining:
        return True
    mandate = session.exec(
        select(InvestorProfile.id).where(
            col(InvestorProfile.organisation_id) == user.organisation_id
        )
    ).first()
    return mandate is None


def answer_invitation(
    *, session: Session, actor: User, invitation_id: int, accept: bool, ip: str | None = None
) -> InvitationView:
    """The invitee accepts (and joins the organisation) or declines; the inviter hears."""
    begin_write(session=session, name="invitations")
    invitation = _addressed_to(session, actor, invitation_id)
    status = _effective_status(invitation, utcnow())
    if status == InvitationStatus.EXPIRED.value:
        raise Conflict(
            f"This invitation expired on {invitation.expires_at:%-d %B %Y}; ask for a new one"
        )
    if status != InvitationStatus.PENDING.value:
        raise Conflict(f"This invitation is already {status}")
    profile = session.exec(
        select(InvestorProfile).where(
            col(InvestorProfile.organisation_id) == invitation.organisation_id
        )
    ).first()
    if profile is None:
        raise NotFound(f"No invitation {invitation_id}")  # the mandate has gone
    if accept:
        if actor.email_verified_at is None:
            raise Forbidden(
                "Confirm your email address first (we sent you a link; your account page can "
                "send another): the invitation is for whoever owns that address"
            )
        if not _can_leave(session, actor, invitation.organisation_id):
            raise Conflict(
                "Your account already manages another organisation's mandate, and an account "
                "belongs to one organisation; ask a colleague there to remove you first"
            )
        actor.organisation_id = invitation.organisation_id
        actor.updated_at = utcnow()
        session.add(actor)
    _close(
        session,
        invitation,
        actor,
        InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED,
        "investor.member_added" if accept else "investor.invitation_declined",
        profile_id=saved_id(profile),
        ip=ip,
        user_id=actor.id,
    )
    tell_asker(
        session=session,
        asker_id=invitation.invited_by,
        kind=INVITATION_ANSWERED,
        title=f"{actor.name} {answer_verb(accept)} your invitation to {profile.name}",
        body=(
            f"{actor.name} now manages the mandate of {profile.name} with you."
            if accept
            else f"{actor.name} won't be joining {profile.name} on venturematch."
        ),
        link="/investor/mandate#members",
        data={"invitation_id": invitation.id, "investor_id": profile.id},
        dedupe_key=f"invitation-answer:{invitation.id}",
    )
    session.commit()
    return _view(session, invitation_id)
