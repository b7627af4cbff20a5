"""Every accounts test arranges rows with factories, so bind them to a fresh session first."""

from __future__ import annotations

import pytest
from sqlmodel import Session


@pytest.fixture(autouse=True)
def _factories_bound(session: Session) -> Session:
    """Factories write through the test session (and the database starts empty)."""
    return session
