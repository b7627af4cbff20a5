"""The app's attempt counters (`webapp.services.accounts.rate_limits`) and a per-IP page/API limit.

Views call `throttle()` for the counters the accounts service needs, or decorate a view with
`@per_ip_limit("10/hour", scope="password-reset")` to refuse floods with 429 + Retry-After.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

from webapp.services.accounts.rate_limits import Throttle
from webapp.web.db_session import current_settings

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION = "venturematch.throttle"


def throttle() -> Throttle:
    """This app's counters."""
    found: Throttle = current_app.extensions[EXTENSION]
    return found


def client_ip() -> str:
    """The caller's address as the WSGI server saw it (run behind ProxyFix if proxied)."""
    return request.remote_addr or "unknown"


def too_many(retry_after_s: int, detail: str) -> TooManyRequests:
    """A 429 carrying Retry-After, for pages and API alike."""
    return TooManyRequests(description=detail, retry_after=retry_after_s)


def per_ip_limit(rule: str, *, scope: str, reads: bool = False) -> Callable[[F], F]:
    """Refuse more than `rule` (e.g. "20/hour") requests per client IP to this view.

    Only writes count unless `reads` is set: a form page may be looked at freely, while an
    open feed anyone can poll counts every request.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if reads or request.method not in ("GET", "HEAD"):
                verdict = throttle().hit(rule, scope, client_ip())
                if not verdict.allowed:
                    raise too_many(
                        verdict.retry_after_s,
                        f"Too many requests; try again in {verdict.retry_after_s} seconds",
                    )
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def init_app(app: Flask) -> None:
    """One Throttle per app, on the app's Redis (memory when Redis is unset or down)."""
    with app.app_context():
        found = Throttle(current_settings().redis_url)
    app.extensions[EXTENSION] = found
    atexit.register(found.close)
