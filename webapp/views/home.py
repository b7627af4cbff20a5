"""The landing page for visitors, and the way in to each role's dashboard once signed in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for

from webapp.web.auth import current_user
from webapp.web.navigation import dashboard_endpoint

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Any:
    """Explain venturematch to founders, investors and programme staff; send members onwards."""
    user = current_user()
    if user is not None:
        return redirect(url_for(dashboard_endpoint(user)))
    return render_template("home/landing.html")
