"""Admins create staff and admin accounts, and (de)activate accounts; all of it audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import AdminFactory, FounderFactory, StaffFactory
from tests.webapp.web_client import fresh, post_form, sign_in
from webapp.models import AuditLog, User

NEW_STAFF = {
    "name": "Sam Patel",
    "email": "sam@programme.example",
    "role": "staff",
    "password": "ledger thistle ferry",
}


def _admin_client(app: Flask) -> tuple[FlaskClient, User]:
    admin = AdminFactory()
    client = app.test_client()
    sign_in(client, str(admin.email))
    return client, admin


def test_admin_creates_a_staff_account_that_can_sign_in(app: Flask, session: Session) -> None:
    client, admin = _admin_client(app)
    response = post_form(client, "/admin/users", NEW_STAFF, form_page="/admin/users")
    assert response.status_code == 302
    staff = session.exec(select(User).where(User.email == "sam@programme.example")).one()
    assert staff.role == "staff"
    entry = session.exec(select(AuditLog).where(AuditLog.action == "user.created")).one()
    assert entry.actor_id == admin.id
    assert entry.object_id == str(staff.id)
    assert entry.after == {"role": "staff", "by": "admin"}
    sign_in(app.test_client(), "sam@programme.example", "ledger thistle ferry")


def test_admin_form_only_makes_staff_or_admin(app: Flask, session: Session) -> None:
    client, _ = _admin_client(app)
    response = post_form(
        client, "/admin/users", {**NEW_STAFF, "role": "founder"}, form_page="/admin/users"
    )
    assert response.status_code == 422
    assert session.exec(select(User).where(User.email == NEW_STAFF["email"])).first() is None


def test_staff_cannot_create_accounts(app: Flask, session: Session) -> None:
    client = app.test_client()
    sign_in(client, str(StaffFactory().email))
    response = post_form(client, "/admin/users", NEW_STAFF, form_page="/account")
    assert response.status_code == 403
    assert session.exec(select(User).where(User.email == NEW_STAFF["email"])).first() is None


def test_deactivation_is_audited_and_reversible(app: Flask, session: Session) -> None:
    client, admin = _admin_client(app)
    user = FounderFactory()
    post_form(client, f"/admin/users/{user.id}/deactivate", {}, form_page="/admin/users")
    entry = session.exec(select(AuditLog).where(AuditLog.action == "user.deactivated")).one()
    assert entry.actor_id == admin.id
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})
    assert not fresh(session).get(User, user.id).active  # type: ignore[union-attr]
    post_form(client, f"/admin/users/{user.id}/reactivate", {}, form_page="/admin/users")
    assert fresh(session).get(User, user.id).active  # type: ignore[union-attr]
    sign_in(app.test_client(), str(user.email))


def test_admins_cannot_deactivate_themselves(app: Flask, session: Session) -> None:
    client, admin = _admin_client(app)
    response = post_form(
        client, f"/admin/users/{admin.id}/deactivate", {}, form_page="/admin/users"
    )
    assert response.status_code == 403
    assert fresh(session).get(User, admin.id).active  # type: ignore[union-attr]


def test_user_list_searches_and_filters(app: Flask) -> None:
    client, _ = _admin_client(app)
    FounderFactory(name="Grace Hopper", email="grace@example.org")
    StaffFactory(name="Sam Patel")
    page = client.get("/admin/users?q=grace").get_data(as_text=True)
    assert "grace@example.org" in page
    assert "Sam Patel" not in page
    staff_only = client.get("/admin/users?role=staff").get_data(as_text=True)
    assert "Sam Patel" in staff_only
    assert "grace@example.org" not in staff_only
