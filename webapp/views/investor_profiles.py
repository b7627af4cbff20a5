"""An investor's public profile page, opened by founders from a match or an introduction."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webapp.services.investors import investor_profiles
from webapp.views._taxonomy_choices import labels
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session

bp = Blueprint("investor_profiles", __name__, url_prefix="/investors")


@bp.get("/<int:investor_id>")
@roles_required("founder", "investor", "staff", "admin")
def profile(investor_id: int) -> Any:
    """Who the investor is; the service answers 404 to anyone who may not know it exists."""
    found = investor_profiles.public_profile(
        session=get_session(), viewer=require_user(), investor_id=investor_id
    )
    return render_template("investors/profile.html", investor=found, labels=labels())
