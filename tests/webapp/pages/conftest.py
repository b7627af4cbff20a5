from __future__ import annotations

import pytest

from tests.webapp.ventures.parties import founder, investor, staff
from webapp.services.ranking.match_queries import forget_recent_impressions

__all__ = ["founder", "investor", "staff"]


@pytest.fixture(autouse=True)
def _forget_impressions() -> None:
    """Ids repeat between tests (tables are emptied): start without remembered pages."""
    forget_recent_impressions()
