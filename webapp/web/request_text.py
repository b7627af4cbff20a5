"""Query and form values no database can hold (NUL characters) are refused before any view.

PostgreSQL refuses NUL in every string it is sent, so a `?q=%00` that reached a search once
answered 500 there (and worked on SQLite). No person types NUL; one refusal here covers every
page, with a 422 naming the parameter. The API's parameters are checked by its models, whose
422 comes after authentication as the API documents.
"""

from __future__ import annotations

from flask import Flask, request

from webapp.services.common.errors import FieldError, ValidationFailed
from webapp.services.common.text_checks import text_problem
from webapp.web.auth import is_api_request


def _refuse_unstorable_text() -> None:
    if is_api_request():
        return
    errors = [
        FieldError(name, problem)
        for values in (request.args, request.form)
        for name, value in values.items(multi=True)
        if (problem := text_problem(value))
    ]
    if errors:
        raise ValidationFailed(errors, "; ".join(f"{e.field} {e.message}" for e in errors))


def init_app(app: Flask) -> None:
    """Check every request's query string and form first."""
    app.before_request(_refuse_unstorable_text)
