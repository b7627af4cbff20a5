"""The account page: details and email preferences, data export, erasure."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import (
    DEFAULT_PASSWORD,
    FounderFactory,
    InvestorUserFactory,
    StaffFactory,
    VentureFactory,
)
from tests.webapp.web_client import fresh, post_form, sign_in
from webapp.models import AuditLog, EmailDelivery, User, UserSession, Venture
from webapp.services.common.audit import record_audit


def test_details_and_email_preferences_are_saved(client: FlaskClient, session: Session) -> None:
    user = FounderFactory()
    sign_in(client, str(user.email))
    response = post_form(
        client,
        "/account/profile",
        {"name": "Ada  King", "phone": "+44 191 000 0000", "email_frequency": "digest"},
        form_page="/account",
    )
    assert response.status_code == 302
    fresh(session)
    saved = session.get(User, user.id)
    assert saved is not None
    assert (saved.name, saved.phone, saved.email_frequency) == (
        "Ada King",
        "+44 191 000 0000",
        "digest",
    )


def test_bad_details_are_refused_beside_the_field(client: FlaskClient) -> None:
    sign_in(client, str(FounderFactory().email))
    response = post_form(
        client,
        "/account/profile",
        {"name": "Ada", "phone": "call me maybe", "email_frequency": "hourly"},
        form_page="/account",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email_frequency-error"' in html


def test_phone_rules_come_from_the_service(client: FlaskClient) -> None:
    sign_in(client, str(FounderFactory().email))
    response = post_form(
        client,
        "/account/profile",
        {"name": "Ada", "phone": "call me maybe", "email_frequency": "off"},
        form_page="/account",
    )
    assert response.status_code == 422
    assert 'id="phone-error"' in response.get_data(as_text=True)


def test_founders_download_their_data_as_json(client: FlaskClient) -> None:
    user = FounderFactory()
    VentureFactory(owner_id=user.id, name="Tyne Diagnostics")
    sign_in(client, str(user.email))
    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == user.email
    assert [v["name"] for v in data["ventures"]] == ["Tyne Diagnostics"]


def test_investors_download_their_data_without_secrets(client: FlaskClient) -> None:
    user = InvestorUserFactory()
    sign_in(client, str(user.email))
    data = client.get("/account/export.json").json
    assert data["account"]["email"] == user.email
    assert data["organisation"]["id"] == user.organisation_id
    assert len(data["sessions"]) == 1
    text = json.dumps(data)
    assert "password_hash" not in text
    assert "token_hash" not in text


def test_a_founder_erases_the_account_and_ventures_leaving_no_personal_data(
    client: FlaskClient, session: Session
) -> None:
    user = FounderFactory(email="ada@example.org", name="Ada Lovelace", phone="0191 000")
    venture = VentureFactory(owner_id=user.id)
    user_id, venture_name = user.id, venture.name
    record_audit(
        session=session,
        actor=user,
        action="venture.updated",
        object_type="venture",
        object_id=venture.id,
        before={"name": "Old name"},
        after={"name": venture.name},
        ip="203.0.113.5",
    )
    session.add(
        EmailDelivery(
            user_id=user.id,
            to_address="ada@example.org",
            kind="match.new",
            subject="Hello Ada",
            text_body="Ada",
            html_body="Ada",
            dedupe_key="k1",
        )
    )
    session.commit()
    sign_in(client, str(user.email))

    refused = post_form(
        client,
        "/account/delete",
        {"password": "wrong-password-1", "understand": "y"},
        form_page="/account",
    )
    assert refused.status_code == 422
    response = post_form(
        client,
        "/account/delete",
        {"password": DEFAULT_PASSWORD, "understand": "y"},
        form_page="/account",
    )
    assert response.status_code == 302
    fresh(session)
    assert session.get(User, user_id) is None
    assert session.exec(select(Venture)).all() == []
    assert session.exec(select(EmailDelivery)).all() == []
    assert session.exec(select(UserSession)).all() == []
    dump = json.dumps([e.model_dump(mode="json") for e in session.exec(select(AuditLog)).all()])
    for personal in ("ada@example.org", "Ada Lovelace", "0191 000", "203.0.113.5", venture_name):
        assert personal not in dump
    actions = [e.action for e in session.exec(select(AuditLog)).all()]
    assert "user.erased" in actions
    assert "venture.deleted" in actions
    assert client.get("/account").status_code == 302  # signed out


def test_erasure_needs_the_acknowledgement(client: FlaskClient, session: Session) -> None:
    user = FounderFactory()
    sign_in(client, str(user.email))
    response = post_form(
        client, "/account/delete", {"password": DEFAULT_PASSWORD}, form_page="/account"
    )
    assert response.status_code == 422
    assert 'id="understand-error"' in response.get_data(as_text=True)
    fresh(session)
    assert session.get(User, user.id) is not None


def test_staff_cannot_erase_their_own_account(app: Flask, session: Session) -> None:
    user = StaffFactory()
    client = app.test_client()
    sign_in(client, str(user.email))
    assert "Erase your account" not in client.get("/account").get_data(as_text=True)
    response = post_form(
        client,
        "/account/delete",
        {"password": DEFAULT_PASSWORD, "understand": "y"},
        form_page="/account",
    )
    assert response.status_code == 403
    fresh(session)
    assert session.get(User, user.id) is not None
