"""Who is calling, and may they: the one place pages and the API learn the current user.

How to use it
-------------
Pages (`webapp/views/…`)::

    from webapp.web.auth import current_user, login_required, roles_required

    @bp.get("/ventures")
    @login_required                      # anonymous → 302 to /sign-in?next=/ventures
    def my_ventures(): ...

    @bp.post("/ventures/<int:venture_id>/publish")
    @roles_required("founder")           # anonymous → sign-in; wrong role → 403 page
    def publish(venture_id: int):
        user = current_user()            # a `User` (never None inside these decorators)

Forms are CSRF-protected automatically (every non-GET request outside /api/); render
`{{ csrf_field() }}` (or a Flask-WTF form's `hidden_tag()`) inside each `<form method="post">`.

API (`webapp/api/…`)::

    from webapp.web.auth import SECURITY, api_auth, current_user

    @api.get("/ventures/<int:venture_id>", security=SECURITY, responses={200: VentureOut})
    @api_auth("founder", "investor", "staff")   # no roles = any signed-in user
    def get_venture(path: VenturePath): ...

`api_auth` answers 401 problem+json (with `WWW-Authenticate: Bearer`) when the bearer token is
missing, unknown, expired or revoked, and 403 when the role is not allowed. `/api/…` requests are
authenticated by `Authorization: Bearer <token>` only: cookies are ignored there, which is why
the API needs no CSRF. Put `@api.<method>(...)` outermost and `@api_auth(...)` beneath it.

Object-level checks ("is this their venture?") belong in services, which raise
`webapp.services.common.errors.NotFound`/`Forbidden`; both pages and API turn those into 404/403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for
from werkzeug.exceptions import Unauthorized

from webapp.models import User
from webapp.models.enums import Role
from webapp.services.accounts import api_tokens, sessions
from webapp.services.common.errors import Forbidden
from webapp.web.db_session import get_session

F = TypeVar("F", bound=Callable[..., Any])

# The OpenAPI security requirement for operations that need a bearer token.
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
SESSION_KEY = "sid"  # the raw session token inside Flask's signed session cookie
SIGN_IN_ENDPOINT = "auth.sign_in"
STAFF_ROLES = (Role.STAFF.value, Role.ADMIN.value)


def is_api_request() -> bool:
    """API calls authenticate by bearer token; everything else by the session cookie."""
    return request.path.startswith("/api/")


def current_user() -> User | None:
    """The signed-in, active user for this request, or None (looked up once per request)."""
    if "current_user" not in g:
        g.current_user = _bearer_user() if is_api_request() else _cookie_user()
    user: User | None = g.current_user
    return user


def bearer_token() -> str | None:
    """The raw bearer token of this request, if it sent one."""
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        return None
    return auth.token


def _bearer_user() -> User | None:
    raw = bearer_token()
    if raw is None:
        return None
    return api_tokens.resolve_token(session=get_session(), raw_token=raw)


def _cookie_user() -> User | None:
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, str):
        return None
    user = sessions.resolve_session(session=get_session(), raw_token=raw)
    if user is None:
        session.pop(SESSION_KEY, None)  # a dead token is dropped from the cookie
    return user


def sign_in(user: User) -> None:
    """Start a fresh server-side session: the old cookie contents (and CSRF token) are dropped."""
    session.clear()  # session fixation: nothing from before sign-in survives it
    raw = sessions.start_session(
        session=get_session(),
        user=user,
        ip=request.remote_addr,
        user_agent=request.user_agent.string or None,
    )
    session[SESSION_KEY] = raw
    session.permanent = True
    g.current_user = user


def sign_out() -> None:
    """End the session server-side (the token dies even if the cookie was copied) and clear it."""
    raw = session.get(SESSION_KEY)
    if isinstance(raw, str):
        sessions.end_session(session=get_session(), raw_token=raw)
    session.clear()
    g.current_user = None


def current_session_token() -> str | None:
    """The raw token of this browser's session (to keep it when ending the others)."""
    raw = session.get(SESSION_KEY)
    return raw if isinstance(raw, str) else None


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths may be redirect targets after sign-in (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


def _to_sign_in() -> Any:
    target = request.full_path if request.query_string else request.path
    return redirect(url_for(SIGN_IN_ENDPOINT, next=target))


def _guard(
    roles: tuple[str, ...], *, anonymous: Callable[[], Any], refuse: Callable[[str], NoReturn]
) -> Callable[[F], F]:
    """A view decorator: the view runs for a signed-in user with one of `roles` (any role when
    none are named); `anonymous` answers everyone else, `refuse` the other roles."""
    allowed = _check_roles(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return anonymous()
            if allowed and user.role not in allowed:
                refuse(_role_message(allowed))
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def _forbidden_page(message: str) -> NoReturn:
    abort(403, description=message)


def _no_token() -> NoReturn:
    raise Unauthorized(
        "Send a valid token as 'Authorization: Bearer <token>'; "
        "get one from POST /api/v1/auth/tokens"
    )


def _forbidden_problem(message: str) -> NoReturn:
    raise Forbidden(message)


def login_required(view: F) -> F:
    """Page decorator: anonymous visitors are sent to sign in, then back here."""
    return _guard((), anonymous=_to_sign_in, refuse=_forbidden_page)(view)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Page decorator: sign-in first, then a 403 page unless the user has one of `roles`."""
    if not roles:  # fail closed: naming no role must not open a page to every account
        raise ValueError("roles_required needs at least one role; use login_required for any")
    return _guard(roles, anonymous=_to_sign_in, refuse=_forbidden_page)


def api_auth(*roles: str) -> Callable[[F], F]:
    """API decorator: 401 problem+json without a valid bearer token, 403 for other roles."""
    return _guard(roles, anonymous=_no_token, refuse=_forbidden_problem)


def require_user() -> User:
    """The current user inside a view already guarded by one of the decorators above."""
    user = current_user()
    if user is None:  # a view forgot its decorator: fail closed
        raise Unauthorized("Sign in first")
    return user


def _check_roles(roles: tuple[str, ...]) -> frozenset[str]:
    known = {r.value for r in Role}
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise ValueError(f"unknown role(s) {unknown}; roles are {sorted(known)}")
    return frozenset(roles)


def _role_message(allowed: frozenset[str]) -> str:
    return "This is open to " + " and ".join(sorted(allowed)) + " accounts only"


def _add_bearer_challenge(response: Any) -> Any:
    """RFC 6750: a 401 from the API names the scheme it expects."""
    if response.status_code == 401 and is_api_request():
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="venturematch"')
    return response


def init_app(app: Any) -> None:
    """Install the 401 challenge header and expose `current_user` to templates."""
    app.after_request(_add_bearer_challenge)
    app.context_processor(lambda: {"current_user": current_user()})
