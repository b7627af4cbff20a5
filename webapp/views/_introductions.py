"""The introduction request both sides post from their lists (founders and investors)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect

from webapp.models import User
from webapp.services.common.errors import ServiceError
from webapp.services.introductions import introductions
from webapp.views._venture_forms import IntroductionForm
from webapp.web.db_session import get_session


def ask_for_introduction(
    form: IntroductionForm,
    *,
    actor: User,
    venture_id: int,
    investor_id: int,
    other_side: str,
    back: str,
) -> Any:
    """Check the form and ask; a refusal the asker can act on (409, 422) is a flash, not an
    error page. Either way the asker goes `back` to the list they asked from."""
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(back)
    try:
        introductions.request_introduction(
            session=get_session(),
            actor=actor,
            venture_id=venture_id,
            investor_id=investor_id,
            message=form.message.data or None,
        )
    except ServiceError as exc:
        if exc.status not in {409, 422}:
            raise
        flash(exc.detail, "error")
    else:
        flash(f"Introduction requested: the {other_side} will be asked to accept.", "success")
    return redirect(back)
