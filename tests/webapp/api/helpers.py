"""Calling the API as a real user: a bearer token issued the way `POST /auth/tokens` issues it."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.test import TestResponse

from webapp.models import User
from webapp.services.accounts.api_tokens import issue_token


class Caller:
    """A test client speaking for one user (or for nobody, when `user` is None)."""

    def __init__(self, client: FlaskClient, session: Session, user: User | None) -> None:
        self.client = client
        self.user = user
        self.headers = {}
        if user is not None:
            token = issue_token(session=session, user=user).token
            self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, url: str, body: Any = None, **kwargs: Any) -> TestResponse:
        """Send a request; `body` goes as JSON."""
        if body is not None:
            kwargs["json"] = body
        return self.client.open(url, method=method.upper(), headers=self.headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", url, **kwargs)

    def post(self, url: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("POST", url, body, **kwargs)

    def patch(self, url: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("PATCH", url, body, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.call("DELETE", url, **kwargs)


def problem_fields(response: TestResponse) -> set[str]:
    """The fields a problem+json response names."""
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    return {e["field"] for e in (response.get_json() or {}).get("errors") or []}
