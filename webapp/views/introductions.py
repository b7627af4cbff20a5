"""Introductions for both sides: answer requests, follow your own, see contacts once accepted."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from webapp.models.enums import IntroductionStatus
from webapp.services.common.errors import ServiceError
from webapp.services.introductions import introductions
from webapp.services.introductions.introductions import IntroductionView
from webapp.views._taxonomy_choices import labels
from webapp.views._venture_forms import ButtonForm, DeclineForm
from webapp.web.auth import require_user, roles_required, safe_next
from webapp.web.db_session import get_session
from webapp.web.navigation import add_nav_item

bp = Blueprint("introductions", __name__, url_prefix="/introductions")
add_nav_item("introductions.index", "Introductions", roles={"founder", "investor"}, order=20)

PARTIES = ("founder", "investor")


@bp.context_processor
def _context() -> dict[str, Any]:
    return {"labels": labels()}


def _back(default: str) -> Any:
    return redirect(safe_next(request.form.get("next"), default))


@bp.get("")
@roles_required(*PARTIES)
def index() -> Any:
    """Waiting for you, waiting for them, accepted (with contacts), and closed."""
    user = require_user()
    page = introductions.list_introductions(session=get_session(), viewer=user, limit=100)
    mine: list[IntroductionView] = []
    theirs: list[IntroductionView] = []
    accepted: list[IntroductionView] = []
    closed: list[IntroductionView] = []
    for view in page.items:
        intro = view.introduction
        if intro.status == IntroductionStatus.ACCEPTED.value:
            accepted.append(view)
        elif intro.status != IntroductionStatus.REQUESTED.value:
            closed.append(view)
        elif intro.requested_by_role == user.role:
            theirs.append(view)
        else:
            mine.append(view)
    return render_template(
        "deals/introductions.html",
        waiting_for_you=mine,
        waiting_for_them=theirs,
        accepted=accepted,
        closed=closed,
        total=page.total,
        decline_form=DeclineForm(),
    )


def _answer(introduction_id: int, action: str) -> Any:
    user, session = require_user(), get_session()
    form = DeclineForm() if action == "decline" else ButtonForm()
    if not form.validate_on_submit():
        flash("That form expired; please try again.", "error")
        return _back(url_for("introductions.index"))
    try:
        if action == "accept":
            introductions.accept_introduction(
                session=session, actor=user, introduction_id=introduction_id
            )
            flash("Introduction accepted: you can now see each other's contact details.", "success")
        elif action == "decline":
            introductions.decline_introduction(
                session=session,
                actor=user,
                introduction_id=introduction_id,
                reason=form.reason.data or None,
            )
            flash("Introduction declined.", "success")
        else:
            introductions.withdraw_introduction(
                session=session, actor=user, introduction_id=introduction_id
            )
            flash("Request withdrawn.", "success")
    except ServiceError as exc:
        if exc.status != 409:
            raise
        flash(exc.detail, "error")
    return _back(url_for("introductions.index"))


@bp.post("/<int:introduction_id>/accept")
@roles_required(*PARTIES)
def accept(introduction_id: int) -> Any:
    """Accept a request made to you."""
    return _answer(introduction_id, "accept")


@bp.post("/<int:introduction_id>/decline")
@roles_required(*PARTIES)
def decline(introduction_id: int) -> Any:
    """Decline a request made to you."""
    return _answer(introduction_id, "decline")


@bp.post("/<int:introduction_id>/withdraw")
@roles_required(*PARTIES)
def withdraw(introduction_id: int) -> Any:
    """Take back a request you made."""
    return _answer(introduction_id, "withdraw")
