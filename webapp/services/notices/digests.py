"""The weekly digest email: each reader's week (see `digest_news`), queued once per ISO week."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from webapp.models import EmailDelivery, User, utcnow
from webapp.services.common.locks import begin_write
from webapp.services.notices.digest_news import Digest, gather_digests, reader_ids
from webapp.services.outbox.mail import queue_email
from webapp.services.outbox.notifications import render_email

DIGEST_KIND = "digest.weekly"
DIGEST_PERIOD = timedelta(days=7)
LONGEST_PERIOD = timedelta(days=28)  # after a gap (beat down, setting changed) look back no further


def queue_weekly_digests(*, session: Session, now: datetime | None = None) -> int:
    """Queue this week's digest for every digest reader with news; returns how many; commits.

    Safe to run twice in a week: the dedupe key names the ISO week.
    """
    begin_write(session=session, name="notifications")
    now = now or utcnow()
    readers = list(
        session.exec(
            select(User).where(col(User.id).in_(reader_ids())).order_by(col(User.id))
        ).all()
    )
    since = _since(session, readers, now)
    digests = gather_digests(session=session, readers=readers, since=since, until=now)
    queued = 0
    for user in readers:
        digest = digests[user.id or 0]
        if not digest.size:
            continue
        subject = f"Your week on venturematch: {_updates(digest)}"
        text_body, html_body = render_email(
            "digest",
            subject=subject,
            sections=digest.sections(),
            count=digest.size,
            since=since[user.id or 0].strftime("%-d %B %Y"),
        )
        if queue_email(
            session=session,
            user=user,
            kind=DIGEST_KIND,
            subject=subject,
            text_body=text_body,
            html_body=html_body,
            dedupe_key=_digest_key(now),
        ):
            queued += 1
    session.commit()
    return queued


def _updates(digest: Digest) -> str:
    waiting = len(digest.waiting)
    news = digest.size - waiting
    parts = [f"{waiting} waiting for your answer"] if waiting else []
    if news:
        parts.append(f"{news} update{'' if news == 1 else 's'}")
    return ", ".join(parts)


def _digest_key(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"digest:{year}-W{week:02d}"


def _since(session: Session, readers: list[User], now: datetime) -> dict[int, datetime]:
    """Each reader's last digest (or a week ago), never more than four weeks back."""
    last = dict(
        session.exec(
            select(EmailDelivery.user_id, func.max(EmailDelivery.created_at))
            .where(col(EmailDelivery.kind) == DIGEST_KIND)
            .where(col(EmailDelivery.user_id).in_(reader_ids()))
            .group_by(col(EmailDelivery.user_id))
        ).all()
    )
    found = {}
    for user in readers:
        start = last.get(user.id) or now - DIGEST_PERIOD
        found[user.id or 0] = max(start, now - LONGEST_PERIOD)
    return found
