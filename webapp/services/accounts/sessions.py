"""Server-side browser sessions: the cookie carries a random token, the database decides."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select, update

from webapp.models import User, UserSession, utcnow
from webapp.services.accounts.opaque_tokens import digest, new_token, saved_id
from webapp.services.common.locks import begin_write

SESSION_LIFETIME = timedelta(days=14)  # absolute: sign in again at least fortnightly
IDLE_TIMEOUT = timedelta(days=3)  # a session unused for this long is dead
TOUCH_INTERVAL = timedelta(minutes=5)  # write last_seen_at at most this often


def start_session(
    *, session: Session, user: User, ip: str | None = None, user_agent: str | None = None
) -> str:
    """Open a new session for a signed-in user and return its raw token for the cookie."""
    raw = new_token()
    now = utcnow()
    session.add(
        UserSession(
            user_id=saved_id(user),
            token_hash=digest(raw),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
            ip=ip[:45] if ip else None,
            user_agent=user_agent[:300] if user_agent else None,
        )
    )
    user.last_login_at = now
    session.add(user)
    session.commit()
    return raw


def resolve_session(*, session: Session, raw_token: str) -> User | None:
    """The active user behind a session token, or None if it is unknown, ended or expired."""
    found = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == UserSession.user_id)
        .where(UserSession.token_hash == digest(raw_token))
    ).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if row.revoked_at is not None or row.expires_at <= now:
        return None
    if row.last_seen_at + IDLE_TIMEOUT <= now:
        return None
    if not user.active:
        return None
    if row.last_seen_at + TOUCH_INTERVAL <= now:
        # A read request's only write: end its read snapshot and take the write lock first
        # (SQLite would otherwise fail it if a worker commits in between).
        row_id = row.id
        begin_write(session=session, name="touch")
        session.exec(
            update(UserSession).where(col(UserSession.id) == row_id).values(last_seen_at=now)
        )
        session.commit()
    return user


def end_session(*, session: Session, raw_token: str) -> bool:
    """Sign out: the token stops working at once, wherever the cookie has been copied."""
    result = session.exec(
        update(UserSession)
        .where(col(UserSession.token_hash) == digest(raw_token))
        .where(col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()
    return bool(result.rowcount)


def revoke_user_sessions(*, session: Session, user_id: int, keep_token: str | None = None) -> int:
    """End every live session of a user (optionally but one); joins the caller's transaction."""
    statement = (
        update(UserSession)
        .where(col(UserSession.user_id) == user_id)
        .where(col(UserSession.revoked_at).is_(None))
    )
    if keep_token is not None:
        statement = statement.where(col(UserSession.token_hash) != digest(keep_token))
    result = session.exec(statement.values(revoked_at=utcnow()))
    return int(result.rowcount or 0)


def live_session_count(*, session: Session, user_id: int) -> int:
    """How many unrevoked, unexpired sessions a user has (shown on the account page)."""
    now = utcnow()
    rows = session.exec(
        select(UserSession)
        .where(UserSession.user_id == user_id)
        .where(col(UserSession.revoked_at).is_(None))
    ).all()
    return sum(1 for r in rows if r.expires_at > now and r.last_seen_at + IDLE_TIMEOUT > now)
