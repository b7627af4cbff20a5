"""Calling the staff API and pages as a given user."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.webapp.web_client import sign_in
from webapp.models import User
from webapp.services.accounts.api_tokens import issue_token


def bearer_for(session: Session, user: User) -> dict[str, str]:
    """Authorization header with a fresh token for the user."""
    return {"Authorization": f"Bearer {issue_token(session=session, user=user).token}"}


def signed_in(app, user: User) -> FlaskClient:
    """A browser-like client with the user's session cookie."""
    client = app.test_client()
    sign_in(client, user.email)
    return client
