"""What each staff account sees, and the one switch only admins hold: platform-wide access.

Platform-wide access is a grant an admin makes on purpose (a `platform_staff` row), never
the side effect of having no programme: otherwise a staff member could leave their only
programme and see everything. `actor=None` is the command line on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from webapp.models import PlatformStaff, Programme, ProgrammeMember, User, utcnow
from webapp.models.enums import Role
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import FieldError, Forbidden, NotFound, ValidationFailed


@dataclass(frozen=True, slots=True)
class StaffAccess:
    """A staff account, whether it sees the whole platform, and its programmes by name."""

    user: User
    platform_wide: bool
    programmes: list[str]

    @property
    def sees(self) -> str:
        """In words, for the admin's list."""
        if self.platform_wide:
            return "The whole platform"
        if not self.programmes:
            return "Nothing yet: no programme"
        return ", ".join(self.programmes)


def _require_admin(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN.value:
        raise Forbidden("Only admins decide what staff accounts see")


def staff_access(
    *, session: Session, viewer: User | None, only: int | None = None
) -> list[StaffAccess]:
    """Every staff account (active or not), or just `only`, with what it sees, by name."""
    _require_admin(viewer)
    users_query = select(User).where(col(User.role) == Role.STAFF.value)
    grants_query = select(PlatformStaff.user_id)
    programmes_query = (
        select(ProgrammeMember.user_id, Programme.name)
        .join(Programme, col(Programme.id) == col(ProgrammeMember.programme_id))
        .order_by(col(Programme.name))
    )
    if only is not None:
        users_query = users_query.where(col(User.id) == only)
        grants_query = grants_query.where(col(PlatformStaff.user_id) == only)
        programmes_query = programmes_query.where(col(ProgrammeMember.user_id) == only)
    users = session.exec(users_query.order_by(col(User.name), col(User.id))).all()
    wide = set(session.exec(grants_query).all())
    programmes: dict[int, list[str]] = {}
    for user_id, name in session.exec(programmes_query).all():
        programmes.setdefault(user_id, []).append(name)
    return [
        StaffAccess(user=u, platform_wide=u.id in wide, programmes=programmes.get(u.id or 0, []))
        for u in users
    ]


def access_of(*, session: Session, viewer: User | None, user_id: int) -> StaffAccess:
    """One staff account's access (404 for any id that isn't a staff account)."""
    found = staff_access(session=session, viewer=viewer, only=user_id)
    if not found:
        raise NotFound(f"No staff account {user_id}")
    return found[0]


def set_platform_wide(
    *,
    session: Session,
    actor: User | None,
    user_id: int,
    platform_wide: bool,
    ip: str | None = None,
) -> StaffAccess:
    """Grant or remove platform-wide access; audited; a no-op when nothing changes."""
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None or user.role != Role.STAFF.value:
        if user is not None and user.role == Role.ADMIN.value:
            raise ValidationFailed([FieldError("user_id", "admins always see the whole platform")])
        raise NotFound(f"No staff account {user_id}")
    grant = session.get(PlatformStaff, user_id)
    if platform_wide and grant is None:
        session.add(
            PlatformStaff(
                user_id=user_id, granted_by=actor.id if actor else None, granted_at=utcnow()
            )
        )
    elif not platform_wide and grant is not None:
        session.delete(grant)
    else:
        return access_of(session=session, viewer=actor, user_id=user_id)
    record_audit(
        session=session,
        actor=actor,
        action="staff.platform_granted" if platform_wide else "staff.platform_removed",
        object_type="user",
        object_id=user_id,
        before={"platform_wide": not platform_wide},
        after={"platform_wide": platform_wide},
        ip=ip,
    )
    session.commit()
    return access_of(session=session, viewer=actor, user_id=user_id)
