"""Who may read or change which object: one place, so pages and the API agree.

The rule everywhere: an object the caller may not read is "not found" (404), so ids reveal
nothing; an object the caller may read but not change is "forbidden" (403).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, or_
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from webapp.models import (
    Deal,
    Introduction,
    InvestorProfile,
    Match,
    PlatformStaff,
    ProgrammeMember,
    ProgrammeVenture,
    User,
    Venture,
)
from webapp.models.enums import Role, Visibility
from webapp.services.common.errors import Forbidden, NotFound

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


def staff_may_see_venture(session: Session, viewer: User, venture_id: int | None) -> bool:
    """Whether a staff member's programme scope includes the venture (always for admins).

    `None` is an erased venture's: only unscoped staff still see what hung off it.
    """
    scope = staff_venture_ids(session, viewer)
    if scope is None:
        return True
    if venture_id is None:
        return False
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


def active_members(session: Session, investor_id: int) -> list[User]:
    """The active investor users of the organisation behind a mandate: who hears its news."""
    profile = session.get(InvestorProfile, investor_id)
    if profile is None:
        return []
    return list(
        session.exec(
            select(User)
            .where(col(User.organisation_id) == profile.organisation_id)
            .where(col(User.role) == Role.INVESTOR.value)
            .where(col(User.active) == True)  # noqa: E712
            .order_by(col(User.id))
        ).all()
    )


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


def founder_known_investors(
    founder: User, investor_id: Mapped[int | None] | ColumnElement[int]
) -> ColumnElement[bool]:
    """A condition on an investor id column: the investor is in the ranked list of one of the
    founder's published ventures (what the founder is shown), or the two sides have (had) an
    introduction. Only those investors' public profiles are open to the founder (pages, API and
    search all use this one rule)."""
    owned = select(col(Venture.id)).where(col(Venture.owner_id) == founder.id)
    published = owned.where(col(Venture.visibility) == Visibility.PUBLISHED.value)
    ranked = (
        select(col(Match.investor_id))
        .where(col(Match.venture_id).in_(published))
        .where(col(Match.venture_rank).is_not(None))
    )
    introduced = select(col(Introduction.investor_id)).where(
        col(Introduction.venture_id).in_(owned)
    )
    return or_(investor_id.in_(ranked), investor_id.in_(introduced))


def founder_knows_investor(session: Session, founder: User, investor_id: int) -> bool:
    """Whether a founder may read this investor's public profile (`founder_known_investors`)."""
    if founder.role != Role.FOUNDER.value:
        return False
    found = session.exec(
        select(InvestorProfile.id)
        .where(col(InvestorProfile.id) == investor_id)
        .where(founder_known_investors(founder, col(InvestorProfile.id)))
    ).first()
    return found is not None


def readable_investor_profile(session: Session, viewer: User, investor_id: int) -> InvestorProfile:
    """The public side of a mandate: its members, staff, and founders who know the investor
    (see `founder_knows_investor`); everyone else gets NotFound."""
    profile = session.get(InvestorProfile, investor_id)
    if profile is None or not (
        is_member(viewer, profile)
        or is_staff(viewer)
        or founder_knows_investor(session, viewer, investor_id)
    ):
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


def deal_side(session: Session, user: User, venture_id: int | None, investor_id: int) -> str | None:
    """`founder` or `investor` when the user is a party to this pair, else None.

    An erased venture (`venture_id` None) has no founder side left.
    """
    if user.role == Role.FOUNDER.value:
        if venture_id is None:
            return None
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
