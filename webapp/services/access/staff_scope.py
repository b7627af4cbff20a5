"""Which programmes' ventures a staff account sees, as the staff views and reports filter them.

The rule itself is `object_access.staff_programme_scope`; these are the forms the staff pages,
the reports and the programme services ask it in. They only read, so reports may use them
without depending on the services that write programmes.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from webapp.models import Programme, ProgrammeVenture, User
from webapp.services.access.object_access import is_staff, staff_programme_scope
from webapp.services.common.errors import FieldError, Forbidden, ValidationFailed

# None means "no restriction"; a set (possibly empty) restricts to those programmes' ventures.
Scope = frozenset[int] | None


def require_staff(user: User) -> None:
    """Refuse anyone who is not programme staff or an admin."""
    if not is_staff(user):
        raise Forbidden("Only programme staff and admins can use the staff views")


def staff_scope(*, session: Session, user: User) -> Scope:
    """The programmes whose ventures this user may see; None for everything."""
    require_staff(user)
    return staff_programme_scope(session, user)


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
