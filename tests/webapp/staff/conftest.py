"""Every staff test starts with no cached pipeline figures; `known` stores the hand-worked one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.webapp.staff.known_pipeline import KnownPipeline, seed_known_pipeline
from webapp.services.reports import pipeline_cache


@pytest.fixture(autouse=True)
def _fresh_pipeline_cache() -> Iterator[None]:
    pipeline_cache.clear()
    yield
    pipeline_cache.clear()


@pytest.fixture
def known(session: object) -> KnownPipeline:
    """The pipeline of `known_pipeline`'s docstring, stored."""
    return seed_known_pipeline()
