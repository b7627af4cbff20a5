"""The model card page: the ranker behind every match list, in plain words and figures."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webapp.services.ranking.model_card import SETTING_LABELS, model_card
from webapp.web.auth import login_required
from webapp.web.db_session import current_settings, get_session
from webapp.web.navigation import add_nav_item

bp = Blueprint("model_card", __name__, url_prefix="/model")
# Founders and investors reach it from their match lists; staff have no list, so a header link.
add_nav_item("model_card.card", "Model", roles={"staff", "admin"}, order=80)


@bp.get("")
@login_required
def card() -> Any:
    """Any signed-in user: which model ranks, what it learned from, and how good it is."""
    return render_template(
        "model/card.html",
        card=model_card(session=get_session(), settings=current_settings()),
        setting_labels=SETTING_LABELS,
    )
