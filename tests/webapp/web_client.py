"""Helpers for page tests with Flask's test client: CSRF tokens, signing in, API tokens."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.test import TestResponse

from tests.factories import DEFAULT_PASSWORD

_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/sign-in") -> str:
    """The CSRF token a form on `path` carries for this client's session."""
    page = client.get(path)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no csrf_token on {path} (status {page.status_code})"
    return found.group(1)


def post_form(
    client: FlaskClient,
    path: str,
    data: dict[str, str],
    *,
    form_page: str | None = None,
    **kwargs: object,
) -> TestResponse:
    """POST a form as a browser would: with the CSRF token from the page that shows it."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)  # type: ignore[arg-type]


def sign_in(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD) -> TestResponse:
    """Sign in through the page; asserts it worked (302 away from the form)."""
    response = post_form(client, "/sign-in", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def api_token(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD) -> str:
    """A bearer token from POST /api/v1/auth/tokens."""
    response = client.post("/api/v1/auth/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.json
    token: str = response.json["token"]  # type: ignore[index]
    return token


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def fresh(session: Session) -> Session:
    """See what the app committed: end the test session's read snapshot and forget cached rows."""
    session.rollback()  # SQLite keeps a read transaction's snapshot until it ends
    session.expire_all()  # rollback alone leaves rows loaded in committed transactions cached
    return session
