"""The privacy notice and terms of use: public, linked from every page, and true to the code."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from webapp import create_app
from webapp.config import Settings
from webapp.services.accounts.sessions import IDLE_TIMEOUT, SESSION_LIFETIME


def test_anyone_can_read_both_and_every_page_links_them(client: FlaskClient) -> None:
    for path, heading in (("/privacy", "Privacy notice"), ("/terms", "Terms of use")):
        response = client.get(path)
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in response.get_data(as_text=True)
    footer = client.get("/sign-in").get_data(as_text=True)
    assert '<a href="/privacy">Privacy</a>' in footer
    assert '<a href="/terms">Terms of use</a>' in footer


def test_the_notice_states_the_periods_the_code_enforces(client: FlaskClient) -> None:
    text = client.get("/privacy").get_data(as_text=True)
    assert f"at least every {SESSION_LIFETIME.days} days" in text
    assert f"unused for {IDLE_TIMEOUT.days} days ends" in text
    assert "Download my data" in text
    assert "ico.org.uk" in text


def test_the_privacy_contact_is_named_when_configured(db: object, settings: Settings) -> None:
    for contact, expected in (
        (None, "has not published a privacy contact"),
        ("privacy@tees.example.org", 'href="mailto:privacy@tees.example.org"'),
    ):
        app: Flask = create_app(
            {"TESTING": True}, settings=settings.model_copy(update={"privacy_contact": contact})
        )
        try:
            assert expected in app.test_client().get("/privacy").get_data(as_text=True)
        finally:
            app.extensions["venturematch.engine"].dispose()
