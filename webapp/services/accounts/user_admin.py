"""Staff and admin accounts, made only by an admin (or the CLI), and deactivation: all audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from webapp.models import User, utcnow
from webapp.models.enums import Role
from webapp.services.accounts import api_tokens, passwords, sessions
from webapp.services.accounts.accounts import check_new_account, clean_name, normalise_email
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import FieldError, Forbidden, NotFound, ValidationFailed

PRIVILEGED_ROLES = (Role.STAFF.value, Role.ADMIN.value)


@dataclass(frozen=True)
class UserPage:
    """One page of the admin's user list."""

    items: list[User]
    total: int
    limit: int
    offset: int


def _require_admin(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN.value:
        raise Forbidden("Only admins manage user accounts")


def create_privileged_user(
    *,
    session: Session,
    actor: User | None,
    email: str,
    password: str,
    name: str,
    role: str,
    ip: str | None = None,
) -> User:
    """Make a staff or admin account; `actor` None means the command line on the server."""
    _require_admin(actor)
    if role not in PRIVILEGED_ROLES:
        raise ValidationFailed(
            [
                FieldError(
                    "role", f"{role!r} isn't made here; choose one of {list(PRIVILEGED_ROLES)}"
                )
            ]
        )
    email = normalise_email(email)
    name = clean_name(name)
    check_new_account(session, email, password)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=passwords.hash_password(password),
        email_verified_at=utcnow(),  # an admin vouches for the address
    )
    session.add(user)
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action="user.created",
        object_type="user",
        object_id=user.id,
        after={"role": role, "by": "admin" if actor else "cli"},
        ip=ip,
    )
    session.commit()
    return user


def set_active(
    *, session: Session, actor: User | None, user_id: int, active: bool, ip: str | None = None
) -> User:
    """Deactivate (every session and API token ends at once) or reactivate an account."""
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}")
    if actor is not None and actor.id == user.id and not active:
        raise Forbidden("You can't deactivate your own account; ask another admin")
    if user.active == active:
        return user
    user.active = active
    user.updated_at = utcnow()
    session.add(user)
    if not active:
        sessions.revoke_user_sessions(session=session, user_id=user_id)
        api_tokens.revoke_user_tokens(session=session, user_id=user_id)
    record_audit(
        session=session,
        actor=actor,
        action="user.reactivated" if active else "user.deactivated",
        object_type="user",
        object_id=user_id,
        before={"active": not active},
        after={"active": active},
        ip=ip,
    )
    session.commit()
    return user


def list_users(
    *,
    session: Session,
    limit: int = 50,
    offset: int = 0,
    role: str | None = None,
    query: str | None = None,
) -> UserPage:
    """Users newest first, optionally filtered by role or a name/email fragment."""
    statement = select(User)
    count = select(func.count()).select_from(User)
    if role:
        statement = statement.where(User.role == role)
        count = count.where(User.role == role)
    if query:
        pattern = f"%{query.strip().lower()}%"
        match = func.lower(User.email).like(pattern) | func.lower(User.name).like(pattern)
        statement = statement.where(match)
        count = count.where(match)
    items = session.exec(
        statement.order_by(col(User.created_at).desc(), col(User.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    total = int(session.exec(count).one())
    return UserPage(items=list(items), total=total, limit=limit, offset=offset)
