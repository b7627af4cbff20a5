"""`flask --app webapp users create|deactivate|reactivate|list`: staff and admin accounts.

Staff and admins never come from sign-up; they are made here (on the server) or by an admin
on the Users page. Every change is written to the audit trail with no actor (the CLI).
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine
from sqlmodel import Session

from webapp.services.accounts import staff_access, user_admin
from webapp.services.accounts.accounts import find_user_by_email
from webapp.services.common.errors import ServiceError, ValidationFailed
from webapp.services.common.ids import saved_id

group = click.Group("users", help="Create and manage staff and admin accounts.")


def _session() -> Session:
    engine: Engine = current_app.extensions["venturematch.engine"]
    return Session(engine, expire_on_commit=False)


def _fail(error: ServiceError) -> click.ClickException:
    if isinstance(error, ValidationFailed):
        return click.ClickException("; ".join(f"{e.field}: {e.message}" for e in error.errors))
    return click.ClickException(error.detail)


@group.command("create")
@click.option("--role", type=click.Choice(user_admin.PRIVILEGED_ROLES), required=True)
@click.option("--email", required=True, help="Their email address (they sign in with it).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="12 to 128 characters; prompted for when not given.",
)
@click.option("--name", default=None, help="Their full name (defaults to the email's local part).")
@click.option(
    "--platform-wide",
    is_flag=True,
    help="Staff only: see every programme and venture. Without it a staff account sees only "
    "the programmes an admin assigns it to.",
)
@with_appcontext
def create(role: str, email: str, password: str, name: str | None, platform_wide: bool) -> None:
    """Create a staff or admin account."""
    if platform_wide and role != "staff":
        raise click.UsageError("--platform-wide is for staff accounts (admins see everything)")
    with _session() as session:
        try:
            user = user_admin.create_privileged_user(
                session=session,
                actor=None,
                email=email,
                password=password,
                name=name or email.split("@", 1)[0],
                role=role,
            )
            if platform_wide:
                staff_access.set_platform_wide(
                    session=session, actor=None, user_id=saved_id(user), platform_wide=True
                )
        except ServiceError as exc:
            raise _fail(exc) from None
        scope = ""
        if role == "staff":
            scope = ", platform-wide" if platform_wide else ", sees only programmes it is given"
        click.echo(f"created {user.role} account {user.email} (id {user.id}{scope})")


def _set_active(email: str, active: bool) -> None:
    with _session() as session:
        user = find_user_by_email(session=session, email=email)
        if user is None or user.id is None:
            raise click.ClickException(f"no account with the email {email!r}")
        try:
            user_admin.set_active(session=session, actor=None, user_id=user.id, active=active)
        except ServiceError as exc:
            raise _fail(exc) from None
        state = "reactivated" if active else "deactivated (sessions and API tokens ended)"
        click.echo(f"{user.email} {state}")


@group.command("deactivate")
@click.option("--email", required=True)
@with_appcontext
def deactivate(email: str) -> None:
    """Stop an account signing in; its sessions and API tokens end at once."""
    _set_active(email, active=False)


@group.command("reactivate")
@click.option("--email", required=True)
@with_appcontext
def reactivate(email: str) -> None:
    """Let a deactivated account sign in again."""
    _set_active(email, active=True)


@group.command("platform-wide")
@click.option("--email", required=True)
@click.option("--off", is_flag=True, help="Limit the account to its programmes again.")
@with_appcontext
def platform_wide(email: str, off: bool) -> None:
    """Let a staff account see every programme and venture (or, with --off, only its own)."""
    with _session() as session:
        user = find_user_by_email(session=session, email=email)
        if user is None or user.id is None:
            raise click.ClickException(f"no account with the email {email!r}")
        try:
            access = staff_access.set_platform_wide(
                session=session, actor=None, user_id=user.id, platform_wide=not off
            )
        except ServiceError as exc:
            raise _fail(exc) from None
        click.echo(f"{user.email} sees: {access.sees}")


@group.command("list")
@click.option("--role", type=click.Choice(["founder", "investor", "staff", "admin"]), default=None)
@with_appcontext
def list_users(role: str | None) -> None:
    """Print accounts (newest first): id, role, active, email."""
    with _session() as session:
        page = user_admin.list_users(session=session, limit=1000, role=role)
        for user in page.items:
            click.echo(
                f"{user.id}\t{user.role}\t{'active' if user.active else 'inactive'}\t{user.email}"
            )
