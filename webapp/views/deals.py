"""Deals for both parties: a board by stage, each deal's history, and moving it on."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from webapp.models.enums import CLOSED_DEAL_STAGES, DealStage
from webapp.services.access.object_access import deal_side
from webapp.services.common.errors import ServiceError
from webapp.services.deals import deals
from webapp.services.deals.deals import BOARD_STAGES, DealView
from webapp.views._taxonomy_choices import labels
from webapp.views._venture_forms import DealMoveForm, deal_stage_choices
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.navigation import add_nav_item

bp = Blueprint("deals", __name__, url_prefix="/deals")
add_nav_item("deals.board", "Deals", roles={"founder", "investor"}, order=40)

READERS = ("founder", "investor", "staff", "admin")
BOARD_LIMIT = 100


@bp.context_processor
def _context() -> dict[str, Any]:
    return {"labels": labels()}


@bp.get("")
@roles_required(*READERS)
def board() -> Any:
    """Open deals in columns by stage; closed ones (invested, passed, withdrawn) in a list below.

    Seven columns side by side don't fit a laptop screen, and a board whose only deal sits in
    an off-screen "Passed" column looks empty; so only the open stages get columns, and the
    closed list starts unfolded when nothing is open.
    """
    page = deals.list_deals(session=get_session(), viewer=require_user(), limit=BOARD_LIMIT)
    columns: dict[DealStage, list[DealView]] = {
        stage: [] for stage in BOARD_STAGES if stage not in CLOSED_DEAL_STAGES
    }
    closed: list[DealView] = []
    for view in page.items:
        stage = DealStage(view.deal.stage)
        if stage in CLOSED_DEAL_STAGES:
            closed.append(view)
        else:
            columns.setdefault(stage, []).append(view)
    closed_counts = {
        stage: n
        for stage in BOARD_STAGES
        if stage in CLOSED_DEAL_STAGES
        and (n := sum(1 for v in closed if v.deal.stage == stage.value))
    }
    return render_template(
        "deals/board.html",
        columns=columns,
        open_count=sum(len(items) for items in columns.values()),
        closed=closed,
        closed_counts=closed_counts,
        page=page,
    )


def _deal_page(deal_id: int, form: DealMoveForm | None = None, status: int = 200) -> Any:
    session, user = get_session(), require_user()
    view = deals.get_deal(session=session, viewer=user, deal_id=deal_id)
    party = deal_side(session, user, view.deal.venture_id, view.deal.investor_id) is not None
    form = form or DealMoveForm(formdata=None)
    form.stage.choices = deal_stage_choices(view.next_stages)
    contacts = deals.contacts_for_deal(session=session, viewer=user, deal_id=deal_id)
    return (
        render_template("deals/deal.html", view=view, form=form, party=party, contact=contacts),
        status,
    )


@bp.get("/<int:deal_id>")
@roles_required(*READERS)
def deal(deal_id: int) -> Any:
    """One deal: where it stands, who moved it when, and the next moves."""
    return _deal_page(deal_id)


@bp.post("/<int:deal_id>/move")
@roles_required("founder", "investor")
def move(deal_id: int) -> Any:
    """Move the deal on (forward, or out to passed / withdrawn)."""
    form = DealMoveForm()
    view = deals.get_deal(session=get_session(), viewer=require_user(), deal_id=deal_id)
    form.stage.choices = deal_stage_choices(view.next_stages)
    if not form.validate_on_submit():
        return _deal_page(deal_id, form, 422)
    try:
        moved = deals.move_deal(
            session=get_session(),
            actor=require_user(),
            deal_id=deal_id,
            stage=DealStage(form.stage.data),
            amount_gbp=form.amount_gbp.data,
            note=form.note.data or None,
        )
    except ServiceError as exc:
        if exc.status not in {409, 422}:
            raise
        flash(exc.detail, "error")
        return redirect(url_for("deals.deal", deal_id=deal_id))
    flash(f"The deal is now at {labels().stage_name(moved.stage).lower()}.", "success")
    return redirect(url_for("deals.deal", deal_id=deal_id))
