"""Investors upload their own portfolio history (Crunchbase 2013 columns) for the ranker."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from webapp.services.common.errors import ValidationFailed
from webapp.services.common.ids import saved_id
from webapp.services.imports import ImportMode, import_portfolio
from webapp.services.investors.investors import profile_of
from webapp.views._staff_common import page_context
from webapp.views.staff_imports import UploadForm, render_upload_page
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.forms import attach_errors
from webapp.web.limits import client_ip

bp = Blueprint("portfolio_history", __name__, url_prefix="/portfolio")
bp.context_processor(page_context)
# Reached from the mandate page ("Your track record"), not the header: the investor header
# has to fit on one line at 1280 px.
TEMPLATE = "staff/portfolio_import.html"


@bp.get("/import")
@roles_required("investor")
def form() -> Any:
    """The upload form, for the organisation's own history."""
    profile = profile_of(session=get_session(), user=require_user())
    return render_upload_page(UploadForm(formdata=None), None, 200, TEMPLATE, profile=profile)


@bp.post("/import")
@roles_required("investor")
def upload() -> Any:
    """Check every row and import the history (all, or the good rows if asked)."""
    session, user = get_session(), require_user()
    profile = profile_of(session=session, user=user)
    upload_form = UploadForm()
    report = None
    if profile is not None and upload_form.validate_on_submit():
        try:
            report = import_portfolio(
                session=session,
                actor=user,
                investor_id=saved_id(profile),
                content=upload_form.file.data.read(),
                mode=ImportMode(upload_form.mode.data),
                ip=client_ip(),
            )
        except ValidationFailed as exc:
            attach_errors(upload_form, exc, {"file": "file"})
    status = 200 if report is not None and report.committed else 422
    return render_upload_page(upload_form, report, status, TEMPLATE, profile=profile)
