"""Shared fixtures for the matching tests."""

from __future__ import annotations

import pytest

from matching import MatchModel, prior_model
from tests.matching.factories import TAXONOMY, investor, venture


@pytest.fixture(scope="session")
def model() -> MatchModel:
    """The prior model with a vocabulary learned from the factory profiles."""
    return prior_model(TAXONOMY, ventures=[venture(id=1)], investors=[investor(id=2)])
