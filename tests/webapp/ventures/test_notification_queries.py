"""The notification centre: each person's own notifications, newest first, marked read."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.factories import FounderFactory
from tests.webapp.ventures.factories import NotificationFactory
from webapp.services.common.errors import NotFound
from webapp.services.notices import notification_queries


def test_people_see_only_their_notifications_and_can_filter_unread(session: Session) -> None:
    me, someone = FounderFactory(), FounderFactory()
    older = NotificationFactory(user_id=me.id)
    newer = NotificationFactory(user_id=me.id)
    NotificationFactory(user_id=someone.id)
    page = notification_queries.list_notifications(session=session, viewer=me)
    assert [n.id for n in page.items] == [newer.id, older.id]
    notification_queries.mark_read(session=session, viewer=me, notification_id=older.id)
    unread = notification_queries.list_notifications(session=session, viewer=me, unread=True)
    assert [n.id for n in unread.items] == [newer.id]
    read = notification_queries.list_notifications(session=session, viewer=me, unread=False)
    assert [n.id for n in read.items] == [older.id]
    assert notification_queries.unread_count(session=session, viewer=me) == 1
    assert notification_queries.mark_all_read(session=session, viewer=me) == 1
    assert notification_queries.unread_count(session=session, viewer=me) == 0


def test_someone_elses_notification_is_not_found(session: Session) -> None:
    theirs = NotificationFactory()
    with pytest.raises(NotFound):
        notification_queries.mark_read(
            session=session, viewer=FounderFactory(), notification_id=theirs.id
        )
