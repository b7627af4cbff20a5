"""The account page: profile and email preferences, password, sessions, export and erasure."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, url_for

from webapp.services.accounts import accounts, sessions
from webapp.services.common.errors import ValidationFailed
from webapp.services.privacy import account_data, data_export
from webapp.views._account_forms import (
    ChangePasswordForm,
    ConfirmForm,
    DeleteAccountForm,
    ProfileForm,
)
from webapp.web.auth import current_session_token, login_required, require_user, sign_out
from webapp.web.db_session import get_session
from webapp.web.forms import attach_errors
from webapp.web.limits import client_ip

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(status: int = 200, **forms: Any) -> Any:
    user = require_user()
    profile = forms.get("profile") or ProfileForm(
        formdata=None,
        name=user.name,
        phone=user.phone,
        email_frequency=user.email_frequency,
    )
    context = {
        "profile": profile,
        "password_form": forms.get("password_form") or ChangePasswordForm(formdata=None),
        "delete_form": forms.get("delete_form") or DeleteAccountForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        "live_sessions": sessions.live_session_count(session=get_session(), user_id=user.id or 0),
        "can_erase": user.role in account_data.SELF_ERASABLE_ROLES,
    }
    return render_template("account/settings.html", **context), status


@bp.get("")
@login_required
def settings() -> Any:
    """Everything a person can change about their own account, on one page."""
    return _page()


@bp.post("/profile")
@login_required
def update_profile() -> Any:
    """Save name, phone and email preferences."""
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                session=get_session(),
                user=require_user(),
                name=form.name.data or "",
                phone=form.phone.data,
                email_frequency=form.email_frequency.data or "",
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash("Your details have been saved.", "success")
            return redirect(url_for("account.settings"))
    return _page(422, profile=form)


@bp.post("/password")
@login_required
def change_password() -> Any:
    """Change password; this browser stays signed in, every other session and token ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                session=get_session(),
                user=require_user(),
                current_password=form.current_password.data or "",
                new_password=form.new_password.data or "",
                keep_session=current_session_token(),
                ip=client_ip(),
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash(
                "Your password has been changed. You've been signed out everywhere else.", "success"
            )
            return redirect(url_for("account.settings"))
    return _page(422, password_form=form)


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions() -> Any:
    """Sign out every other browser (e.g. after using a shared computer)."""
    if ConfirmForm().validate_on_submit():
        user = require_user()
        db = get_session()
        ended = sessions.revoke_user_sessions(
            session=db, user_id=user.id or 0, keep_token=current_session_token()
        )
        db.commit()
        flash(f"Signed out of {ended} other session{'s' if ended != 1 else ''}.", "success")
    return redirect(url_for("account.settings"))


@bp.get("/export.json")
@login_required
def export() -> Response:
    """Download everything we hold about you, as JSON."""
    data = data_export.export_account_data(session=get_session(), user=require_user())
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="venturematch-my-data.json"'},
    )


@bp.post("/delete")
@login_required
def delete() -> Any:
    """Erase the account (and a founder's ventures) after the password is confirmed."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            account_data.erase_account(
                session=get_session(), user=require_user(), password=form.password.data or ""
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            sign_out()
            flash("Your account and its data have been erased.", "success")
            return redirect(url_for("home.index"))
    return _page(422, delete_form=form)
