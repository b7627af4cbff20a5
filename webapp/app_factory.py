"""Assembles the Flask application from settings: database, security, API, pages and CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_openapi3 import Info
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import Settings, load_settings_or_exit
from webapp.db import make_engine
from webapp.services.outbox import links
from webapp.services.outbox.relay import install_outbox_waker
from webapp.web.json_provider import OrjsonProvider

API_INFO = Info(
    title="venturematch API",
    version="1",
    description="Match Northern ventures with early-market finance. JSON in and out; money is "
    "integer GBP (at most 10,000,000,000); dates are YYYY-MM-DD and times ISO 8601 UTC; numbers "
    "and booleans in a body must be JSON numbers and booleans, not strings; taxonomy codes are "
    "listed as enums here and at GET /api/v1/taxonomy; errors are application/problem+json.\n\n"
    "Limits, answered in production by the nginx proxy in front of the app (also as "
    "application/problem+json): 413 for a body over 2 MiB, 414 for a request line over 8 KiB, "
    "431 for a header over 8 KiB or all headers over 32 KiB, 400 for a malformed request.",
)
MAX_REQUEST_BYTES = 2 * 1024 * 1024  # larger bodies get 413; CSV uploads fit comfortably


def build_app(
    *, test_config: Mapping[str, Any] | None = None, settings: Settings | None = None
) -> Flask:
    """Create and configure an app instance (called by `webapp.create_app`)."""
    from webapp import api, cli, views, web
    from webapp.api._document import VenturematchOpenAPI

    settings = settings or load_settings_or_exit()
    app = VenturematchOpenAPI(
        "webapp",
        info=API_INFO,
        doc_prefix="/api",
        doc_url="/openapi.json",
        security_schemes={"bearerAuth": {"type": "http", "scheme": "bearer"}},
        validation_error_status=422,
        validation_error_callback=api.errors.validation_problem,
    )
    app.json = OrjsonProvider(app)
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key.get_secret_value(),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        PREFERRED_URL_SCHEME="https" if settings.is_production else "http",
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.from_mapping(test_config)

    if settings.trusted_proxies:
        # Behind a TLS-terminating proxy: take the client's address and scheme from the
        # X-Forwarded-* headers that exactly this many proxies set (rate limits key on the IP).
        count = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )
    app.extensions["venturematch.settings"] = settings
    app.extensions["venturematch.engine"] = make_engine(settings)
    install_outbox_waker(settings.redis_url)  # wake the relay after commits that add events
    links.configure(settings.site_url)  # emails link to PUBLIC_URL, never to a request's Host

    web.init_app(app)
    api.init_app(app)
    views.init_app(app)
    cli.init_app(app)
    return app
