"""Admins manage accounts: list and search users, create staff and admins, (de)activate."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from webapp.models import utcnow
from webapp.models.enums import JobKind
from webapp.services.accounts import user_admin
from webapp.services.common.errors import Conflict, FieldError, ValidationFailed
from webapp.services.common.health import broker_client, check_health
from webapp.services.outbox import jobs
from webapp.services.reports import admin_overview
from webapp.services.reports.audit_queries import AuditFilters, audit_entries
from webapp.services.ventures import programmes
from webapp.views._account_forms import ConfirmForm, StaffUserForm
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import current_engine, current_settings, get_session
from webapp.web.forms import attach_errors
from webapp.web.limits import client_ip
from webapp.web.navigation import add_nav_item, set_dashboard

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
ROLE_FILTERS = ("founder", "investor", "staff", "admin")
RECENT_AUDIT = 10
add_nav_item("admin.dashboard", "Overview", roles={"admin"}, order=5)
add_nav_item("admin.users", "Users", roles={"admin"}, order=90)
set_dashboard("admin", "admin.dashboard")


@bp.get("")
@roles_required("admin")
def dashboard() -> Any:
    """Where an admin lands: accounts, staff, programmes, the latest audit entries and whether
    the platform's parts are up."""
    session, admin = get_session(), require_user()
    broker = broker_client(current_settings().redis_url)
    try:
        health = check_health(engine=current_engine(), broker=broker)
    finally:
        if broker is not None:
            broker.close()
    privileged = [
        user_admin.list_users(session=session, role=role, limit=PAGE_SIZE).items
        for role in ("staff", "admin")
    ]
    return render_template(
        "admin/dashboard.html",
        accounts=admin_overview.account_counts(session=session, now=utcnow()),
        new_account_days=admin_overview.NEW_ACCOUNT_DAYS,
        team=sorted(privileged[0] + privileged[1], key=lambda u: (u.role, u.name.lower())),
        programmes=programmes.list_programmes(session=session, viewer=admin),
        audit=audit_entries(
            session=session, viewer=admin, filters=AuditFilters(), limit=RECENT_AUDIT
        ),
        health=health,
        backlog=admin_overview.backlog(session=session),
        refresh=jobs.latest(session=session, kind=JobKind.FULL_REFRESH),
    )


def _list_page(form: StaffUserForm, status: int = 200) -> Any:
    role = request.args.get("role") if request.args.get("role") in ROLE_FILTERS else None
    query = (request.args.get("q") or "").strip()[:100] or None
    try:
        offset = max(0, int(request.args.get("offset", "0")))
    except ValueError:
        offset = 0
    page = user_admin.list_users(
        session=get_session(), limit=PAGE_SIZE, offset=offset, role=role, query=query
    )
    return render_template(
        "admin/users.html",
        page=page,
        form=form,
        confirm_form=ConfirmForm(formdata=None),
        role=role,
        query=query or "",
        roles=ROLE_FILTERS,
    ), status


@bp.get("/users")
@roles_required("admin")
def users() -> Any:
    """Every account, newest first, with search and a role filter."""
    return _list_page(StaffUserForm(formdata=None))


@bp.post("/users")
@roles_required("admin")
def create_user() -> Any:
    """Create a staff or admin account (never possible through sign-up)."""
    form = StaffUserForm()
    if form.validate_on_submit():
        try:
            user = user_admin.create_privileged_user(
                session=get_session(),
                actor=require_user(),
                email=form.email.data or "",
                password=form.password.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
                ip=client_ip(),
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except Conflict as exc:
            attach_errors(form, ValidationFailed([FieldError("email", exc.detail)]))
        else:
            flash(f"Created {user.role} account for {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return _list_page(form, 422)


@bp.post("/users/<int:user_id>/deactivate")
@roles_required("admin")
def deactivate(user_id: int) -> Any:
    """Stop an account signing in; its sessions and API tokens end at once."""
    if ConfirmForm().validate_on_submit():
        user = user_admin.set_active(
            session=get_session(),
            actor=require_user(),
            user_id=user_id,
            active=False,
            ip=client_ip(),
        )
        flash(f"Deactivated {user.email}; their sessions and API tokens have ended.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@roles_required("admin")
def reactivate(user_id: int) -> Any:
    """Let a deactivated account sign in again."""
    if ConfirmForm().validate_on_submit():
        user = user_admin.set_active(
            session=get_session(),
            actor=require_user(),
            user_id=user_id,
            active=True,
            ip=client_ip(),
        )
        flash(f"Reactivated {user.email}.", "success")
    return redirect(url_for("admin.users"))
