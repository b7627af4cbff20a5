"""Bulk CSV upload pages for staff: ventures, investors or a portfolio; each upload shows a
report of every bad row and why."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from webapp.models.bounds import MAX_ID, whole_number
from webapp.services.common.errors import ValidationFailed
from webapp.services.imports import (
    ImportMode,
    ImportReport,
    import_investors,
    import_portfolio,
    import_ventures,
)
from webapp.services.imports import investors as investor_columns
from webapp.services.imports import portfolio as portfolio_columns
from webapp.services.imports import ventures as venture_columns
from webapp.services.imports.crunchbase import USD_TO_GBP
from webapp.services.ventures.programmes import list_programmes
from webapp.views._staff_common import STAFF_ROLES, page_context
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.forms import attach_errors
from webapp.web.limits import client_ip

bp = Blueprint("staff_imports", __name__)
bp.context_processor(page_context)

MODES = [
    SelectChoice(ImportMode.ALL_OR_NOTHING.value, "If any row is bad, import nothing"),
    SelectChoice(ImportMode.GOOD_ROWS.value, "Import the good rows and report the bad ones"),
]
COLUMNS = {
    "ventures": (venture_columns.REQUIRED, venture_columns.OPTIONAL),
    "investors": (investor_columns.REQUIRED, investor_columns.OPTIONAL),
    "portfolio": (portfolio_columns.REQUIRED, portfolio_columns.OPTIONAL),
}


class UploadForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A CSV file and what to do with bad rows."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload")])
    mode = RadioField(
        "If some rows are bad", choices=MODES, default=ImportMode.ALL_OR_NOTHING.value
    )


class StaffUploadForm(UploadForm):
    """What the staff are importing."""

    kind = RadioField(
        "What the file holds",
        choices=[
            SelectChoice("ventures", "Ventures (a cohort)"),
            SelectChoice("investors", "Investors"),
            SelectChoice("portfolio", "An investor's portfolio history"),
        ],
        default="ventures",
    )
    programme = SelectField("Enrol the ventures in", validators=[Optional()], validate_choice=False)
    investor_id = IntegerField(
        "Investor id (portfolio only)", validators=[Optional(), NumberRange(min=1, max=MAX_ID)]
    )
    investor_name = StringField(
        "Only rows for this investor_name (portfolio only)",
        validators=[Optional(), Length(max=200)],
    )


def _staff_form(form: StaffUploadForm) -> StaffUploadForm:
    visible = list_programmes(session=get_session(), viewer=require_user())
    form.programme.choices = [SelectChoice("", "No programme")] + [
        SelectChoice(str(p.id), p.name) for p in visible
    ]
    if request.method == "GET" and whole_number(request.args.get("programme", ""), low=1):
        form.programme.data = request.args["programme"]
    return form


def _run(form: StaffUploadForm, content: bytes) -> ImportReport:
    session, actor, mode = get_session(), require_user(), ImportMode(form.mode.data)
    if form.kind.data == "investors":
        return import_investors(
            session=session, actor=actor, content=content, mode=mode, ip=client_ip()
        )
    if form.kind.data == "portfolio":
        if not form.investor_id.data:
            raise ValidationFailed([], "Give the investor's id to import a portfolio")
        return import_portfolio(
            session=session,
            actor=actor,
            investor_id=form.investor_id.data,
            content=content,
            mode=mode,
            investor_name=form.investor_name.data or None,
            ip=client_ip(),
        )
    programme = whole_number(form.programme.data or "", low=1)
    return import_ventures(
        session=session,
        actor=actor,
        content=content,
        mode=mode,
        programme_id=programme,
        ip=client_ip(),
    )


def render_upload_page(
    form: UploadForm,
    report: ImportReport | None,
    status: int,
    template: str = "staff/imports.html",
    **extra: Any,
) -> Any:
    """An upload page with its report (if any) and the column guide."""
    return render_template(
        template, form=form, report=report, columns=COLUMNS, usd_to_gbp=USD_TO_GBP, **extra
    ), status


@bp.get("/staff/imports")
@roles_required(*STAFF_ROLES)
def index() -> Any:
    """The upload form and the columns each kind of file needs."""
    return render_upload_page(_staff_form(StaffUploadForm(formdata=None)), None, 200)


@bp.post("/staff/imports")
@roles_required(*STAFF_ROLES)
def upload() -> Any:
    """Check every row, write (all, or the good ones if asked) and show the report."""
    form = _staff_form(StaffUploadForm())
    if not form.validate_on_submit():
        return render_upload_page(form, None, 422)
    try:
        report = _run(form, form.file.data.read())
    except ValidationFailed as exc:
        if not exc.errors:
            form.investor_id.errors = [exc.detail]
        attach_errors(form, exc, {"file": "file"})
        return render_upload_page(form, None, 422)
    return render_upload_page(form, report, 200 if report.committed else 422)
