"""`flask --app webapp users …`: staff and admins are made on the server, never by sign-up."""

from __future__ import annotations

from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import Session, select

from tests.factories import FounderFactory
from tests.webapp.web_client import fresh, sign_in
from webapp.models import AuditLog, User


def _create(runner: FlaskCliRunner, role: str, email: str, password: str, *more: str) -> Result:
    """`flask users create` with a role, an address and a password (and any `more` options)."""
    return runner.invoke(
        args=["users", "create", "--role", role, "--email", email, "--password", password, *more]
    )


def test_create_staff_from_the_command_line(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    password = "ledger thistle ferry"
    result = _create(runner, "staff", "Sam@Programme.example", password, "--name", "Sam Patel")
    assert result.exit_code == 0, result.output
    assert "created staff account sam@programme.example" in result.output
    user = session.exec(select(User)).one()
    assert (user.role, user.name, user.email_verified_at is not None) == (
        "staff",
        "Sam Patel",
        True,
    )
    entry = session.exec(select(AuditLog).where(AuditLog.action == "user.created")).one()
    assert entry.actor_id is None
    assert entry.after == {"role": "staff", "by": "cli"}
    sign_in(app.test_client(), "sam@programme.example", "ledger thistle ferry")


def test_create_admin_prompts_for_the_password(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--role", "admin", "--email", "root@programme.example"],
        input="ledger thistle ferry\nledger thistle ferry\n",
    )
    assert result.exit_code == 0, result.output
    assert session.exec(select(User)).one().role == "admin"


def test_cli_refuses_other_roles_weak_passwords_and_taken_emails(
    app: Flask, session: Session
) -> None:
    runner = app.test_cli_runner()
    founder = _create(runner, "founder", "a@example.org", "ledger thistle ferry")
    assert founder.exit_code == 2
    weak = _create(runner, "staff", "a@example.org", "short")
    assert weak.exit_code == 1
    assert "password: Use at least 12 characters" in weak.output
    FounderFactory(email="taken@example.org")
    taken = _create(runner, "staff", "taken@example.org", "ledger thistle ferry")
    assert taken.exit_code == 1
    assert "already exists" in taken.output
    assert [u.email for u in fresh(session).exec(select(User)).all()] == ["taken@example.org"]


def test_cli_deactivates_and_reactivates(app: Flask, session: Session) -> None:
    user = FounderFactory()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "deactivate", "--email", str(user.email)])
    assert result.exit_code == 0, result.output
    assert not fresh(session).get(User, user.id).active  # type: ignore[union-attr]
    listed = runner.invoke(args=["users", "list"])
    assert f"{user.id}\tfounder\tinactive\t{user.email}" in listed.output
    runner.invoke(args=["users", "reactivate", "--email", str(user.email)])
    assert fresh(session).get(User, user.id).active  # type: ignore[union-attr]
    missing = runner.invoke(args=["users", "deactivate", "--email", "nobody@example.org"])
    assert missing.exit_code == 1
