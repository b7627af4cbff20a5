"""Invitations to manage an investor organisation's mandate, as the invitee answers them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from webapp.services.common.errors import Conflict, Forbidden
from webapp.services.investors import member_invitations
from webapp.views._venture_forms import ButtonForm
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.limits import client_ip

bp = Blueprint("investor_invitations", __name__, url_prefix="/investor/invitations")


@bp.get("")
@roles_required("investor")
def index() -> Any:
    """Open invitations addressed to your email."""
    user = require_user()
    return render_template(
        "investor/invitations.html",
        invitations=member_invitations.invitations_for(session=get_session(), user=user),
        button=ButtonForm(),
    )


def _answer(invitation_id: int, *, accept: bool) -> Any:
    if not ButtonForm().validate_on_submit():
        flash("That form expired; please try again.", "error")
        return redirect(url_for("investor_invitations.index"))
    try:
        view = member_invitations.answer_invitation(
            session=get_session(),
            actor=require_user(),
            invitation_id=invitation_id,
            accept=accept,
            ip=client_ip(),
        )
    except (Conflict, Forbidden) as exc:
        flash(exc.detail, "error")
        return redirect(url_for("investor_invitations.index"))
    if accept:
        flash(
            f"You joined {view.organisation_name}: you manage its mandate with your colleagues.",
            "success",
        )
        return redirect(url_for("investor.matches"))
    flash(f"Declined: you won't join {view.organisation_name}.", "success")
    return redirect(url_for("investor_invitations.index"))


@bp.post("/<int:invitation_id>/accept")
@roles_required("investor")
def accept(invitation_id: int) -> Any:
    """Join the organisation."""
    return _answer(invitation_id, accept=True)


@bp.post("/<int:invitation_id>/decline")
@roles_required("investor")
def decline(invitation_id: int) -> Any:
    """Don't join; the colleague who invited you is told."""
    return _answer(invitation_id, accept=False)
