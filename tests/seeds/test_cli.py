"""`python -m seeds`: load demo data into the configured database, or check taxonomy files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reference.taxonomy import DEFAULT_DIRECTORY
from seeds.cli import main
from seeds.demo import DEMO_ACCOUNTS


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str, instance_dir: Path, db: Engine
) -> None:
    """The process environment a deployment would give the command, on the test database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(instance_dir))


def login_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "@" in line]


@pytest.mark.usefixtures("environment")
def test_demo_loads_and_prints_one_login_per_role(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--ventures", "30", "--investors", "8", "--seed", "3"]) == 0
    output = capsys.readouterr().out
    assert "Inserted" in output
    lines = login_lines(output)
    assert len(lines) == len(DEMO_ACCOUNTS)
    for account, line in zip(DEMO_ACCOUNTS, lines, strict=True):
        assert account.email in line
        assert account.password in line


@pytest.mark.usefixtures("environment")
def test_demo_run_twice_says_nothing_was_added(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo", "--ventures", "30", "--investors", "8", "--as-of", "2026-01-31"])
    capsys.readouterr()
    assert main(["demo", "--ventures", "30", "--investors", "8", "--as-of", "2026-01-31"]) == 0
    output = capsys.readouterr().out
    assert "already loaded" in output
    assert len(login_lines(output)) == len(DEMO_ACCOUNTS)


def test_demo_refuses_a_database_without_the_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    assert main(["demo", "--ventures", "5", "--investors", "2"]) == 2
    assert "db upgrade" in capsys.readouterr().err


def test_negative_counts_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--ventures", "-3"])
    assert exit_.value.code == 2
    assert "negative" in capsys.readouterr().err


def test_check_accepts_the_packaged_taxonomies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_check_names_file_and_line_of_a_fault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in DEFAULT_DIRECTORY.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    with (tmp_path / "stages.csv").open("a", encoding="utf-8") as stages:
        stages.write("Series C,Series C,7,Later\n")
    assert main(["check", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert "stages.csv: line 9:" in error
    assert "snake_case" in error


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "seeds", "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")
