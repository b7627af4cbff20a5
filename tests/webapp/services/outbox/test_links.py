"""Every link in an email is absolute, on PUBLIC_URL."""

from __future__ import annotations

from sqlmodel import select

from tests.factories import FounderFactory
from webapp.models import EmailDelivery
from webapp.services.outbox import links
from webapp.services.outbox.notifications import notify


def test_notification_emails_carry_absolute_links(app, session, settings):
    founder = FounderFactory(email_frequency="instant")
    notify(
        session=session,
        user=founder,
        kind="introduction_requested",
        title="An investor would like an introduction",
        body="Pennine Capital asked to be introduced.",
        link="/introductions",
        dedupe_key="intro:1",
    )
    session.commit()
    email = session.exec(select(EmailDelivery)).one()
    assert f"{settings.site_url}/introductions" in email.text_body
    assert f'href="{settings.site_url}/introductions"' in email.html_body


def test_absolute_joins_paths_and_keeps_absolute_urls():
    links.configure("https://venturematch.example.org/")
    try:
        assert links.absolute("/deals/4") == "https://venturematch.example.org/deals/4"
        assert links.absolute("deals") == "https://venturematch.example.org/deals"
        assert links.absolute("https://elsewhere.example/x") == "https://elsewhere.example/x"
    finally:
        links.configure("http://127.0.0.1:5000")
