"""The notification centre: a person's in-app notifications, and marking them read."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, func, select, update

from webapp.models import Notification, User, utcnow
from webapp.services.common.errors import NotFound
from webapp.services.common.pagination import Page, check_window
from webapp.services.introductions.introductions import contacts_for
from webapp.services.outbox.notifications import INTRODUCTION_ACCEPTED

Details = list[tuple[str, str]]


def list_notifications(
    *,
    session: Session,
    viewer: User,
    unread: bool | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page[Notification]:
    """The viewer's notifications, newest first; `unread=True` keeps only unread ones."""
    check_window(limit, offset)
    where = [col(Notification.user_id) == viewer.id]
    if unread is True:
        where.append(col(Notification.read_at).is_(None))
    elif unread is False:
        where.append(col(Notification.read_at).is_not(None))
    total = session.exec(select(func.count()).select_from(Notification).where(*where)).one()
    items = session.exec(
        select(Notification)
        .where(*where)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(items=list(items), total=int(total), limit=limit, offset=offset)


def contact_details(
    *, session: Session, viewer: User, notifications: Sequence[Notification]
) -> dict[int, Details]:
    """The other side's contact under each "introduction accepted" notice, read when shown.

    Read from the introduction rather than copied into the notice, so details stay current and
    go when the other side erases their account. A notice whose introduction the viewer can no
    longer see maps to an empty list; notices of other kinds are left out.
    """
    wanted = {
        n.id: n.data.get("introduction_id")
        for n in notifications
        if n.kind == INTRODUCTION_ACCEPTED and n.id is not None
    }
    ids = [i for i in wanted.values() if isinstance(i, int)]
    contacts = contacts_for(session=session, viewer=viewer, introduction_ids=ids)
    return {
        notification_id: contacts[intro_id].details() if intro_id in contacts else []
        for notification_id, intro_id in wanted.items()
    }


def unread_count(*, session: Session, viewer: User) -> int:
    """How many unread notifications the viewer has (the badge in the header)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(col(Notification.user_id) == viewer.id)
            .where(col(Notification.read_at).is_(None))
        ).one()
    )


def mark_read(*, session: Session, viewer: User, notification_id: int) -> Notification:
    """Mark one of the viewer's notifications read (others' are not found)."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != viewer.id:
        raise NotFound(f"No notification {notification_id}")
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.add(notification)
        session.commit()
    return notification


def mark_all_read(*, session: Session, viewer: User) -> int:
    """Mark every unread notification of the viewer read; returns how many changed."""
    result = session.exec(
        update(Notification)
        .where(col(Notification.user_id) == viewer.id)
        .where(col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    session.commit()
    return int(result.rowcount or 0)
