"""CSRF protection for every form: any unsafe request outside /api/ must carry the token.

The API is exempt because it authenticates by bearer token only (cookies are ignored there), so
a cross-site page cannot make the browser send an authenticated API request.
"""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup, escape

from webapp.web.auth import is_api_request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_TIME_LIMIT_S = 8 * 3600  # a form left open for a working day still submits

csrf = CSRFProtect()


def _protect() -> None:
    if request.method in SAFE_METHODS or is_api_request():
        return
    csrf.protect()  # raises CSRFError (400) when the token is missing, wrong or stale


def csrf_field() -> Markup:
    """The hidden input every `<form method="post">` renders: `{{ csrf_field() }}`."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        escape(generate_csrf())
    )


def init_app(app: Flask) -> None:
    """Check tokens ourselves (the API is exempt by path); expose `csrf_field` to templates."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", CSRF_TIME_LIMIT_S)
    csrf.init_app(app)
    app.before_request(_protect)
    app.jinja_env.globals["csrf_field"] = csrf_field
