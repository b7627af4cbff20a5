"""The session cookie: Secure, HttpOnly, SameSite=Lax, and `__Host-` prefixed in production.

Decision for development: browsers (Chromium, Firefox) treat http://localhost and 127.0.0.1 as
secure contexts and accept Secure cookies from them, so the cookie is Secure there too. On any
other plain-HTTP host in development (a LAN address, a container name) a Secure cookie would be
silently dropped and sign-in would loop, so only there is Secure left off. Production is always
Secure and always `__Host-` (no Domain, Path=/, Secure enforced by the browser).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

PRODUCTION_COOKIE = "__Host-vm_session"
DEVELOPMENT_COOKIE = "vm_session"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
COOKIE_LIFETIME = timedelta(days=14)  # matches the server-side session's absolute lifetime


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie with our naming and Secure rules."""

    def get_cookie_name(self, app: Flask) -> str:
        """`__Host-` is only valid on Secure cookies, so production alone uses it."""
        return PRODUCTION_COOKIE if _is_production(app) else DEVELOPMENT_COOKIE

    def get_cookie_secure(self, app: Flask) -> bool:
        """Always Secure in production; in development, Secure on HTTPS and on loopback."""
        if _is_production(app):
            return True
        if not has_request_context():
            return True
        host = urlsplit(f"//{request.host}").hostname or ""
        return request.is_secure or host in LOOPBACK_HOSTS


def _is_production(app: Flask) -> bool:
    settings = app.extensions.get("venturematch.settings")
    return bool(settings is not None and settings.is_production)


def init_app(app: Flask) -> None:
    """Use our cookie rules for Flask's session."""
    app.session_interface = SessionCookies()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=COOKIE_LIFETIME,
        # The cookie's 14 days run from sign-in, like the server-side session it carries; the
        # idle timeout lives on the server. Re-signing an unchanged cookie on every response
        # would only cost time (about 3 % of a page under load).
        SESSION_REFRESH_EACH_REQUEST=False,
    )
