"""The header shows how many notifications are unread, and the number falls as they are read."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.factories import FounderFactory
from tests.webapp.ventures.factories import NotificationFactory
from tests.webapp.web_client import post_form, sign_in

BADGE = (
    'aria-label="Notifications, {n} unread">'
    'Notifications<span class="nav-count" aria-hidden="true">{n}</span></a>'
)


def test_the_unread_count_is_in_the_navigation_on_every_page(
    client: FlaskClient, session: Session
) -> None:
    me = FounderFactory()
    first = NotificationFactory(user_id=me.id)
    NotificationFactory(user_id=me.id)
    NotificationFactory()  # someone else's
    sign_in(client, me.email)
    for url in ("/founder/ventures", "/account", "/deals"):
        assert BADGE.format(n=2) in client.get(url).get_data(as_text=True), url
    post_form(client, f"/notifications/{first.id}/read", {}, form_page="/notifications")
    assert BADGE.format(n=1) in client.get("/deals").get_data(as_text=True)
    post_form(client, "/notifications/read-all", {}, form_page="/notifications")
    page = client.get("/deals").get_data(as_text=True)
    assert 'class="nav-count"' not in page
    assert ">Notifications</a>" in page
