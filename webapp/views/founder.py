"""Founders' pages: the guided venture form, publishing, ranked investors with reasons and
widen-your-match advice, introductions for the venture, edit and delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError

from webapp.models import Venture, VentureCreate, VentureUpdate
from webapp.models.enums import Visibility
from webapp.services.common.errors import ValidationFailed
from webapp.services.deals import deal_closures, deals
from webapp.services.introductions import introductions
from webapp.services.ranking import hints, match_queries
from webapp.services.ventures import ventures
from webapp.views._introductions import ask_for_introduction
from webapp.views._taxonomy_choices import (
    institution_groups,
    instrument_options,
    labels,
    sector_groups,
    stage_options,
)
from webapp.views._venture_forms import (
    ButtonForm,
    IntroductionForm,
    VentureForm,
    attach_model_errors,
)
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import current_settings, get_session
from webapp.web.forms import attach_errors
from webapp.web.navigation import add_nav_item, set_dashboard

bp = Blueprint("founder", __name__, url_prefix="/founder")
add_nav_item("founder.ventures", "My ventures", roles={"founder"}, order=10)
set_dashboard("founder", "founder.ventures")

MATCHES_PER_PAGE = 10


@bp.context_processor
def _context() -> dict[str, Any]:
    return {"labels": labels()}


def _offset() -> int:
    try:
        return max(0, min(int(request.args.get("offset", "0")), 10_000))
    except ValueError:
        return 0


def _form_page(form: VentureForm, venture: Venture | None, status: int) -> Any:
    return (
        render_template(
            "founder/venture_form.html",
            form=form,
            venture=venture,
            sector_groups=sector_groups(),
            stages=stage_options(),
            instruments=instrument_options(),
            institution_groups=institution_groups(),
        ),
        status,
    )


@bp.get("/ventures", endpoint="ventures")
@roles_required("founder")
def ventures_index() -> Any:
    """The founder's ventures, each with its status and where to go next."""
    page = ventures.list_ventures(session=get_session(), viewer=require_user(), limit=100)
    return render_template("founder/ventures.html", page=page)


@bp.route("/ventures/new", methods=["GET", "POST"])
@roles_required("founder")
def new_venture() -> Any:
    """The guided form; save as a draft or publish straight away."""
    form = VentureForm()
    if request.method == "GET":
        return _form_page(form, None, 200)
    if form.validate_on_submit():
        try:
            publish = form.intent.data == "publish"
            body = VentureCreate.model_validate(
                form.values() | {"visibility": "published" if publish else "draft"}
            )
            venture = ventures.create_venture(
                session=get_session(), owner=require_user(), data=body
            )
        except ValidationError as exc:
            attach_model_errors(form, exc)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash(
                f"{venture.name} is published: investors whose mandate fits will see it shortly."
                if publish
                else f"{venture.name} is saved as a draft. Publish it when you are ready.",
                "success",
            )
            return redirect(url_for("founder.venture", venture_id=venture.id))
    return _form_page(form, None, 422)


@bp.get("/ventures/<int:venture_id>")
@roles_required("founder")
def venture(venture_id: int) -> Any:
    """A venture's page: status, ranked investors with reasons, advice, introductions, deals."""
    session, user = get_session(), require_user()
    item = ventures.get_venture(session=session, viewer=user, venture_id=venture_id)
    if item.owner_id != user.id:
        abort(404)
    matches = match_queries.venture_matches(
        session=session,
        viewer=user,
        venture_id=venture_id,
        limit=MATCHES_PER_PAGE,
        offset=_offset(),
    )
    advice = hints.advice_for_venture(
        session=session, settings=current_settings(), viewer=user, venture_id=venture_id
    )
    intros = introductions.list_introductions(
        session=session, viewer=user, venture_id=venture_id, limit=100
    )
    venture_deals = deals.list_deals(session=session, viewer=user, venture_id=venture_id, limit=100)
    by_investor = {}
    for view in reversed(intros.items):  # newest last, so it wins
        by_investor[view.introduction.investor_id] = view
    return render_template(
        "founder/venture.html",
        venture=item,
        matches=matches,
        advice=advice,
        intros=intros,
        intro_by_investor=by_investor,
        deals=venture_deals,
    )


@bp.route("/ventures/<int:venture_id>/edit", methods=["GET", "POST"])
@roles_required("founder")
def edit_venture(venture_id: int) -> Any:
    """Change the venture; a published venture is re-ranked in the background."""
    session, user = get_session(), require_user()
    item = ventures.get_venture(session=session, viewer=user, venture_id=venture_id)
    if item.owner_id != user.id:
        abort(404)
    if request.method == "GET":
        form = VentureForm(formdata=None, obj=item)
        form.raise_amount_gbp.data = item.raise_amount_gbp
        form.trl.data = str(item.trl) if item.trl else ""
        form.institution.data = item.institution or ""
        return _form_page(form, item, 200)
    form = VentureForm()
    if form.validate_on_submit():
        try:
            body = VentureUpdate.model_validate(form.values())
            ventures.update_venture(session=session, actor=user, venture_id=venture_id, data=body)
        except ValidationError as exc:
            attach_model_errors(form, exc)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash("Your changes are saved.", "success")
            return redirect(url_for("founder.venture", venture_id=venture_id))
    return _form_page(form, item, 422)


@bp.post("/ventures/<int:venture_id>/visibility")
@roles_required("founder")
def set_visibility(venture_id: int) -> Any:
    """Publish, close, or take the venture back to a draft."""
    form = ButtonForm()
    wanted = request.form.get("visibility", "")
    if not form.validate_on_submit() or wanted not in {v.value for v in Visibility}:
        abort(400, description="Choose publish, close or draft")
    session = get_session()
    open_deals = deal_closures.open_deal_count(session=session, venture_id=venture_id)
    venture = ventures.set_visibility(
        session=session,
        actor=require_user(),
        venture_id=venture_id,
        visibility=Visibility(wanted),
    )
    flash(
        {
            "published": f"{venture.name} is published: matching investors will see it shortly.",
            "closed": f"{venture.name} is closed to new investors: it has left their ranked "
            "lists. Introductions and deals already under way carry on"
            + (" (the investors in them are told)" if open_deals else "")
            + "; publish it again to reopen the round.",
            "draft": f"{venture.name} is back to a draft: investors no longer see it.",
        }[wanted],
        "success",
    )
    return redirect(url_for("founder.venture", venture_id=venture_id))


@bp.route("/ventures/<int:venture_id>/delete", methods=["GET", "POST"])
@roles_required("founder")
def delete_venture(venture_id: int) -> Any:
    """Confirm, then erase the venture and everything hanging off it."""
    session, user = get_session(), require_user()
    item = ventures.get_venture(session=session, viewer=user, venture_id=venture_id)
    if item.owner_id != user.id:
        abort(404)
    form = ButtonForm()
    if request.method == "POST" and form.validate_on_submit():
        name = item.name
        open_deals = deal_closures.open_deal_count(session=session, venture_id=venture_id)
        ventures.delete_venture(session=session, actor=user, venture_id=venture_id)
        flash(f"{name} and its matches and introductions are erased." + _deals_closed(open_deals),
              "success")  # fmt: skip
        return redirect(url_for("founder.ventures"))
    return render_template(
        "founder/delete.html",
        venture=item,
        form=form,
        open_deals=deal_closures.open_deal_count(session=session, venture_id=venture_id),
    )


def _deals_closed(count: int) -> str:
    """The flash's second sentence when open deals closed with the erased venture."""
    if not count:
        return ""
    if count == 1:
        return " Its open deal was withdrawn, and the investor is told."
    return f" Its {count} open deals were withdrawn, and the investors are told."


@bp.post("/ventures/<int:venture_id>/introductions")
@roles_required("founder")
def request_introduction(venture_id: int) -> Any:
    """Ask an investor in the venture's list for an introduction."""
    form = IntroductionForm()
    try:
        investor_id = int(request.form.get("investor_id", ""))
    except ValueError:
        abort(400, description="Choose an investor")
    back = url_for("founder.venture", venture_id=venture_id) + "#investors"
    return ask_for_introduction(
        form, actor=require_user(), venture_id=venture_id, investor_id=investor_id,
        other_side="investor", back=back,
    )  # fmt: skip
