"""The notification centre: what happened, newest first; mark one or all as read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from webapp.models import User
from webapp.services.notices import notification_queries
from webapp.views._venture_forms import ButtonForm
from webapp.web.auth import login_required, require_user, safe_next
from webapp.web.db_session import get_session
from webapp.web.navigation import add_nav_item

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _unread(user: User) -> int:
    """The header badge: read on every signed-in page, so marking read shows at once."""
    return notification_queries.unread_count(session=get_session(), viewer=user)


add_nav_item("notifications.index", "Notifications", order=60, count=_unread,
             count_label="unread")  # fmt: skip

PAGE_SIZE = 20


@bp.get("")
@login_required
def index() -> Any:
    """All or unread notifications, with pagination that works without JavaScript."""
    session, user = get_session(), require_user()
    unread_only = request.args.get("show") == "unread"
    try:
        offset = max(0, min(int(request.args.get("offset", "0")), 100_000))
    except ValueError:
        offset = 0
    page = notification_queries.list_notifications(
        session=session,
        viewer=user,
        unread=True if unread_only else None,
        limit=PAGE_SIZE,
        offset=offset,
    )
    return render_template(
        "notifications/index.html",
        page=page,
        details=notification_queries.contact_details(
            session=session, viewer=user, notifications=page.items
        ),
        unread_only=unread_only,
        unread=notification_queries.unread_count(session=session, viewer=user),
        link_args={"show": "unread"} if unread_only else {},
    )


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> Any:
    """Mark one notification read, then follow its link if it has one."""
    if not ButtonForm().validate_on_submit():
        abort(400, description="That form expired; please try again")
    notification = notification_queries.mark_read(
        session=get_session(), viewer=require_user(), notification_id=notification_id
    )
    if request.form.get("follow") and notification.link:
        return redirect(safe_next(notification.link, url_for("notifications.index")))
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


@bp.post("/read-all")
@login_required
def read_all() -> Any:
    """Mark every notification read."""
    if not ButtonForm().validate_on_submit():
        abort(400, description="That form expired; please try again")
    count = notification_queries.mark_all_read(session=get_session(), viewer=require_user())
    flash(f"Marked {count} notification{'s' if count != 1 else ''} as read.", "success")
    return redirect(url_for("notifications.index"))
