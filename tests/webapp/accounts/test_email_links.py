"""Verification and reset links: sent through the outbox, hashed, single-use and expiring."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from tests.factories import FounderFactory, UserFactory
from tests.webapp.web_client import api_token, bearer, fresh, post_form, sign_in
from webapp.config import Settings
from webapp.models import EmailDelivery, OneTimeToken, OutboxEvent, User, utcnow
from webapp.services.accounts.opaque_tokens import digest

NEW_PASSWORD = "heather granite lantern"


def _emails(session: Session, kind: str) -> list[EmailDelivery]:
    fresh(session)
    return list(
        session.exec(
            select(EmailDelivery).where(EmailDelivery.kind == kind).order_by(col(EmailDelivery.id))
        ).all()
    )


def _token_from(email: EmailDelivery) -> str:
    found = re.search(r"/(?:verify-email|reset-password)/([A-Za-z0-9_-]+)", email.text_body)
    assert found, email.text_body
    return found.group(1)


def _sign_up(client: FlaskClient, email: str = "grace@example.org") -> None:
    response = post_form(
        client,
        "/sign-up",
        {
            "role": "founder",
            "name": "Grace Hopper",
            "email": email,
            "password": "tidal moss quarry",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_sign_up_queues_a_verification_email_with_a_hashed_single_use_token(
    client: FlaskClient, session: Session, settings: Settings
) -> None:
    _sign_up(client)
    [email] = _emails(session, "account.verify_email")
    assert email.to_address == "grace@example.org"
    assert "Confirm your email address" in email.subject
    assert f"{settings.site_url}/verify-email/" in email.text_body
    assert f"{settings.site_url}/verify-email/" in email.html_body
    token = _token_from(email)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    stored = session.exec(select(OneTimeToken)).one()
    assert stored.token_hash == digest(token)
    assert token not in stored.token_hash
    # The email goes to the workers through the outbox, in the same transaction.
    events = session.exec(select(OutboxEvent).where(OutboxEvent.kind == "email.queued")).all()
    assert [e.payload["email_id"] for e in events] == [email.id]

    page = client.get(f"/verify-email/{token}")
    assert page.status_code == 200  # a GET (a mail scanner's prefetch) uses nothing up
    response = post_form(client, f"/verify-email/{token}", {})
    assert response.status_code == 302
    fresh(session)
    user = session.exec(select(User).where(User.email == "grace@example.org")).one()
    assert user.email_verified_at is not None

    again = post_form(client, f"/verify-email/{token}", {}, form_page=f"/verify-email/{token}")
    assert again.status_code == 400
    assert "This link no longer works" in again.get_data(as_text=True)


def test_an_expired_verification_link_is_refused(client: FlaskClient, session: Session) -> None:
    _sign_up(client)
    token = _token_from(_emails(session, "account.verify_email")[0])
    row = session.exec(select(OneTimeToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    response = post_form(client, f"/verify-email/{token}", {})
    assert response.status_code == 400
    fresh(session)
    assert session.exec(select(User)).one().email_verified_at is None


def test_resending_verification_replaces_the_old_link(
    client: FlaskClient, session: Session
) -> None:
    _sign_up(client)
    first = _token_from(_emails(session, "account.verify_email")[0])
    response = post_form(client, "/verify-email/resend", {}, form_page="/account")
    assert response.status_code == 302
    emails = _emails(session, "account.verify_email")
    assert len(emails) == 2
    second = _token_from(emails[1])
    assert post_form(client, f"/verify-email/{first}", {}).status_code == 400
    assert post_form(client, f"/verify-email/{second}", {}).status_code == 302


def test_password_reset_is_single_use_and_ends_every_session_and_token(
    app: Flask, session: Session
) -> None:
    user = UserFactory()
    signed_in, requester = app.test_client(), app.test_client()
    sign_in(signed_in, str(user.email))
    token = api_token(signed_in, str(user.email))

    response = post_form(requester, "/forgot-password", {"email": str(user.email).upper()})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    [email] = _emails(session, "account.reset_password")
    raw = _token_from(email)

    landing = requester.get(f"/reset-password/{raw}")
    assert landing.status_code == 302
    assert landing.headers["Location"] == "/reset-password"  # token out of the address bar
    changed = post_form(
        requester, "/reset-password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    assert signed_in.get("/account").status_code == 302  # that session ended
    assert signed_in.get("/api/v1/me", headers=bearer(token)).status_code == 401
    sign_in(app.test_client(), str(user.email), NEW_PASSWORD)

    # The same link can't be used twice.
    reuse = app.test_client()
    reuse.get(f"/reset-password/{raw}")
    assert reuse.get("/reset-password").status_code == 400


def test_an_expired_reset_link_is_refused(client: FlaskClient, session: Session) -> None:
    user = FounderFactory()
    post_form(client, "/forgot-password", {"email": str(user.email)})
    raw = _token_from(_emails(session, "account.reset_password")[0])
    row = session.exec(select(OneTimeToken)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.add(row)
    session.commit()
    client.get(f"/reset-password/{raw}")
    page = client.get("/reset-password")
    assert page.status_code == 400
    assert "This link no longer works" in page.get_data(as_text=True)


def test_a_verification_token_cannot_reset_a_password(
    client: FlaskClient, session: Session
) -> None:
    _sign_up(client)
    verify_token = _token_from(_emails(session, "account.verify_email")[0])
    other = client.application.test_client()
    other.get(f"/reset-password/{verify_token}")
    assert other.get("/reset-password").status_code == 400


def test_a_weak_new_password_is_refused_and_the_link_stays_usable(
    client: FlaskClient, session: Session
) -> None:
    user = FounderFactory()
    post_form(client, "/forgot-password", {"email": str(user.email)})
    client.get(f"/reset-password/{_token_from(_emails(session, 'account.reset_password')[0])}")
    weak = post_form(client, "/reset-password", {"password": "short", "confirm": "short"})
    assert weak.status_code == 422
    assert 'id="password-error"' in weak.get_data(as_text=True)
    good = post_form(client, "/reset-password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert good.status_code == 302


def test_forgot_password_says_the_same_for_unknown_emails_and_sends_nothing(
    client: FlaskClient, session: Session
) -> None:
    response = post_form(client, "/forgot-password", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert _emails(session, "account.reset_password") == []


def test_reset_requests_for_one_address_are_capped(client: FlaskClient, session: Session) -> None:
    user = FounderFactory()
    for _ in range(5):
        assert post_form(client, "/forgot-password", {"email": str(user.email)}).status_code == 200
    assert len(_emails(session, "account.reset_password")) == 3  # no inbox flooding


def test_reset_links_point_at_public_url_whatever_host_the_request_names(
    client: FlaskClient, session: Session, settings: Settings
) -> None:
    """Reset-link poisoning: a forged Host header must not steer the victim's token elsewhere."""
    victim = FounderFactory()
    forged = {"Host": "attacker.example"}
    form = client.get("/forgot-password", headers=forged).get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form)
    assert token, form[:2000]
    response = client.post(
        "/forgot-password",
        data={"csrf_token": token.group(1), "email": str(victim.email)},
        headers=forged,
    )
    assert response.status_code == 200
    [email] = _emails(session, "account.reset_password")
    assert "attacker.example" not in email.text_body + email.html_body
    assert f"{settings.site_url}/reset-password/" in email.text_body
    assert f'href="{settings.site_url}/reset-password/' in email.html_body
