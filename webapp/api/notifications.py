"""`/api/v1/notifications`: the caller's in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from webapp.api._common import READ_ERRORS, Id, PageQuery, page_body, problems, validated
from webapp.models import Notification
from webapp.services.notices import notification_queries
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint(
    "notifications_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="notifications")]
)


class NotificationPath(BaseModel):
    """A notification id."""

    notification_id: Id


class NotificationQuery(PageQuery):
    """`unread=true` keeps only unread notifications, `unread=false` only read ones."""

    unread: bool | None = None


class DetailOut(BaseModel):
    """One labelled fact under a notice, e.g. the other side's email once introduced."""

    label: str
    value: str


class NotificationOut(BaseModel):
    """Something the caller should know."""

    id: int
    kind: str
    title: str
    body: str
    link: str | None
    data: dict[str, Any]
    details: list[DetailOut] = []
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: Notification, details: list[tuple[str, str]] | None = None) -> NotificationOut:
        """Read the stored row, with the details read for it when shown."""
        out = cls.model_validate(row, from_attributes=True)
        out.details = [DetailOut(label=label, value=value) for label, value in details or []]
        return out


class NotificationList(BaseModel):
    """A page of notifications, newest first, with the unread count."""

    items: list[NotificationOut]
    total: int
    limit: int
    offset: int
    unread: int


@api.get(
    "/notifications",
    security=SECURITY,
    responses={200: NotificationList, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def list_notifications(query: NotificationQuery) -> tuple[dict[str, Any], int]:
    """The caller's notifications, newest first."""
    session, user = get_session(), require_user()
    page = notification_queries.list_notifications(
        session=session, viewer=user, unread=query.unread, limit=query.limit, offset=query.offset
    )
    details = notification_queries.contact_details(
        session=session, viewer=user, notifications=page.items
    )
    body = page_body(page, lambda row: NotificationOut.of(row, details.get(row.id or 0)))
    body["unread"] = notification_queries.unread_count(session=session, viewer=user)
    return body, 200


@api.post(
    "/notifications/<int:notification_id>/read",
    security=SECURITY,
    responses={204: None, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def mark_read(path: NotificationPath) -> tuple[str, int]:
    """Mark one notification read."""
    notification_queries.mark_read(
        session=get_session(), viewer=require_user(), notification_id=path.notification_id
    )
    return "", 204


@api.post(
    "/notifications/read",
    security=SECURITY,
    responses={204: None, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def mark_all_read() -> tuple[str, int]:
    """Mark every notification of the caller read."""
    notification_queries.mark_all_read(session=get_session(), viewer=require_user())
    return "", 204
