"""CSRF on every form, security headers on every response, cookie flags, body size limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import FounderFactory
from tests.webapp.web_client import api_token, bearer, csrf_token, sign_in
from webapp import create_app
from webapp.app_factory import MAX_REQUEST_BYTES
from webapp.config import Environment, Settings


@pytest.fixture
def production_app(settings: Settings, db: object) -> Iterator[Flask]:
    """The app as production runs it (ENV=production, a long secret)."""
    prod = settings.model_copy(update={"env": Environment.PRODUCTION})
    app = create_app({"TESTING": True}, settings=prod)
    yield app
    app.extensions["venturematch.engine"].dispose()


def test_every_form_needs_the_csrf_token(client: FlaskClient) -> None:
    user = FounderFactory()
    form = {"email": str(user.email), "password": "correct-horse-battery-staple"}
    missing = client.post("/sign-in", data=form)
    assert missing.status_code == 400
    assert "accept that" in missing.get_data(as_text=True)
    wrong = client.post("/sign-in", data={**form, "csrf_token": "forged"})
    assert wrong.status_code == 400
    good = client.post("/sign-in", data={**form, "csrf_token": csrf_token(client)})
    assert good.status_code == 302


def test_a_token_from_another_session_is_refused(app: Flask) -> None:
    user = FounderFactory()
    attacker, victim = app.test_client(), app.test_client()
    sign_in(victim, str(user.email))
    stolen = csrf_token(attacker, "/sign-in")
    response = victim.post(
        "/account/profile", data={"csrf_token": stolen, "name": "Pwned", "email_frequency": "off"}
    )
    assert response.status_code == 400


def test_the_api_needs_no_csrf_and_ignores_session_cookies(client: FlaskClient) -> None:
    user = FounderFactory()
    token = api_token(client, str(user.email))  # a JSON POST without any CSRF token
    sign_in(client, str(user.email))
    assert client.get("/api/v1/me").status_code == 401  # the cookie alone grants nothing
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_pages_carry_the_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/sign-in", "/no-such-page", "/api/v1/taxonomy"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in headers  # development: no HSTS


def test_no_page_has_inline_script(client: FlaskClient) -> None:
    for path in ("/", "/sign-in", "/sign-up", "/forgot-password", "/api/swagger"):
        html = client.get(path).get_data(as_text=True)
        for tag in html.split("<script")[1:]:
            assert tag.split(">", 1)[0].strip().startswith("src="), (path, tag[:80])


def test_hsts_and_host_prefixed_secure_cookie_in_production(production_app: Flask) -> None:
    client = production_app.test_client()
    response = client.get("/sign-in", base_url="https://venturematch.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith("__Host-vm_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in set_cookie
    assert "Domain=" not in set_cookie


def test_development_cookie_is_secure_on_localhost_but_not_on_other_plain_http_hosts(
    app: Flask,
) -> None:
    local = app.test_client().get("/sign-in").headers["Set-Cookie"]
    assert "Secure" in local
    assert "HttpOnly" in local
    lan = app.test_client().get("/sign-in", base_url="http://192.168.1.20:5000")
    lan_cookie = lan.headers["Set-Cookie"]
    assert "Secure" not in lan_cookie  # a browser would drop it and sign-in would silently loop
    tls = app.test_client().get("/sign-in", base_url="https://dev.example")
    assert "Secure" in tls.headers["Set-Cookie"]


def test_signed_in_pages_are_not_cached(client: FlaskClient) -> None:
    sign_in(client, str(FounderFactory().email))
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_oversized_bodies_get_413_on_pages_and_the_api(client: FlaskClient) -> None:
    body = "x" * (MAX_REQUEST_BYTES + 1)
    page = client.post("/sign-in", data={"email": body, "password": "y"})
    assert page.status_code == 413
    assert "too large" in page.get_data(as_text=True)
    api = client.post(
        "/api/v1/auth/tokens", data=body, headers={"Content-Type": "application/json"}
    )
    assert api.status_code == 413
    assert api.content_type == "application/problem+json"
