"""Programmes (an accelerator cohort, a fund's pipeline): who sees them and who runs them.

What a staff account sees (the rule lives in `object_access.staff_programme_scope`):
- admins, and staff an admin has made platform-wide, see every programme and venture;
- other staff see only the ventures of the programmes they are assigned to; with none, nothing.
Founders and investors see no staff view at all.

Who may change what, chosen so that nobody can widen their own view:
- only admins assign and unassign staff, and grant or remove platform-wide access
  (`staff_access`); a staff member can't touch assignments, not even their own;
- admins and platform-wide staff create programmes (a new programme is empty, and they see
  everything already); programme staff can't;
- anyone who sees a programme enrols and withdraws its ventures (`programme_enrolment`), where
  a venture that isn't published joins only when its founder accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webapp.models import Programme, ProgrammeMember, ProgrammeVenture, User, Venture
from webapp.models.bounds import max_length
from webapp.models.enums import Role
from webapp.services.access.object_access import STAFF_ROLES, staff_programme_scope
from webapp.services.access.staff_scope import require_staff, staff_scope
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)


def visible_programme(*, session: Session, viewer: User, programme_id: int) -> Programme:
    """The programme if it is in the viewer's scope; otherwise NotFound, as if it didn't exist."""
    scope = staff_scope(session=session, user=viewer)
    programme = session.get(Programme, programme_id)
    if programme is None or (scope is not None and programme_id not in scope):
        raise NotFound(f"No programme {programme_id}")
    return programme


def require_admin(actor: User, action: str) -> None:
    """Refuse staff an action only admins take (after the 404 check, so ids stay hidden)."""
    if actor.role != Role.ADMIN.value:
        raise Forbidden(f"Only admins {action}")


def may_create_programmes(*, session: Session, user: User) -> bool:
    """Admins and platform-wide staff: for them a new, empty programme widens nothing."""
    return user.role in STAFF_ROLES and staff_programme_scope(session, user) is None


def create_programme(
    *, session: Session, actor: User, name: str, description: str = "", ip: str | None = None
) -> Programme:
    """Create an empty programme (admins and platform-wide staff)."""
    require_staff(actor)
    if not may_create_programmes(session=session, user=actor):
        raise Forbidden("Only admins and platform-wide staff create programmes; ask an admin")
    name = name.strip()
    errors = []
    longest_name = max_length(Programme, "name")
    if not 2 <= len(name) <= longest_name:
        errors.append(FieldError("name", f"{len(name)} characters; use 2 to {longest_name}"))
    longest_description = max_length(Programme, "description")
    if len(description) > longest_description:
        errors.append(
            FieldError(
                "description",
                f"{len(description)} characters; use up to {longest_description}",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    programme = Programme(name=name, description=description.strip(), created_by=actor.id)
    session.add(programme)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"A programme called {name!r} already exists") from None
    _commit_with_audit(
        session,
        actor,
        "programme.create",
        programme,
        ip,
        after={"name": name, "description": programme.description},
    )
    return programme


def assign_staff(
    *, session: Session, actor: User, programme_id: int, user_id: int, ip: str | None = None
) -> None:
    """An admin assigns a staff member: they see this programme's ventures from then on."""
    programme = visible_programme(session=session, viewer=actor, programme_id=programme_id)
    require_admin(actor, "assign staff to programmes")
    member = session.get(User, user_id)
    if member is None or member.role != Role.STAFF.value:
        raise ValidationFailed(
            [FieldError("user_id", f"user {user_id} is not a staff account; assign staff only")]
        )
    if session.get(ProgrammeMember, (programme.id, user_id)) is not None:
        return
    session.add(ProgrammeMember(programme_id=programme_id, user_id=user_id))
    _commit_with_audit(
        session, actor, "programme.assign", programme, ip, after={"user_id": user_id}
    )


def unassign_staff(
    *, session: Session, actor: User, programme_id: int, user_id: int, ip: str | None = None
) -> None:
    """An admin removes a staff member: they stop seeing this programme's ventures.

    Never a widening: without a programme a staff member sees nothing, unless an admin has
    made them platform-wide.
    """
    programme = visible_programme(session=session, viewer=actor, programme_id=programme_id)
    require_admin(actor, "remove staff from programmes")
    link = session.get(ProgrammeMember, (programme.id, user_id))
    if link is None:
        raise NotFound(f"User {user_id} is not assigned to programme {programme_id}")
    session.delete(link)
    _commit_with_audit(
        session, actor, "programme.unassign", programme, ip, before={"user_id": user_id}
    )


def _commit_with_audit(
    session: Session,
    actor: User,
    action: str,
    programme: Programme,
    ip: str | None,
    **change: dict[str, Any],
) -> None:
    """Commit a change to a programme together with its audit row (`before` / `after`)."""
    record_audit(session=session, actor=actor, action=action, object_type="programme",
                 object_id=programme.id, ip=ip, **change)  # fmt: skip
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
    programme = visible_programme(session=session, viewer=viewer, programme_id=programme_id)
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
