"""Bearer tokens for the API: random, stored as SHA-256, expiring and revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlmodel import Session, col, update

from webapp.models import ApiToken, User, utcnow
from webapp.services.accounts.opaque_tokens import digest, new_token, saved_id
from webapp.services.common.locks import begin_write

TOKEN_LIFETIME = timedelta(days=30)
TOUCH_INTERVAL = timedelta(minutes=1)  # write last_used_at at most this often


@dataclass(frozen=True)
class IssuedToken:
    """The raw token is shown once, here; only its digest is kept."""

    token: str
    expires_at: datetime


def issue_token(*, session: Session, user: User, name: str = "api") -> IssuedToken:
    """Create a token for a user whose credentials the caller has already checked."""
    raw = new_token()
    now = utcnow()
    row = ApiToken(
        user_id=saved_id(user),
        token_hash=digest(raw),
        name=name[:100],
        created_at=now,
        expires_at=now + TOKEN_LIFETIME,
    )
    session.add(row)
    session.commit()
    return IssuedToken(token=raw, expires_at=row.expires_at)


_TOKEN_AND_USER = (
    select(
        User,
        col(ApiToken.id),
        col(ApiToken.revoked_at),
        col(ApiToken.expires_at),
        col(ApiToken.last_used_at),
    )
    .join(ApiToken, col(ApiToken.user_id) == col(User.id))
    .where(col(ApiToken.token_hash) == bindparam("token_hash"))
)  # one query, built once: every API request resolves its token


def resolve_token(*, session: Session, raw_token: str) -> User | None:
    """The active user a token belongs to, or None if it is unknown, revoked or expired."""
    found = session.execute(_TOKEN_AND_USER, {"token_hash": digest(raw_token)}).first()
    if found is None:
        return None
    user: User = found[0]
    token_id, revoked_at, expires_at, last_used_at = found[1:]
    now = utcnow()
    if revoked_at is not None or expires_at <= now or not user.active:
        return None
    if last_used_at is None or last_used_at + TOUCH_INTERVAL <= now:
        # A read request's only write: end its read snapshot and take the write lock first
        # (SQLite would otherwise fail it if a worker commits in between).
        begin_write(session=session, name="touch")
        session.exec(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))
        session.commit()
    return user


def revoke_token(*, session: Session, raw_token: str) -> bool:
    """Kill one token at once (`DELETE /api/v1/auth/tokens/current`)."""
    result = session.exec(
        update(ApiToken)
        .where(col(ApiToken.token_hash) == digest(raw_token))
        .where(col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()
    return bool(result.rowcount)


def revoke_user_tokens(*, session: Session, user_id: int) -> int:
    """Kill every token of a user; joins the caller's transaction (deactivation, erasure)."""
    result = session.exec(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user_id)
        .where(col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)
