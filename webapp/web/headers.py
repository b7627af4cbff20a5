"""Security headers on every response: CSP without inline script, HSTS in production, and more."""

from __future__ import annotations

from flask import Flask, Response, request

from webapp.web.db_session import current_settings

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# Swagger UI (the /api/swagger page) injects inline styles, which a strict style-src blocks
# (measured in tests/browser); its script still comes only from our origin (see api_docs.py).
SWAGGER_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HSTS = "max-age=63072000; includeSubDomains"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def _security_headers(response: Response) -> Response:
    headers = response.headers
    swagger = request.path.startswith("/api/swagger")
    headers.setdefault("Content-Security-Policy", SWAGGER_CSP if swagger else CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if current_settings().is_production:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if _is_personal(response):
        headers["Cache-Control"] = "no-store"
    return response


def _is_personal(response: Response) -> bool:
    """Pages and API answers for a signed-in caller must not sit in shared or back-button caches.

    A response that declares itself public (the open observatory feed) is the same for every
    caller, so a cookie or token on the request doesn't make it personal.
    """
    if request.path.startswith("/static/") or request.path.startswith("/api/swagger/"):
        return False
    if response.cache_control.public and response.status_code < 400:
        return False
    return bool(request.authorization) or "Cookie" in request.headers or response.status_code >= 400


def init_app(app: Flask) -> None:
    """Add the headers after every request (error pages included)."""
    app.after_request(_security_headers)
