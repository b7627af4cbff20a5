"""Pieces every staff page shares: the filter form, scope resolution and page context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import Optional

from webapp.models import User
from webapp.models.bounds import whole_number
from webapp.services.access.staff_scope import resolve_programmes
from webapp.services.common.errors import FieldError, Forbidden, ValidationFailed
from webapp.services.reports.pipeline_filters import PipelineFilters, make_filters
from webapp.services.ventures.programmes import list_programmes
from webapp.views._taxonomy_choices import (
    grouped_choices,
    institution_groups,
    labels,
    region_options,
    sector_groups,
    select_choices,
    stage_options,
)
from webapp.web.db_session import get_session
from webapp.web.forms import attach_errors

STAFF_ROLES = ("staff", "admin")


class FilterForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """The GET form above every pipeline view (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    date_from = DateField("Published from", validators=[Optional()], name="from")
    date_to = DateField("Published to", validators=[Optional()], name="to")
    sector = SelectField("Sector", validators=[Optional()], validate_choice=False)
    stage = SelectField("Stage", validators=[Optional()], validate_choice=False)
    region = SelectField("Region", validators=[Optional()], validate_choice=False)
    institution = SelectField("University", validators=[Optional()], validate_choice=False)
    programme = SelectField("Programme", validators=[Optional()], validate_choice=False)


def sector_choices() -> list[SelectChoice]:
    """Every sector, indented under its parent, after "All sectors"."""
    found = [SelectChoice("", "All sectors")]
    for group in sector_groups():
        found += [SelectChoice(o.code, "\u2003" * o.depth + o.label) for o in group.options]
    return found


@dataclass
class FilterState:
    """The checked filters, the form to show, and the errors to list (empty when fine)."""

    filters: PipelineFilters
    form: FilterForm
    valid: bool

    @property
    def query(self) -> dict[str, str]:
        """The filters as URL parameters, for links and downloads."""
        return self.filters.as_query()


def filter_state(user: User, *, dated: bool = True) -> FilterState:
    """Read the filters from the query string; bad ones are shown on the form, not applied."""
    session = get_session()
    form = FilterForm(formdata=request.args)
    form.sector.choices = sector_choices()
    form.stage.choices = select_choices(stage_options(), "All stages")
    form.region.choices = select_choices(region_options(), "All regions")
    form.institution.choices = [
        SelectChoice("", "All universities"),
        *grouped_choices(institution_groups()),
    ]
    visible = list_programmes(session=session, viewer=user)
    form.programme.choices = [SelectChoice("", "All my programmes")] + [
        SelectChoice(str(p.id), p.name) for p in visible
    ]
    if not dated:
        del form.date_from, form.date_to
    fine = form.validate()
    values = {
        name: (form[name].data or None) for name in ("sector", "stage", "region", "institution")
    }
    programme: int | None = None
    raw_programme = request.args.get("programme", "").strip()
    if raw_programme:
        programme = whole_number(raw_programme, low=1)
        if programme is None:
            form.programme.errors = ["Choose a programme from the list"]
            fine = False
    try:
        checked = make_filters(
            date_from=form.date_from.data if dated and fine else None,
            date_to=form.date_to.data if dated and fine else None,
            **values,
        )
        scope = resolve_programmes(session=session, user=user, programme=programme)
    except ValidationFailed as exc:
        attach_errors(form, exc, {"from": "date_from", "to": "date_to"})
        scope = resolve_programmes(session=session, user=user, programme=None)
        return FilterState(PipelineFilters(programme_ids=scope), form, False)
    except Forbidden as exc:
        attach_errors(form, ValidationFailed([FieldError("programme", exc.detail)]))
        scope = resolve_programmes(session=session, user=user, programme=None)
        return FilterState(PipelineFilters(programme_ids=scope), form, False)
    if not fine:
        return FilterState(PipelineFilters(programme_ids=scope), form, False)
    return FilterState(checked.with_scope(scope), form, True)


def page_context() -> dict[str, Any]:
    """Template globals of the staff pages."""
    return {"labels": labels()}
