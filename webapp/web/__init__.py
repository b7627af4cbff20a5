"""Request-level glue shared by pages and the API: sessions, the current user, CSRF, headers."""

from __future__ import annotations

from flask import Flask

from webapp.web import (
    api_docs,
    auth,
    cookies,
    csrf,
    db_session,
    headers,
    limits,
    navigation,
    request_text,
)


def init_app(app: Flask) -> None:
    """Attach per-request resources and the security layer to the app."""
    db_session.init_app(app)
    request_text.init_app(app)
    cookies.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    headers.init_app(app)
    limits.init_app(app)
    navigation.init_app(app)
    api_docs.init_app(app)
