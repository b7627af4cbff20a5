"""Sign up, sign in, sign out, email verification and password reset pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from webapp.services.accounts import accounts
from webapp.services.common.errors import Conflict, FieldError, ValidationFailed
from webapp.services.outbox import links
from webapp.views._account_forms import (
    PASSWORD_HINT,
    ConfirmForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from webapp.web.auth import current_user, login_required, require_user, safe_next, sign_in, sign_out
from webapp.web.db_session import get_session
from webapp.web.forms import attach_errors
from webapp.web.limits import client_ip, per_ip_limit, throttle
from webapp.web.navigation import dashboard_endpoint

bp = Blueprint("auth", __name__)
RESET_SESSION_KEY = "reset_token"
FORGOT_PER_EMAIL = "3/hour"  # stops anyone flooding one inbox with reset emails
bp.app_context_processor(lambda: {"password_hint": PASSWORD_HINT})


def _verify_link(token: str) -> str:
    return links.absolute(url_for("auth.verify_email", token=token))


def _reset_link(token: str) -> str:
    return links.absolute(url_for("auth.reset_link", token=token))


def _after_sign_in(target: str | None) -> Any:
    user = require_user()
    return redirect(safe_next(target, url_for(dashboard_endpoint(user))))


@bp.route("/sign-up", methods=["GET", "POST"])
@per_ip_limit("20/hour", scope="sign-up")
def sign_up() -> Any:
    """Create a founder or investor account (staff and admins are made by an admin)."""
    if current_user() is not None:
        return redirect(url_for("home.index"))
    form = SignUpForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.register(
                session=get_session(),
                email=form.email.data or "",
                password=form.password.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
                organisation_name=form.organisation.data if form.role.data == "investor" else None,
                link_for=_verify_link,
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except Conflict as exc:
            attach_errors(form, ValidationFailed([FieldError("email", exc.detail)]))
        else:
            sign_in(user)
            flash(
                f"Welcome, {user.name}. We've emailed a link to {user.email} to confirm "
                "your address.",
                "success",
            )
            return redirect(url_for(dashboard_endpoint(user)))
    if form.errors or form.form_errors:
        status = 422
    return render_template("auth/sign_up.html", form=form), status


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
def sign_in_page() -> Any:
    """Email and password; rate-limited per IP and account, never locking anyone out for long."""
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), "")
        if current_user() is not None:
            return _after_sign_in(form.next.data)
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                session=get_session(),
                email=form.email.data or "",
                password=form.password.data or "",
                ip=client_ip(),
                throttle=throttle(),
            )
        except accounts.TooManyAttempts as exc:
            form.form_errors.append(
                f"Too many failed attempts from here. Wait {_minutes(exc.retry_after_s)} and try "
                "again, or reset your password."
            )
            status, headers = 429, {"Retry-After": str(exc.retry_after_s)}
        except accounts.InvalidCredentials:
            form.form_errors.append("The email address or password is wrong.")
            status = 401
        else:
            sign_in(user)
            return _after_sign_in(form.next.data)
    elif request.method == "POST":
        status = 422
    return render_template("auth/sign_in.html", form=form), status, headers


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@bp.post("/sign-out", endpoint="sign_out")
def sign_out_page() -> Any:
    """End the session on the server, not just in this browser."""
    sign_out()
    flash("You've signed out.", "success")
    return redirect(url_for("home.index"))


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
def verify_email(token: str) -> Any:
    """A button, not the GET itself, uses the link: mail scanners that prefetch links can't."""
    form = ConfirmForm()
    if form.validate_on_submit():
        user = accounts.verify_email(session=get_session(), raw_token=token)
        if user is None:
            return render_template("auth/link_invalid.html", purpose="verify"), 400
        flash("Thank you: your email address is confirmed.", "success")
        return redirect(url_for("home.index"))
    return render_template("auth/verify_email.html", form=form, token=token)


@bp.post("/verify-email/resend")
@login_required
@per_ip_limit("10/hour", scope="verify-resend")
def resend_verification() -> Any:
    """Send a fresh confirmation link (the previous one stops working)."""
    user = require_user()
    if accounts.send_verification_email(session=get_session(), user=user, link_for=_verify_link):
        flash(f"We've sent a new confirmation link to {user.email}.", "success")
    else:
        flash("Your email address is already confirmed.", "info")
    return redirect(url_for("account.settings"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@per_ip_limit("10/hour", scope="forgot-password")
def forgot_password() -> Any:
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        if throttle().hit(FORGOT_PER_EMAIL, "forgot-email", email).allowed:
            accounts.request_password_reset(
                session=get_session(), email=email, link_for=_reset_link
            )
        return render_template("auth/forgot_sent.html", email=email)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.get("/reset-password/<token>")
def reset_link(token: str) -> Any:
    """Move the token out of the address bar (history, Referer) into the session, then ask."""
    session[RESET_SESSION_KEY] = token
    return redirect(url_for("auth.reset_password"))


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> Any:
    """Choose a new password; every session and API token of the account ends."""
    token = session.get(RESET_SESSION_KEY)
    db = get_session()
    if (
        not isinstance(token, str)
        or accounts.reset_password_user(session=db, raw_token=token) is None
    ):
        session.pop(RESET_SESSION_KEY, None)
        return render_template("auth/link_invalid.html", purpose="reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(
                session=db, raw_token=token, new_password=form.password.data or "", ip=client_ip()
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            session.pop(RESET_SESSION_KEY, None)
            if user is None:
                return render_template("auth/link_invalid.html", purpose="reset"), 400
            if current_user() is not None:
                sign_out()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset_password.html", form=form), status
