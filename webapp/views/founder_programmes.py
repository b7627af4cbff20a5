"""Founders' answers to programmes that ask to enrol an unpublished venture, and which
programmes their ventures are in (so they know which staff can see them)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from webapp.models.enums import EnrolmentRequestStatus
from webapp.services.common.errors import Conflict
from webapp.services.ventures import enrolment_requests
from webapp.views._venture_forms import ButtonForm
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.limits import client_ip
from webapp.web.navigation import add_nav_item

bp = Blueprint("founder_programmes", __name__, url_prefix="/founder/programmes")
# Every founder: published ventures can be enrolled without asking, so each founder can see where.
add_nav_item("founder_programmes.index", "Programmes", roles={"founder"}, order=25)


@bp.get("")
@roles_required("founder")
def index() -> Any:
    """Requests waiting for an answer, answered ones, and the programmes your ventures are in."""
    session, user = get_session(), require_user()
    found = enrolment_requests.requests_for_founder(session=session, founder=user)
    waiting = [r for r in found if r.status == EnrolmentRequestStatus.PENDING.value]
    return render_template(
        "founder/programmes.html",
        waiting=waiting,
        answered=[r for r in found if r.status != EnrolmentRequestStatus.PENDING.value],
        memberships=enrolment_requests.programmes_of_founder(session=session, founder=user),
        button=ButtonForm(),
    )


def _answer(request_id: int, *, accept: bool) -> Any:
    if not ButtonForm().validate_on_submit():
        flash("That form expired; please try again.", "error")
        return redirect(url_for("founder_programmes.index"))
    try:
        view = enrolment_requests.answer_request(
            session=get_session(),
            actor=require_user(),
            request_id=request_id,
            accept=accept,
            ip=client_ip(),
        )
    except Conflict as exc:
        flash(exc.detail, "error")
    else:
        if accept:
            flash(
                f"{view.venture_name} joined {view.programme_name}: its staff can now see it.",
                "success",
            )
        else:
            flash(f"Declined: {view.venture_name} stays out of {view.programme_name}.", "success")
    return redirect(url_for("founder_programmes.index"))


@bp.post("/requests/<int:request_id>/accept")
@roles_required("founder")
def accept(request_id: int) -> Any:
    """Let the venture into the programme."""
    return _answer(request_id, accept=True)


@bp.post("/requests/<int:request_id>/decline")
@roles_required("founder")
def decline(request_id: int) -> Any:
    """Keep the venture out of the programme."""
    return _answer(request_id, accept=False)
