"""Every staff test starts with no cached pipeline figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from webapp.services.reports import pipeline_cache


@pytest.fixture(autouse=True)
def _fresh_pipeline_cache() -> Iterator[None]:
    pipeline_cache.clear()
    yield
    pipeline_cache.clear()
