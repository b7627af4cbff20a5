"""An admin lands on an overview: accounts, the programme team, programmes, recent audit
entries and the health of the platform's parts."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session

from tests.factories import AdminFactory, FounderFactory, InvestorUserFactory, StaffFactory
from tests.webapp.staff.factories import ProgrammeFactory
from tests.webapp.web_client import sign_in
from webapp.models import EmailDelivery, utcnow
from webapp.services.reports.admin_overview import RoleCount, account_counts, backlog


def test_an_admin_lands_on_the_overview(app: Flask, session: Session) -> None:
    admin = AdminFactory(name="Ada Admin")
    StaffFactory(name="Morgan Lee")
    ProgrammeFactory(name="Tees Accelerator cohort 5")
    client = app.test_client()
    landed = sign_in(client, str(admin.email))
    assert landed.headers["Location"] in {"/", "/admin"}
    home = client.get("/")
    assert home.headers["Location"] == "/admin"
    text = client.get("/admin").get_data(as_text=True)
    assert "<h1>Admin overview</h1>" in text
    assert "Morgan Lee" in text
    assert "Tees Accelerator cohort 5" in text
    assert 'id="system-health"' in text
    assert 'Database</dt><dd><span class="status-pill status-active">Working' in text
    assert 'id="recent-audit"' in text


def test_only_admins_see_the_overview(app: Flask, session: Session) -> None:
    client = app.test_client()
    sign_in(client, str(StaffFactory().email))
    assert client.get("/admin").status_code == 403


def test_accounts_are_counted_by_role_and_state(session: Session) -> None:
    FounderFactory()
    FounderFactory(active=False)
    InvestorUserFactory(created_at=utcnow().replace(year=2020))
    counts = {c.role: c for c in account_counts(session=session, now=utcnow())}
    assert counts["founder"] == RoleCount("founder", 1, 1, 2)
    assert counts["investor"] == RoleCount("investor", 1, 0, 0)
    assert counts["admin"] == RoleCount("admin", 0, 0, 0)


def test_failed_and_waiting_emails_are_counted(session: Session) -> None:
    for n, status in enumerate(("pending", "failed", "failed", "sent")):
        session.add(
            EmailDelivery(
                to_address=f"p{n}@example.org", kind="digest", dedupe_key=f"k{n}",
                subject="s", text_body="b", html_body="<p>b</p>", status=status,
            )
        )  # fmt: skip
    session.commit()
    found = backlog(session=session)
    assert (found.emails_pending, found.emails_failed) == (1, 2)
