"""Programme management pages: create programmes, enrol ventures, assign staff."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.models.bounds import whole_number
from webapp.services import programmes
from webapp.services.errors import Conflict, FieldError, ValidationFailed
from webapp.views._staff_common import STAFF_ROLES, page_context
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.forms import attach_errors
from webapp.web.limits import client_ip
from webapp.web.navigation import add_nav_item

bp = Blueprint("staff_programmes", __name__, url_prefix="/staff/programmes")
bp.context_processor(page_context)
add_nav_item("staff_programmes.index", "Programmes", roles=set(STAFF_ROLES), order=12)
_IDS = re.compile(r"[\s,;]+")


class ProgrammeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A new programme."""

    name = StringField("Name", validators=[DataRequired(), Length(min=2, max=160)])
    description = TextAreaField("What it is for", validators=[Length(max=4000)])


class EnrolForm(FlaskForm):  # type: ignore[misc]
    """Venture ids to enrol, separated by commas or spaces."""

    venture_ids = StringField("Venture ids", validators=[DataRequired()])

    def ids(self) -> list[int] | None:
        """The ids, or None (with an error on the field) if any isn't a number."""
        parts = [p for p in _IDS.split(self.venture_ids.data or "") if p]
        ids = [whole_number(p, low=1) for p in parts]
        if not ids or None in ids:
            self.venture_ids.errors = ["Write venture ids as numbers separated by commas"]
            return None
        return [i for i in ids if i is not None]


class AssignForm(FlaskForm):  # type: ignore[misc]
    """A staff account to assign."""

    user_id = SelectField("Staff member", coerce=int, validate_choice=False)


class ButtonForm(FlaskForm):  # type: ignore[misc]
    """A bare POST (withdraw, unassign): just the CSRF token."""


def _index(form: ProgrammeForm, status: int = 200) -> Any:
    found = programmes.list_programmes(session=get_session(), viewer=require_user())
    return render_template("staff/programmes.html", programmes=found, form=form), status


@bp.get("")
@roles_required(*STAFF_ROLES)
def index() -> Any:
    """The programmes you can see, and a form to add one."""
    return _index(ProgrammeForm(formdata=None))


@bp.post("")
@roles_required(*STAFF_ROLES)
def create() -> Any:
    """Create a programme."""
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            made = programmes.create_programme(
                session=get_session(),
                actor=require_user(),
                name=form.name.data or "",
                description=form.description.data or "",
                ip=client_ip(),
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except Conflict as exc:
            attach_errors(form, ValidationFailed([FieldError("name", exc.detail)]))
        else:
            flash(f"Created {made.name}.", "success")
            return redirect(url_for("staff_programmes.detail", programme_id=made.id))
    return _index(form, 422)


def _detail(
    programme_id: int,
    enrol: EnrolForm | None = None,
    assign: AssignForm | None = None,
    status: int = 200,
) -> Any:
    session, user = get_session(), require_user()
    found = programmes.programme_detail(session=session, viewer=user, programme_id=programme_id)
    assign = assign or AssignForm(formdata=None)
    assigned = {u.id for u in found.staff}
    assign.user_id.choices = [
        SelectChoice(u.id, f"{u.name} ({u.email})")
        for u in programmes.staff_accounts(session=session)
        if u.id not in assigned
    ]
    return render_template(
        "staff/programme.html",
        detail=found,
        enrol=enrol or EnrolForm(formdata=None),
        assign=assign,
        button=ButtonForm(formdata=None),
    ), status


@bp.get("/<int:programme_id>")
@roles_required(*STAFF_ROLES)
def detail(programme_id: int) -> Any:
    """One programme: its ventures and staff."""
    return _detail(programme_id)


@bp.post("/<int:programme_id>/ventures")
@roles_required(*STAFF_ROLES)
def enrol(programme_id: int) -> Any:
    """Enrol ventures by id."""
    form = EnrolForm()
    ids = form.ids() if form.validate_on_submit() else None
    if ids is not None:
        try:
            added = programmes.enrol_ventures(
                session=get_session(),
                actor=require_user(),
                programme_id=programme_id,
                venture_ids=ids,
                ip=client_ip(),
            )
        except ValidationFailed as exc:
            form.venture_ids.errors = [f"{e.message}" for e in exc.errors]
        else:
            flash(f"Enrolled {added} venture{'' if added == 1 else 's'}.", "success")
            return redirect(url_for("staff_programmes.detail", programme_id=programme_id))
    return _detail(programme_id, enrol=form, status=422)


@bp.post("/<int:programme_id>/ventures/<int:venture_id>/withdraw")
@roles_required(*STAFF_ROLES)
def withdraw(programme_id: int, venture_id: int) -> Any:
    """Take a venture out of the programme."""
    if ButtonForm().validate_on_submit():
        programmes.withdraw_venture(
            session=get_session(),
            actor=require_user(),
            programme_id=programme_id,
            venture_id=venture_id,
            ip=client_ip(),
        )
        flash("Venture withdrawn from the programme.", "success")
    return redirect(url_for("staff_programmes.detail", programme_id=programme_id))


@bp.post("/<int:programme_id>/staff")
@roles_required(*STAFF_ROLES)
def assign(programme_id: int) -> Any:
    """Assign a staff member."""
    form = AssignForm()
    if form.validate_on_submit():
        try:
            programmes.assign_staff(
                session=get_session(),
                actor=require_user(),
                programme_id=programme_id,
                user_id=form.user_id.data,
                ip=client_ip(),
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash("Staff member assigned: they now see this programme's ventures.", "success")
            return redirect(url_for("staff_programmes.detail", programme_id=programme_id))
    return _detail(programme_id, assign=form, status=422)


@bp.post("/<int:programme_id>/staff/<int:user_id>/remove")
@roles_required(*STAFF_ROLES)
def unassign(programme_id: int, user_id: int) -> Any:
    """Remove a staff member from the programme."""
    if ButtonForm().validate_on_submit():
        programmes.unassign_staff(
            session=get_session(),
            actor=require_user(),
            programme_id=programme_id,
            user_id=user_id,
            ip=client_ip(),
        )
        flash("Staff member removed from the programme.", "success")
    return redirect(url_for("staff_programmes.detail", programme_id=programme_id))
