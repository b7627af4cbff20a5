"""The reference data and the full-size demo dataset, built once for every seed test."""

from __future__ import annotations

from datetime import date

import pytest

from reference.taxonomy import ReferenceData, load_reference_data
from seeds.demo import DemoDataset, generate

AS_OF = date(2026, 6, 30)  # the demo's "today" in these tests


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return load_reference_data()


@pytest.fixture(scope="session")
def dataset() -> DemoDataset:
    """The demo at `make run`'s scale and seed (frozen records: tests cannot change it)."""
    return generate(1_500, 300, 7, as_of=AS_OF)
