"""`/api/v1/auth/*` and `/api/v1/me`, exactly as ../shared/API.md specifies."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import DEFAULT_PASSWORD, FounderFactory, InvestorUserFactory
from tests.webapp.web_client import api_token, bearer, post_form
from webapp.models import ApiToken, AuditLog, User, utcnow
from webapp.services.accounts.opaque_tokens import digest

BODY = {
    "email": "Ada@Example.org",
    "password": "tidal moss quarry",
    "name": "Ada Lovelace",
    "role": "founder",
}


def test_register_creates_a_founder_or_investor(client: FlaskClient, session: Session) -> None:
    response = client.post("/api/v1/auth/register", json=BODY)
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"id", "email", "name", "role"}
    assert body["email"] == "ada@example.org"
    assert body["role"] == "founder"
    investor = client.post(
        "/api/v1/auth/register",
        json={
            **BODY,
            "email": "inv@example.org",
            "role": "investor",
            "organisation_name": "Calder Ventures",
        },
    )
    assert investor.status_code == 201
    user = session.exec(select(User).where(User.email == "inv@example.org")).one()
    assert user.organisation_id is not None


def test_register_refuses_staff_and_admin_roles(client: FlaskClient, session: Session) -> None:
    for role in ("staff", "admin"):
        response = client.post("/api/v1/auth/register", json={**BODY, "role": role})
        assert response.status_code == 422
        assert response.content_type == "application/problem+json"
        assert [e["field"] for e in response.json["errors"]] == ["role"]
    assert session.exec(select(User)).all() == []


def test_register_ignores_extra_privileged_fields(client: FlaskClient, session: Session) -> None:
    response = client.post(
        "/api/v1/auth/register", json={**BODY, "active": False, "is_admin": True, "id": 999}
    )
    assert response.status_code == 201
    user = session.exec(select(User)).one()
    assert user.role == "founder"
    assert user.id != 999
    assert user.active


def test_register_errors_name_the_field(client: FlaskClient) -> None:
    weak = client.post("/api/v1/auth/register", json={**BODY, "password": "short"})
    assert weak.status_code == 422
    assert weak.json["errors"][0]["field"] == "password"
    bad_email = client.post("/api/v1/auth/register", json={**BODY, "email": "not-an-email"})
    assert bad_email.status_code == 422
    assert bad_email.json["errors"][0]["field"] == "email"
    missing = client.post("/api/v1/auth/register", json={"email": "a@example.org"})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json["errors"]} >= {"password", "name", "role"}


def test_register_with_a_taken_email_is_409(client: FlaskClient) -> None:
    FounderFactory(email="ada@example.org")
    response = client.post("/api/v1/auth/register", json=BODY)
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"


def test_tokens_are_random_hashed_and_expire_in_30_days(
    client: FlaskClient, session: Session
) -> None:
    user = FounderFactory()
    response = client.post(
        "/api/v1/auth/tokens", json={"email": str(user.email), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201
    assert set(response.json) == {"token", "expires_at"}
    token = response.json["token"]
    assert len(token) >= 43  # ≥ 256 bits of randomness, URL-safe
    expires = datetime.fromisoformat(response.json["expires_at"].replace("Z", "+00:00"))
    assert timedelta(days=29) < expires - utcnow() <= timedelta(days=30)
    stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash == digest(token)
    assert token != api_token(client, str(user.email))  # a new one each time


def test_wrong_credentials_are_401_problem(client: FlaskClient) -> None:
    user = FounderFactory()
    for body in (
        {"email": str(user.email), "password": "wrong-password-123"},
        {"email": "nobody@example.org", "password": DEFAULT_PASSWORD},
    ):
        response = client.post("/api/v1/auth/tokens", json=body)
        assert response.status_code == 401
        assert response.content_type == "application/problem+json"
        assert response.json["detail"] == "The email or password is wrong"


def test_an_email_holding_a_nul_character_is_wrong_credentials_not_a_server_error(
    client: FlaskClient,
) -> None:
    # PostgreSQL refuses NUL in any string it is sent; found by `make fuzz` on PostgreSQL.
    FounderFactory(email="ada@example.org")
    for email in ("ada@example.org\x00", "\x00", "a\x00@example.org"):
        response = client.post("/api/v1/auth/tokens", json={"email": email, "password": "x" * 12})
        assert response.status_code == 401, response.get_data(as_text=True)
        assert response.json["detail"] == "The email or password is wrong"


def test_the_sign_in_and_reset_pages_take_a_nul_character_without_a_server_error(
    client: FlaskClient,
) -> None:
    signed = post_form(client, "/sign-in", {"email": "a\x00@example.org", "password": "x" * 12})
    assert signed.status_code in (401, 422)
    reset = post_form(client, "/forgot-password", {"email": "a\x00@example.org"})
    assert reset.status_code in (200, 302, 422)


def test_a_name_or_organisation_holding_nul_is_a_422_naming_it(client: FlaskClient) -> None:
    founder = BODY | {"name": "Ada\x00Lovelace"}
    response = client.post("/api/v1/auth/register", json=founder)
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["name"]
    investor = BODY | {"role": "investor", "organisation_name": "Tyne\x00Capital"}
    response = client.post("/api/v1/auth/register", json=investor)
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["organisation"]


def test_me_returns_the_caller(client: FlaskClient) -> None:
    user = InvestorUserFactory()
    response = client.get("/api/v1/me", headers=bearer(api_token(client, str(user.email))))
    assert response.status_code == 200
    body = response.json
    assert {k: body[k] for k in ("id", "email", "name", "role")} == {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": "investor",
    }
    assert body["organisation_id"] == user.organisation_id


def test_no_bad_or_expired_token_is_401_with_a_bearer_challenge(
    client: FlaskClient, session: Session
) -> None:
    user = FounderFactory()
    token = api_token(client, str(user.email))
    row = session.exec(select(ApiToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    for headers in ({}, bearer("made-up"), {"Authorization": "Basic YTpi"}, bearer(token)):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.content_type == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_deleting_the_current_token_kills_it_at_once(client: FlaskClient) -> None:
    user = FounderFactory()
    token, other = api_token(client, str(user.email)), api_token(client, str(user.email))
    response = client.delete("/api/v1/auth/tokens/current", headers=bearer(token))
    assert response.status_code == 204
    assert response.data == b""
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.delete("/api/v1/auth/tokens/current", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200  # only that one


def test_registration_is_audited_without_personal_data(
    client: FlaskClient, session: Session
) -> None:
    client.post("/api/v1/auth/register", json=BODY)
    entry = session.exec(select(AuditLog).where(AuditLog.action == "user.registered")).one()
    assert entry.after == {"role": "founder"}


def test_openapi_documents_bearer_security_and_problem_responses(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").json
    me = doc["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert "application/problem+json" in me["responses"]["401"]["content"]
    tokens = doc["paths"]["/api/v1/auth/tokens"]["post"]
    assert "Retry-After" in tokens["responses"]["429"]["headers"]
    assert "security" not in doc["paths"]["/api/v1/auth/register"]["post"]


@pytest.mark.parametrize(
    ("email", "explained"),
    [
        ("not-an-email", "has no @"),
        ("@example.org", "has nothing before the @"),
        ("ada@", "has nothing after the @"),
        ("ada@@example.org", "has more than one @"),
        ("ada lovelace@example.org", "has a space in it"),
        ("ada@example", "needs a full domain after the @, such as example.org"),
        ("ada@example..org", "has characters or dots where an email address can't have them"),
    ],
)
def test_register_explains_a_malformed_email(
    client: FlaskClient, session: Session, email: str, explained: str
) -> None:
    response = client.post("/api/v1/auth/register", json={**BODY, "email": email})
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["field"] == "email"
    assert error["message"].startswith("Enter a full email address, like name@example.org")
    assert explained in error["message"]
