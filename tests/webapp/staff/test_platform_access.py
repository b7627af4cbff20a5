"""Platform-wide access is a grant only an admin makes (API, page and command line), never the
side effect of having no programme; the migration keeps today's platform team working."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import Session, col, select

from tests.factories import AdminFactory, FounderFactory, StaffFactory, VentureFactory
from tests.webapp.staff.calls import bearer_for, signed_in
from tests.webapp.staff.factories import ProgrammeMemberFactory
from tests.webapp.web_client import fresh, post_form
from webapp.config import load_settings
from webapp.db import make_engine
from webapp.migrate import upgrade
from webapp.models import AuditLog, PlatformStaff, User
from webapp.services.access import staff_scope


def test_an_admin_makes_a_staff_account_platform_wide_and_back(
    client: FlaskClient, session: Session
) -> None:
    staff = StaffFactory(name="Robin Reports", platform_wide=False)
    VentureFactory.create_batch(2)
    admin = bearer_for(session, AdminFactory())
    mine = bearer_for(session, staff)
    assert client.get("/api/v1/ventures", headers=mine).get_json()["total"] == 0

    listed = client.get("/api/v1/staff-access", headers=admin).get_json()["items"]
    assert [(a["name"], a["platform_wide"], a["programmes"]) for a in listed] == [
        ("Robin Reports", False, [])
    ]
    granted = client.patch(
        f"/api/v1/staff-access/{staff.id}", json={"platform_wide": True}, headers=admin
    )
    assert granted.get_json()["platform_wide"] is True
    assert client.get("/api/v1/ventures", headers=mine).get_json()["total"] == 2
    client.patch(f"/api/v1/staff-access/{staff.id}", json={"platform_wide": False}, headers=admin)
    assert client.get("/api/v1/ventures", headers=mine).get_json()["total"] == 0
    fresh(session)
    actions = session.exec(
        select(AuditLog.action).where(col(AuditLog.object_id) == str(staff.id))
    ).all()
    assert actions == ["staff.platform_granted", "staff.platform_removed"]


def test_only_staff_accounts_have_an_access_switch(client: FlaskClient, session: Session) -> None:
    admin = bearer_for(session, AdminFactory())
    founder = FounderFactory()
    to_founder = client.patch(
        f"/api/v1/staff-access/{founder.id}", json={"platform_wide": True}, headers=admin
    )
    assert to_founder.status_code == 404
    other_admin = AdminFactory()
    to_admin = client.patch(
        f"/api/v1/staff-access/{other_admin.id}", json={"platform_wide": True}, headers=admin
    )
    assert to_admin.status_code == 422
    assert to_admin.get_json()["errors"][0]["field"] == "user_id"


def test_admins_change_access_on_the_programmes_page_and_staff_never_see_the_switch(
    app: Flask, session: Session
) -> None:
    member = ProgrammeMemberFactory()
    admin_browser = signed_in(app, AdminFactory())
    page = admin_browser.get("/staff/programmes").get_data(as_text=True)
    assert "What each staff account sees" in page
    changed = post_form(
        admin_browser,
        f"/staff/programmes/staff-access/{member.user_id}",
        {"platform_wide": "1"},
        form_page="/staff/programmes",
    )
    assert changed.status_code == 302
    after = admin_browser.get("/staff/programmes").get_data(as_text=True)
    assert "Sees: The whole platform" in after
    fresh(session)
    assert session.get(PlatformStaff, member.user_id) is not None

    staff_browser = signed_in(app, StaffFactory())
    assert "What each staff account sees" not in staff_browser.get("/staff/programmes").get_data(
        as_text=True
    )


def test_the_command_line_creates_programme_staff_unless_told_platform_wide(
    app: Flask, session: Session
) -> None:
    runner = app.test_cli_runner()
    common = ["users", "create", "--role", "staff", "--password", "ledger thistle ferry"]
    scoped = runner.invoke(args=[*common, "--email", "scoped@programme.example"])
    assert "sees only programmes it is given" in scoped.output
    wide = runner.invoke(args=[*common, "--email", "wide@programme.example", "--platform-wide"])
    assert wide.exit_code == 0, wide.output
    assert "platform-wide" in wide.output
    narrowed = runner.invoke(
        args=["users", "platform-wide", "--email", "wide@programme.example", "--off"]
    )
    assert "sees: Nothing yet: no programme" in narrowed.output
    fresh(session)
    assert session.exec(select(PlatformStaff)).all() == []


def test_the_migration_keeps_staff_without_a_programme_platform_wide(tmp_path: Path) -> None:
    engine = make_engine(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}))
    upgrade(engine, "0001")
    with engine.begin() as connection:
        for user_id, role in ((1, "staff"), (2, "staff"), (3, "founder"), (4, "admin")):
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, name, password_hash, role, active, '
                    "email_frequency, created_at, updated_at) VALUES (:id, :email, 'N', 'x', "
                    ":role, 1, 'instant', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": user_id, "email": f"u{user_id}@example.org", "role": role},
            )
        connection.execute(text("INSERT INTO programme (id, name, description, created_at) "
                                "VALUES (1, 'P', '', CURRENT_TIMESTAMP)"))  # fmt: skip
        connection.execute(text("INSERT INTO programme_member (programme_id, user_id, added_at) "
                                "VALUES (1, 2, CURRENT_TIMESTAMP)"))  # fmt: skip
    upgrade(engine)
    with Session(engine) as session:
        granted = session.exec(select(PlatformStaff.user_id)).all()
        assert granted == [1]  # the unassigned staff member; not the assigned one, not others
        assigned = session.get(User, 2)
        assert assigned is not None
        assert staff_scope.staff_scope(session=session, user=assigned) == {1}
    engine.dispose()
