"""Single-use, expiring link tokens (verify email, reset password): stored hashed, used once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select, update

from webapp.models import OneTimeToken, User, utcnow
from webapp.models.enums import OneTimeTokenPurpose
from webapp.services.accounts.opaque_tokens import digest, new_token

LIFETIMES = {
    OneTimeTokenPurpose.VERIFY_EMAIL: timedelta(days=2),
    OneTimeTokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}


def issue(*, session: Session, user: User, purpose: OneTimeTokenPurpose) -> str:
    """A new raw token for a link; older unused tokens for the same purpose stop working.

    Joins the caller's transaction (the email that carries it is queued in the same one).
    """
    assert user.id is not None
    now = utcnow()
    session.exec(
        update(OneTimeToken)
        .where(col(OneTimeToken.user_id) == user.id)
        .where(col(OneTimeToken.purpose) == purpose.value)
        .where(col(OneTimeToken.used_at).is_(None))
        .values(used_at=now)
    )
    raw = new_token()
    session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose.value,
            token_hash=digest(raw),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return raw


def peek(*, session: Session, raw_token: str, purpose: OneTimeTokenPurpose) -> User | None:
    """The user a still-valid token belongs to, without using it up (to show the reset form)."""
    row = _find(session, raw_token, purpose)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def consume(*, session: Session, raw_token: str, purpose: OneTimeTokenPurpose) -> User | None:
    """Use a token up and return its user, or None if unknown, used, expired or for another purpose.

    The UPDATE only succeeds for an unused row, so two concurrent uses cannot both win.
    Joins the caller's transaction.
    """
    row = _find(session, raw_token, purpose)
    if row is None:
        return None
    result = session.exec(
        update(OneTimeToken)
        .where(col(OneTimeToken.id) == row.id)
        .where(col(OneTimeToken.used_at).is_(None))
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def _find(session: Session, raw_token: str, purpose: OneTimeTokenPurpose) -> OneTimeToken | None:
    row = session.exec(
        select(OneTimeToken).where(OneTimeToken.token_hash == digest(raw_token))
    ).first()
    if row is None or row.purpose != purpose.value or row.used_at is not None:
        return None
    if row.expires_at <= utcnow():
        return None
    return row
