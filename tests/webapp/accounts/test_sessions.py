"""Server-side sessions: fixation, sign-out, deactivation, expiry, password change."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from tests.factories import AdminFactory, FounderFactory
from tests.webapp.web_client import api_token, bearer, post_form, sign_in
from webapp.models import UserSession, utcnow
from webapp.services.accounts import sessions
from webapp.web.cookies import DEVELOPMENT_COOKIE


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(DEVELOPMENT_COOKIE)
    assert cookie is not None
    return cookie.value


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def test_sign_in_starts_a_new_session_so_a_planted_cookie_stays_anonymous(app: Flask) -> None:
    user = FounderFactory()
    attacker, victim = app.test_client(), app.test_client()
    attacker.get("/sign-in")
    planted = _cookie(attacker)
    victim.set_cookie(DEVELOPMENT_COOKIE, planted)
    sign_in(victim, str(user.email))
    assert _cookie(victim) != planted
    assert _signed_in(victim)
    assert not _signed_in(attacker)  # the attacker's copy of the pre-sign-in cookie is worthless


def test_each_sign_in_creates_its_own_server_side_session(app: Flask, session: Session) -> None:
    user = FounderFactory()
    first, second = app.test_client(), app.test_client()
    sign_in(first, str(user.email))
    sign_in(second, str(user.email))
    rows = session.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(rows) == 2
    assert _cookie(first) != _cookie(second)


def test_sign_out_ends_the_session_on_the_server(app: Flask, session: Session) -> None:
    user = FounderFactory()
    browser, thief = app.test_client(), app.test_client()
    sign_in(browser, str(user.email))
    thief.set_cookie(DEVELOPMENT_COOKIE, _cookie(browser))  # a copied cookie
    assert _signed_in(thief)
    response = post_form(browser, "/sign-out", {}, form_page="/account")
    assert response.status_code == 302
    assert not _signed_in(browser)
    assert not _signed_in(thief)
    row = session.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.revoked_at is not None


def test_sign_out_without_csrf_token_is_refused(client: FlaskClient) -> None:
    user = FounderFactory()
    sign_in(client, str(user.email))
    assert client.post("/sign-out").status_code == 400
    assert _signed_in(client)


def test_deactivation_ends_sessions_and_api_tokens_at_once(app: Flask) -> None:
    admin, user = AdminFactory(), FounderFactory()
    admin_client, user_client = app.test_client(), app.test_client()
    sign_in(admin_client, str(admin.email))
    sign_in(user_client, str(user.email))
    token = api_token(user_client, str(user.email))
    assert user_client.get("/api/v1/me", headers=bearer(token)).status_code == 200

    response = post_form(
        admin_client, f"/admin/users/{user.id}/deactivate", {}, form_page="/admin/users"
    )
    assert response.status_code == 302
    assert not _signed_in(user_client)
    assert user_client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    # And a deactivated account can't sign in again.
    refused = post_form(user_client, "/sign-in", {"email": str(user.email), "password": "x" * 12})
    assert refused.status_code == 401


def test_idle_and_expired_sessions_stop_working(app: Flask, session: Session) -> None:
    user = FounderFactory()
    client = app.test_client()
    sign_in(client, str(user.email))
    row = session.exec(select(UserSession).where(UserSession.user_id == user.id)).one()

    row.last_seen_at = utcnow() - sessions.IDLE_TIMEOUT - timedelta(minutes=1)
    session.add(row)
    session.commit()
    assert not _signed_in(client)

    sign_in(client, str(user.email))
    row = session.exec(
        select(UserSession)
        .where(col(UserSession.revoked_at).is_(None))
        .order_by(col(UserSession.id).desc())
    ).first()
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert not _signed_in(client)


def test_changing_password_ends_other_sessions_and_tokens_but_not_this_one(app: Flask) -> None:
    user = FounderFactory()
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, str(user.email))
    sign_in(elsewhere, str(user.email))
    token = api_token(here, str(user.email))
    response = post_form(
        here,
        "/account/password",
        {
            "current_password": "correct-horse-battery-staple",
            "new_password": "moorland copper kettle",
            "confirm": "moorland copper kettle",
        },
        form_page="/account",
    )
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert here.get("/api/v1/me", headers=bearer(token)).status_code == 401
    sign_in(elsewhere, str(user.email), "moorland copper kettle")


def test_wrong_current_password_changes_nothing(app: Flask) -> None:
    user = FounderFactory()
    client = app.test_client()
    sign_in(client, str(user.email))
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": "not-my-password-at-all",
            "new_password": "moorland copper kettle",
            "confirm": "moorland copper kettle",
        },
        form_page="/account",
    )
    assert response.status_code == 422
    assert "Your current password is wrong" in response.get_data(as_text=True)
    sign_in(app.test_client(), str(user.email))


def test_an_unchanged_session_cookie_is_not_sent_again(app: Flask) -> None:
    # The cookie's lifetime runs from sign-in (the server keeps the idle timeout), so a page
    # that changes nothing in the session answers without re-signing it.
    client = app.test_client()
    sign_in(client, str(FounderFactory().email))
    client.get("/account")  # the first form page may store the CSRF secret
    response = client.get("/account")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert _signed_in(client)
