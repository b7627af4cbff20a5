"""Who may read or change which object: one place, so pages and the API agree.

The rule everywhere: an object the caller may not read is "not found" (404), so ids reveal
nothing; an object the caller may read but not change is "forbidden" (403).
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from webapp.models import (
    Deal,
    Introduction,
    InvestorProfile,
    PlatformStaff,
    ProgrammeMember,
    ProgrammeVenture,
    User,
    Venture,
)
from webapp.models.enums import Role, Visibility
from webapp.services.errors import Forbidden, NotFound

STAFF_ROLES = frozenset({Role.STAFF.value, Role.ADMIN.value})


def is_staff(user: User) -> bool:
    """Programme staff and admins read across the platform."""
    return user.role in STAFF_ROLES


def staff_programme_scope(session: Session, viewer: User) -> frozenset[int] | None:
    """The programmes whose ventures a staff account may see; None for the whole platform.

    Admins, and staff an admin made platform-wide (a `platform_staff` row), see everything.
    Other staff see their programmes' ventures only; with no programme they see nothing, so
    leaving or losing a programme can never widen anyone's view.
    """
    if viewer.role == Role.ADMIN.value:
        return None
    if viewer.role != Role.STAFF.value:
        return frozenset()
    rows = session.exec(
        select(ProgrammeMember.programme_id, PlatformStaff.user_id)
        .select_from(User)
        .outerjoin(ProgrammeMember, col(ProgrammeMember.user_id) == col(User.id))
        .outerjoin(PlatformStaff, col(PlatformStaff.user_id) == col(User.id))
        .where(col(User.id) == viewer.id)
    ).all()
    if any(platform is not None for _, platform in rows):
        return None
    return frozenset(int(programme) for programme, _ in rows if programme is not None)


def staff_venture_ids(session: Session, viewer: User) -> SelectOfScalar[int] | None:
    """The ventures a programme-scoped staff member may see, as a subquery of ids.

    None means no limit (admins and platform-wide staff); the scope rule is
    `staff_programme_scope`.
    """
    if viewer.role != Role.STAFF.value:
        return None
    programme_ids = staff_programme_scope(session, viewer)
    if programme_ids is None:
        return None
    return select(col(ProgrammeVenture.venture_id)).where(
        col(ProgrammeVenture.programme_id).in_(sorted(programme_ids))
    )


def staff_may_see_venture(session: Session, viewer: User, venture_id: int) -> bool:
    """Whether a staff member's programme scope includes the venture (always for admins)."""
    scope = staff_venture_ids(session, viewer)
    if scope is None:
        return True
    return (
        session.exec(scope.where(col(ProgrammeVenture.venture_id) == venture_id)).first()
        is not None
    )


def member_investor_id(session: Session, user: User) -> int | None:
    """The investor profile of the user's organisation, if the user is an investor with one."""
    if user.role != Role.INVESTOR.value or user.organisation_id is None:
        return None
    return session.exec(
        select(InvestorProfile.id).where(InvestorProfile.organisation_id == user.organisation_id)
    ).first()


def is_member(user: User, profile: InvestorProfile) -> bool:
    """Whether the user belongs to the organisation that owns the profile."""
    return (
        user.role == Role.INVESTOR.value
        and user.organisation_id is not None
        and user.organisation_id == profile.organisation_id
    )


def can_read_venture(session: Session, viewer: User, venture: Venture) -> bool:
    """Owners and staff always; investors when published or when they are already in touch."""
    if venture.owner_id == viewer.id:
        return True
    if is_staff(viewer):
        return staff_may_see_venture(session, viewer, venture.id or 0)
    if viewer.role != Role.INVESTOR.value:
        return False
    if venture.visibility == Visibility.PUBLISHED.value:
        return True
    investor_id = member_investor_id(session, viewer)
    if investor_id is None:
        return False
    return (
        session.exec(
            select(Introduction.id)
            .where(Introduction.venture_id == venture.id)
            .where(Introduction.investor_id == investor_id)
        ).first()
        is not None
    )


def readable_venture(session: Session, viewer: User, venture_id: int) -> Venture:
    """The venture if the viewer may read it; otherwise NotFound."""
    venture = session.get(Venture, venture_id)
    if venture is None or not can_read_venture(session, viewer, venture):
        raise NotFound(f"No venture {venture_id}")
    return venture


def owned_venture(session: Session, actor: User, venture_id: int) -> Venture:
    """The venture if the actor owns it; 404 if they can't see it, 403 if they only can see it."""
    venture = readable_venture(session, actor, venture_id)
    if venture.owner_id != actor.id:
        raise Forbidden(f"Only the venture's founder can change venture {venture_id}")
    return venture


def readable_investor(session: Session, viewer: User, investor_id: int) -> InvestorProfile:
    """A mandate its members and staff may read; others get NotFound."""
    profile = session.get(InvestorProfile, investor_id)
    if profile is None or not (is_member(viewer, profile) or is_staff(viewer)):
        raise NotFound(f"No investor {investor_id}")
    return profile


_ORGANISATION_OF_INVESTOR = select(col(InvestorProfile.organisation_id)).where(
    col(InvestorProfile.id) == bindparam("investor_id")
)  # built once: this check runs on every list request


def readable_investor_id(session: Session, viewer: User, investor_id: int) -> bool:
    """Like readable_investor, reading one column; True when the viewer is a member."""
    organisation_id = (
        session.connection()
        .execute(_ORGANISATION_OF_INVESTOR, {"investor_id": investor_id})
        .scalar_one_or_none()
    )
    member = (
        organisation_id is not None
        and viewer.role == Role.INVESTOR.value
        and viewer.organisation_id == organisation_id
    )
    if organisation_id is None or not (member or is_staff(viewer)):
        raise NotFound(f"No investor {investor_id}")
    return member


def member_investor(session: Session, actor: User, investor_id: int) -> InvestorProfile:
    """The mandate if the actor is a member (403 for staff, who may only read it)."""
    profile = readable_investor(session, actor, investor_id)
    if not is_member(actor, profile):
        raise Forbidden(f"Only members of investor {investor_id} can act for it")
    return profile


def deal_side(session: Session, user: User, venture_id: int, investor_id: int) -> str | None:
    """`founder` or `investor` when the user is a party to this pair, else None."""
    if user.role == Role.FOUNDER.value:
        owner = session.exec(select(Venture.owner_id).where(Venture.id == venture_id)).first()
        return "founder" if owner == user.id else None
    if user.role == Role.INVESTOR.value and member_investor_id(session, user) == investor_id:
        return "investor"
    return None


def readable_introduction(session: Session, viewer: User, introduction_id: int) -> Introduction:
    """An introduction its two sides and staff may read."""
    intro = session.get(Introduction, introduction_id)
    if intro is None or not (
        (is_staff(viewer) and staff_may_see_venture(session, viewer, intro.venture_id))
        or deal_side(session, viewer, intro.venture_id, intro.investor_id)
    ):
        raise NotFound(f"No introduction {introduction_id}")
    return intro


def readable_deal(session: Session, viewer: User, deal_id: int) -> Deal:
    """A deal its two parties and staff may read."""
    deal = session.get(Deal, deal_id)
    if deal is None or not (
        (is_staff(viewer) and staff_may_see_venture(session, viewer, deal.venture_id))
        or deal_side(session, viewer, deal.venture_id, deal.investor_id)
    ):
        raise NotFound(f"No deal {deal_id}")
    return deal
