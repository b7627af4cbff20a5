"""The notification centre: a person's in-app notifications, and marking them read."""

from __future__ import annotations

from sqlmodel import Session, col, func, select, update

from webapp.models import Notification, User, utcnow
from webapp.services.errors import NotFound
from webapp.services.pagination import Page, check_window


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
