from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.webapp.api.helpers import Caller
from tests.webapp.ventures.parties import founder, investor, staff
from webapp.models import User
from webapp.services.ranking.match_queries import forget_recent_impressions

__all__ = ["as_user", "founder", "investor", "staff"]


@pytest.fixture
def as_user(client: FlaskClient, session: Session) -> Callable[[User | None], Caller]:
    """`as_user(user)` gives a client that sends that user's bearer token."""

    def make(user: User | None) -> Caller:
        return Caller(client, session, user)

    return make


@pytest.fixture(autouse=True)
def _forget_impressions() -> None:
    """Ids repeat between tests (tables are emptied): start without remembered pages."""
    forget_recent_impressions()
