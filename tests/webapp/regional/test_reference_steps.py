"""The deploy steps load the reference files first: a bad file stops them with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reference.regional import DEFAULT_DIRECTORY, load_regional_statistics
from webapp.services.reports.regional import statistics
from webapp.stack.prepare import PreparationError, load_reference_data


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Serve a copy of the regional files whose mapping names an unknown region."""
    for path in DEFAULT_DIRECTORY.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    mapping = tmp_path / "nuts2_to_platform.csv"
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace(
            "UKD1,north_west,cumbria", "UKD1,north_west,lakeland"
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(
        statistics, "regional_statistics", lambda: load_regional_statistics(tmp_path)
    )
    return mapping


def test_the_migrate_step_reports_what_it_loaded(app, db):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "reference data ok" in result.output
    assert "200 rows of spin-off figures for 43 NUTS2 areas" in result.output


def test_the_migrate_step_fails_on_a_bad_file(app, db, broken):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert f"{broken}: line 5: area 'lakeland' is not a code in regions.csv" in result.output


def test_make_run_stops_before_starting_anything_on_a_bad_file(broken):
    with pytest.raises(PreparationError, match="line 5: area 'lakeland'"):
        load_reference_data()
