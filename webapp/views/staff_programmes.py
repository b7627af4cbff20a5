"""Programme pages: find and enrol ventures, follow founders' consent, and (admins) staff access.

Who may do what is decided in the services (`programmes`, `programme_enrolment`,
`staff_access`); these pages only hide the forms a user can't use.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.models import Programme
from webapp.models.bounds import max_length, whole_number
from webapp.services.accounts import staff_access
from webapp.services.common.errors import Conflict, FieldError, ValidationFailed
from webapp.services.ventures import enrolment_requests, programme_enrolment, programmes
from webapp.services.ventures.programme_enrolment import EnrolResult
from webapp.services.ventures.ventures import VentureFilters
from webapp.views._staff_common import STAFF_ROLES, page_context, sector_choices
from webapp.views._taxonomy_choices import region_options, select_choices, stage_options
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.forms import attach_errors
from webapp.web.limits import client_ip
from webapp.web.navigation import add_nav_item

bp = Blueprint("staff_programmes", __name__, url_prefix="/staff/programmes")
bp.context_processor(page_context)
add_nav_item("staff_programmes.index", "Programmes", roles=set(STAFF_ROLES), order=12)
SEARCH_FIELDS = ("q", "sector", "stage", "region")
RESULTS_PER_PAGE = 20


class ProgrammeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A new programme."""

    name = StringField(
        "Name", validators=[DataRequired(), Length(min=2, max=max_length(Programme, "name"))]
    )
    description = TextAreaField(
        "What it is for", validators=[Length(max=max_length(Programme, "description"))]
    )


class SearchForm(FlaskForm):  # type: ignore[misc]
    """Find ventures to enrol (a GET form: it changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField("Venture name", validators=[Optional(), Length(max=100)])
    sector = SelectField("Sector", validators=[Optional()], validate_choice=False)
    stage = SelectField("Stage", validators=[Optional()], validate_choice=False)
    region = SelectField("Region", validators=[Optional()], validate_choice=False)


class AssignForm(FlaskForm):  # type: ignore[misc]
    """A staff account to assign."""

    user_id = SelectField("Staff member", coerce=int, validate_choice=False)


class ButtonForm(FlaskForm):  # type: ignore[misc]
    """A bare POST (enrol the picked ventures, withdraw, unassign): just the CSRF token."""


def _index(form: ProgrammeForm, status: int = 200) -> Any:
    session, user = get_session(), require_user()
    found = programmes.list_programmes(session=session, viewer=user)
    admin = user.role == "admin"
    return render_template(
        "staff/programmes.html",
        programmes=found,
        form=form,
        may_create=programmes.may_create_programmes(session=session, user=user),
        access=staff_access.staff_access(session=session, viewer=user) if admin else None,
        button=ButtonForm(formdata=None),
    ), status


@bp.get("")
@roles_required(*STAFF_ROLES)
def index() -> Any:
    """The programmes you can see, a form to add one, and (admins) what each staff account sees."""
    return _index(ProgrammeForm(formdata=None))


@bp.post("")
@roles_required(*STAFF_ROLES)
def create() -> Any:
    """Create a programme (admins and platform-wide staff; the service refuses others)."""
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


def _search_form() -> SearchForm:
    # On a POST the search travels in hidden fields, so a refused enrolment shows it again.
    form = SearchForm(formdata=request.values)
    form.sector.choices = sector_choices()
    form.stage.choices = select_choices(stage_options(), "All stages")
    form.region.choices = select_choices(region_options(), "All regions")
    return form


def _search_args() -> dict[str, str]:
    """The search as it was asked, for links back to it (pagination, after enrolling)."""
    return {k: v for k in SEARCH_FIELDS if (v := request.values.get(k, "").strip()[:100])}


def _offset() -> int:
    return whole_number(request.args.get("offset", "0"), high=10_000) or 0


def _candidates(programme_id: int, form: SearchForm) -> Any:
    """The search results, or None before a search (or when the search itself is wrong)."""
    if not any(k in request.values for k in SEARCH_FIELDS) or not form.validate():
        return None
    try:
        return programme_enrolment.enrolment_candidates(
            session=get_session(),
            viewer=require_user(),
            programme_id=programme_id,
            name=form.q.data,
            filters=VentureFilters(
                sector=form.sector.data or None,
                stage=form.stage.data or None,
                region=form.region.data or None,
            ),
            limit=RESULTS_PER_PAGE,
            offset=_offset(),
        )
    except ValidationFailed as exc:
        attach_errors(form, exc)
        return None


def _detail(
    programme_id: int,
    assign: AssignForm | None = None,
    enrol_errors: list[str] | None = None,
    picked: list[int] | None = None,
    status: int = 200,
) -> Any:
    session, user = get_session(), require_user()
    found = programmes.programme_detail(session=session, viewer=user, programme_id=programme_id)
    search = _search_form()
    results = _candidates(programme_id, search)
    admin = user.role == "admin"
    assign = assign or AssignForm(formdata=None)
    if admin:
        assigned = {u.id for u in found.staff}
        assign.user_id.choices = [
            SelectChoice(u.id, f"{u.name} ({u.email})")
            for u in programmes.staff_accounts(session=session)
            if u.id not in assigned
        ]
    return render_template(
        "staff/programme.html",
        detail=found,
        pending=enrolment_requests.pending_requests(
            session=session, viewer=user, programme_id=programme_id
        ),
        search=search,
        search_args=_search_args(),
        results=results,
        enrol_errors=enrol_errors or [],
        picked=set(picked or []),
        admin=admin,
        assign=assign,
        button=ButtonForm(formdata=None),
    ), status


@bp.get("/<int:programme_id>")
@roles_required(*STAFF_ROLES)
def detail(programme_id: int) -> Any:
    """One programme: its ventures, a search to add more, founders' answers and its staff."""
    return _detail(programme_id)


def _ids(raw: list[str]) -> list[int] | None:
    ids = [whole_number(v, low=1) for v in raw]
    if not ids or None in ids:
        return None
    return [i for i in ids if i is not None]


def _enrolled_message(result: EnrolResult) -> str:
    parts = []
    if result.enrolled:
        n = len(result.enrolled)
        parts.append(f"Enrolled {n} venture{'' if n == 1 else 's'}.")
    if result.requested:
        n = len(result.requested)
        parts.append(
            f"Asked {n} founder{'' if n == 1 else 's'} for consent: "
            f"{'that venture is' if n == 1 else 'those ventures are'} not published, so "
            f"{'it joins' if n == 1 else 'they join'} only if the founder accepts."
        )
    return " ".join(parts) or "Those ventures were already in the programme."


@bp.post("/<int:programme_id>/ventures")
@roles_required(*STAFF_ROLES)
def enrol(programme_id: int) -> Any:
    """Enrol the ventures picked from the search results."""
    form = ButtonForm()
    back = url_for("staff_programmes.detail", programme_id=programme_id)
    query = _search_args()
    if not form.validate_on_submit():
        return _detail(
            programme_id, enrol_errors=["The form expired. Please try again."], status=422
        )
    ids = _ids(request.form.getlist("venture_ids"))
    if ids is None:
        return _detail(
            programme_id,
            enrol_errors=["Tick at least one venture in the search results, then enrol."],
            status=422,
        )
    try:
        result = programme_enrolment.enrol_ventures(
            session=get_session(),
            actor=require_user(),
            programme_id=programme_id,
            venture_ids=ids,
            ip=client_ip(),
        )
    except ValidationFailed as exc:
        return _detail(
            programme_id, enrol_errors=[e.message for e in exc.errors], picked=ids, status=422
        )
    flash(_enrolled_message(result), "success")
    return redirect(back + (f"?{urlencode(query)}#results" if query else "#programme-ventures"))


@bp.post("/<int:programme_id>/ventures/<int:venture_id>/withdraw")
@roles_required(*STAFF_ROLES)
def withdraw(programme_id: int, venture_id: int) -> Any:
    """Take a venture out of the programme."""
    if ButtonForm().validate_on_submit():
        programme_enrolment.withdraw_venture(
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
    """Assign a staff member (admins; the service refuses others)."""
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
    """Remove a staff member from the programme (admins; the service refuses others)."""
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


@bp.post("/staff-access/<int:user_id>")
@roles_required("admin")
def change_access(user_id: int) -> Any:
    """Make a staff account platform-wide, or limit it to its programmes (admins)."""
    if ButtonForm().validate_on_submit():
        wide = request.form.get("platform_wide") == "1"
        access = staff_access.set_platform_wide(
            session=get_session(),
            actor=require_user(),
            user_id=user_id,
            platform_wide=wide,
            ip=client_ip(),
        )
        flash(f"{access.user.name} now sees: {access.sees}.", "success")
    return redirect(url_for("staff_programmes.index") + "#staff-access")
