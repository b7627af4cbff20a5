"""The privacy notice and the terms of use: public pages, linked from every page's footer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webapp.models.enums import OneTimeTokenPurpose
from webapp.services.accounts.api_tokens import TOKEN_LIFETIME
from webapp.services.accounts.one_time_tokens import LIFETIMES
from webapp.services.accounts.sessions import IDLE_TIMEOUT, SESSION_LIFETIME
from webapp.web.cookies import DEVELOPMENT_COOKIE, PRODUCTION_COOKIE
from webapp.web.db_session import current_settings

bp = Blueprint("legal", __name__)
UPDATED = "6 December 2026"


def _hours(lifetime: Any) -> int:
    return int(lifetime.total_seconds() // 3600)


@bp.get("/privacy")
def privacy() -> Any:
    """What we hold about people, why, for how long, and how to use their rights.

    The periods come from the code that enforces them, so the notice can't drift from it.
    """
    return render_template(
        "legal/privacy.html",
        updated=UPDATED,
        contact=current_settings().privacy_contact,
        session_days=SESSION_LIFETIME.days,
        idle_days=IDLE_TIMEOUT.days,
        token_days=TOKEN_LIFETIME.days,
        reset_hours=_hours(LIFETIMES[OneTimeTokenPurpose.RESET_PASSWORD]),
        verify_days=LIFETIMES[OneTimeTokenPurpose.VERIFY_EMAIL].days,
        cookie=PRODUCTION_COOKIE if current_settings().is_production else DEVELOPMENT_COOKIE,
    )


@bp.get("/terms")
def terms() -> Any:
    """The rules for using venturematch, in plain words."""
    return render_template(
        "legal/terms.html", updated=UPDATED, contact=current_settings().privacy_contact
    )
