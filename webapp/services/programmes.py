"""Programmes (an accelerator cohort, a fund's pipeline) and who on the staff may see what.

Scope rule, used by every staff view: admins see everything; staff assigned to one or more
programmes see only those programmes' ventures; staff assigned to none are the platform team
and see the whole pipeline. Founders and investors see no staff view at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webapp.models import Programme, ProgrammeMember, ProgrammeVenture, User, Venture
from webapp.models.enums import Role
from webapp.services.audit import record_audit
from webapp.services.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed

STAFF_ROLES = frozenset({Role.STAFF.value, Role.ADMIN.value})

# None means "no restriction"; a set (possibly empty) restricts to those programmes' ventures.
Scope = frozenset[int] | None


def require_staff(user: User) -> None:
    """Refuse anyone who is not programme staff or an admin."""
    if user.role not in STAFF_ROLES:
        raise Forbidden("Only programme staff and admins can use the staff views")


def staff_scope(*, session: Session, user: User) -> Scope:
    """The programmes whose ventures this user may see; None for everything."""
    require_staff(user)
    if user.role == Role.ADMIN.value:
        return None
    ids = session.exec(
        select(col(ProgrammeMember.programme_id)).where(col(ProgrammeMember.user_id) == user.id)
    ).all()
    return frozenset(int(i) for i in ids) or None


def resolve_programmes(*, session: Session, user: User, programme: int | None) -> Scope:
    """The programme filter for a request: the user's scope narrowed to `programme` if given."""
    scope = staff_scope(session=session, user=user)
    if programme is None:
        return scope
    if session.get(Programme, programme) is None:
        raise ValidationFailed(
            [FieldError("programme", f"no programme {programme}; see /staff/programmes")]
        )
    if scope is not None and programme not in scope:
        raise Forbidden(f"You are not assigned to programme {programme}")
    return frozenset({programme})


def venture_visible(*, session: Session, scope: Scope, venture_id: int) -> bool:
    """Whether a venture's details are inside the scope."""
    if scope is None:
        return True
    if not scope:
        return False
    found = session.exec(
        select(col(ProgrammeVenture.venture_id))
        .where(col(ProgrammeVenture.venture_id) == venture_id)
        .where(col(ProgrammeVenture.programme_id).in_(sorted(scope)))
        .limit(1)
    ).first()
    return found is not None


def _managed(*, session: Session, actor: User, programme_id: int) -> Programme:
    """The programme if the actor may manage it (404 if it is outside their scope)."""
    scope = staff_scope(session=session, user=actor)
    programme = session.get(Programme, programme_id)
    if programme is None or (scope is not None and programme_id not in scope):
        raise NotFound(f"No programme {programme_id}")
    return programme


def create_programme(
    *, session: Session, actor: User, name: str, description: str = "", ip: str | None = None
) -> Programme:
    """Create a programme; staff who are already scoped join it so they can see what they made."""
    scope = staff_scope(session=session, user=actor)
    name = name.strip()
    errors = []
    if not 2 <= len(name) <= 160:
        errors.append(FieldError("name", f"{len(name)} characters; use 2 to 160"))
    if len(description) > 4000:
        errors.append(FieldError("description", f"{len(description)} characters; use up to 4000"))
    if errors:
        raise ValidationFailed(errors)
    programme = Programme(name=name, description=description.strip(), created_by=actor.id)
    session.add(programme)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"A programme called {name!r} already exists") from None
    if scope is not None:
        assert programme.id is not None
        assert actor.id is not None
        session.add(ProgrammeMember(programme_id=programme.id, user_id=actor.id))
    record_audit(
        session=session,
        actor=actor,
        action="programme.create",
        object_type="programme",
        object_id=programme.id,
        after={"name": name, "description": programme.description},
        ip=ip,
    )
    session.commit()
    return programme


def enrol_ventures(
    *,
    session: Session,
    actor: User,
    programme_id: int,
    venture_ids: Sequence[int],
    ip: str | None = None,
) -> int:
    """Enrol ventures in a programme (already-enrolled ones are left alone); returns how many."""
    programme = _managed(session=session, actor=actor, programme_id=programme_id)
    wanted = list(dict.fromkeys(venture_ids))
    known = set(session.exec(select(col(Venture.id)).where(col(Venture.id).in_(wanted))).all())
    errors = [
        FieldError(f"venture_ids[{i}]", f"no venture {vid}")
        for i, vid in enumerate(wanted)
        if vid not in known
    ]
    if errors:
        raise ValidationFailed(errors)
    present = set(
        session.exec(
            select(col(ProgrammeVenture.venture_id))
            .where(col(ProgrammeVenture.programme_id) == programme.id)
            .where(col(ProgrammeVenture.venture_id).in_(wanted))
        ).all()
    )
    added = [vid for vid in wanted if vid not in present]
    for vid in added:
        session.add(ProgrammeVenture(programme_id=programme_id, venture_id=vid))
    if added:
        record_audit(
            session=session,
            actor=actor,
            action="programme.enrol",
            object_type="programme",
            object_id=programme.id,
            after={"venture_ids": added},
            ip=ip,
        )
    session.commit()
    return len(added)


def withdraw_venture(
    *, session: Session, actor: User, programme_id: int, venture_id: int, ip: str | None = None
) -> None:
    """Take a venture out of a programme."""
    programme = _managed(session=session, actor=actor, programme_id=programme_id)
    link = session.get(ProgrammeVenture, (programme.id, venture_id))
    if link is None:
        raise NotFound(f"Venture {venture_id} is not enrolled in programme {programme_id}")
    session.delete(link)
    record_audit(
        session=session,
        actor=actor,
        action="programme.withdraw",
        object_type="programme",
        object_id=programme.id,
        before={"venture_id": venture_id},
        ip=ip,
    )
    session.commit()


def assign_staff(
    *, session: Session, actor: User, programme_id: int, user_id: int, ip: str | None = None
) -> None:
    """Assign a staff member to a programme: from then on they see only assigned programmes."""
    programme = _managed(session=session, actor=actor, programme_id=programme_id)
    member = session.get(User, user_id)
    if member is None or member.role != Role.STAFF.value:
        raise ValidationFailed(
            [FieldError("user_id", f"user {user_id} is not a staff account; assign staff only")]
        )
    if session.get(ProgrammeMember, (programme.id, user_id)) is not None:
        return
    session.add(ProgrammeMember(programme_id=programme_id, user_id=user_id))
    record_audit(
        session=session,
        actor=actor,
        action="programme.assign",
        object_type="programme",
        object_id=programme.id,
        after={"user_id": user_id},
        ip=ip,
    )
    session.commit()


def unassign_staff(
    *, session: Session, actor: User, programme_id: int, user_id: int, ip: str | None = None
) -> None:
    """Remove a staff member from a programme."""
    programme = _managed(session=session, actor=actor, programme_id=programme_id)
    link = session.get(ProgrammeMember, (programme.id, user_id))
    if link is None:
        raise NotFound(f"User {user_id} is not assigned to programme {programme_id}")
    session.delete(link)
    record_audit(
        session=session,
        actor=actor,
        action="programme.unassign",
        object_type="programme",
        object_id=programme.id,
        before={"user_id": user_id},
        ip=ip,
    )
    session.commit()


@dataclass(frozen=True, slots=True)
class ProgrammeSummary:
    """A programme as the list shows it."""

    id: int
    name: str
    description: str
    ventures: int
    staff: int


def list_programmes(*, session: Session, viewer: User) -> list[ProgrammeSummary]:
    """The programmes the viewer may see, with their venture and staff counts."""
    scope = staff_scope(session=session, user=viewer)
    ventures = (
        sa_select(func.count())
        .where(col(ProgrammeVenture.programme_id) == col(Programme.id))
        .scalar_subquery()
    )
    staff = (
        sa_select(func.count())
        .where(col(ProgrammeMember.programme_id) == col(Programme.id))
        .scalar_subquery()
    )
    query = sa_select(
        col(Programme.id), col(Programme.name), col(Programme.description), ventures, staff
    ).order_by(col(Programme.name))
    if scope is not None:
        query = query.where(col(Programme.id).in_(sorted(scope)))
    return [
        ProgrammeSummary(id=r[0], name=r[1], description=r[2], ventures=r[3], staff=r[4])
        for r in session.connection().execute(query).all()
    ]


@dataclass(frozen=True, slots=True)
class ProgrammeDetail:
    """A programme with its ventures and assigned staff."""

    programme: Programme
    ventures: list[Venture]
    staff: list[User]


def programme_detail(*, session: Session, viewer: User, programme_id: int) -> ProgrammeDetail:
    """One programme the viewer may see."""
    programme = _managed(session=session, actor=viewer, programme_id=programme_id)
    ventures = session.exec(
        select(Venture)
        .join(ProgrammeVenture, col(ProgrammeVenture.venture_id) == col(Venture.id))
        .where(col(ProgrammeVenture.programme_id) == programme_id)
        .order_by(col(Venture.name))
    ).all()
    staff = session.exec(
        select(User)
        .join(ProgrammeMember, col(ProgrammeMember.user_id) == col(User.id))
        .where(col(ProgrammeMember.programme_id) == programme_id)
        .order_by(col(User.name))
    ).all()
    return ProgrammeDetail(programme=programme, ventures=list(ventures), staff=list(staff))


def staff_accounts(*, session: Session) -> list[User]:
    """Active staff accounts, for the assignment form."""
    rows = session.exec(
        select(User)
        .where(col(User.role) == Role.STAFF.value)
        .where(col(User.active).is_(True))
        .order_by(col(User.name))
    ).all()
    return list(rows)
