"""The one-off steps before the services start: reference data, schema, demo data, first model."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence

from sqlmodel import Session, select

from reference.taxonomy import TaxonomyError
from webapp.config import Settings
from webapp.db import make_engine
from webapp.migrate import current_revision, upgrade
from webapp.models import ModelVersion
from webapp.services.reports.regional.statistics import check_reference_data


class PreparationError(Exception):
    """A start-up step failed; the message says which and how to see why."""


def load_reference_data() -> str:
    """Load and check the taxonomies and regional statistics the app serves from disk."""
    try:
        return check_reference_data()
    except TaxonomyError as exc:
        raise PreparationError(f"reference data: {exc}") from None


def migrate(settings: Settings) -> str | None:
    """Bring the schema to the newest revision; return that revision."""
    engine = make_engine(settings)
    try:
        upgrade(engine)
        return current_revision(engine)
    finally:
        engine.dispose()


def has_active_model(settings: Settings) -> bool:
    """True once a trained model has been promoted."""
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            return (
                session.exec(select(ModelVersion.id).where(ModelVersion.active == True)).first()  # noqa: E712
                is not None
            )
    finally:
        engine.dispose()


def run_step(name: str, argv: Sequence[str], env: Mapping[str, str]) -> str:
    """Run a preparation command and return its standard output.

    Standard output is echoed live with a prefix (and kept: it carries the demo logins);
    standard error goes straight to the terminal, so progress bars draw in place.
    """
    print(f"[{name}] $ {' '.join(argv)}", flush=True)
    kept: list[str] = []
    with subprocess.Popen(  # noqa: S603 - argv is ours
        list(argv), env=dict(env), stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            kept.append(line)
            print(f"[{name}] {line}", end="", flush=True)
    if process.returncode != 0:
        raise PreparationError(f"{name} failed with exit code {process.returncode} (output above)")
    return "".join(kept)


def seed_demo(env: Mapping[str, str], *, ventures: int, investors: int, seed: int) -> str:
    """Load the demo data set (safe to repeat) and return what it printed (the demo logins)."""
    argv = [sys.executable, "-m", "seeds", "demo", "--ventures", str(ventures)]
    argv += ["--investors", str(investors), "--seed", str(seed)]
    return run_step("seed", argv, env)


def train_first_model(env: Mapping[str, str]) -> None:
    """Train and promote the first ranker."""
    run_step("train", [sys.executable, "-m", "flask", "--app", "webapp", "matching", "train"], env)
