"""`flask --app webapp import ventures|investors|deals FILE`: the bulk imports from a terminal.

Every row is checked before anything is written; a file with bad rows writes nothing unless
`--good-rows` is given. The bad rows are listed with their line and why. A progress bar shows
on stderr. Imports are staff actions: `--as` names the staff or admin account they are recorded
against in the audit log.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from tqdm import tqdm

from webapp.models import User
from webapp.services.common.errors import ServiceError, ValidationFailed
from webapp.services.imports import (
    ImportMode,
    ImportReport,
    import_investors,
    import_portfolio,
    import_ventures,
)

group = click.Group("import", help="Bulk CSV imports: ventures, investors, portfolio deals.")

FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
ACTOR = click.option(
    "--as",
    "actor_email",
    required=True,
    help="Email of the staff or admin account the import is recorded against.",
)
GOOD_ROWS = click.option(
    "--good-rows",
    is_flag=True,
    help="Write the good rows even if some rows are bad (default: write nothing then).",
)


class _Bar:
    """A tqdm bar per phase (checking, then writing), driven by the import's progress calls."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total, desc=phase, unit="row", file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _engine() -> Engine:
    engine: Engine = current_app.extensions["venturematch.engine"]
    return engine


def _run(actor_email: str, runner: Callable[[Session, User, _Bar], ImportReport]) -> None:
    bar = _Bar()
    with Session(_engine(), expire_on_commit=False) as session:
        actor = session.exec(
            select(User).where(func.lower(col(User.email)) == actor_email.strip().lower())
        ).first()
        if actor is None:
            raise click.ClickException(f"no account with the email {actor_email!r}")
        try:
            report = runner(session, actor, bar)
        except ValidationFailed as exc:
            raise click.ClickException("; ".join(e.message for e in exc.errors)) from None
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
        finally:
            bar.close()
    _print(report)
    if report.errors and not report.committed:
        raise SystemExit(1)


def _print(report: ImportReport) -> None:
    for error in report.errors:
        value = f" (value {error.value!r})" if error.value else ""
        click.echo(f"line {error.line}: {error.field}: {error.message}{value}", err=True)
    outcome = (
        "committed"
        if report.committed
        else "nothing written: fix the bad rows, or pass --good-rows to write the others"
    )
    click.echo(
        f"{report.kind}: {report.rows} rows, {report.good_rows} good, "
        f"{len(report.bad_lines)} bad, {report.written} written, {report.duplicates} already "
        f"present, {report.skipped} skipped; {outcome}"
    )


def _mode(good_rows: bool) -> ImportMode:
    return ImportMode.GOOD_ROWS if good_rows else ImportMode.ALL_OR_NOTHING


@group.command("ventures")
@FILE
@ACTOR
@GOOD_ROWS
@click.option("--programme", type=int, help="Enrol every venture of the file in this programme.")
@with_appcontext
def ventures(file: Path, actor_email: str, good_rows: bool, programme: int | None) -> None:
    """Import a cohort of ventures from FILE (each owned by an existing founder account)."""
    content = file.read_bytes()
    _run(
        actor_email,
        lambda session, actor, bar: import_ventures(
            session=session,
            actor=actor,
            content=content,
            mode=_mode(good_rows),
            programme_id=programme,
            max_rows=None,
            progress=bar,
        ),
    )


@group.command("investors")
@FILE
@ACTOR
@GOOD_ROWS
@with_appcontext
def investors(file: Path, actor_email: str, good_rows: bool) -> None:
    """Import investors (organisation and mandate per row) from FILE."""
    content = file.read_bytes()
    _run(
        actor_email,
        lambda session, actor, bar: import_investors(
            session=session,
            actor=actor,
            content=content,
            mode=_mode(good_rows),
            max_rows=None,
            progress=bar,
        ),
    )


@group.command("deals")
@FILE
@ACTOR
@GOOD_ROWS
@click.option("--investor", "investor_id", type=int, required=True, help="The investor's id.")
@click.option(
    "--investor-name",
    help="Import only rows whose investor_name is this (ignoring case); others are skipped.",
)
@with_appcontext
def deals(
    file: Path, actor_email: str, good_rows: bool, investor_id: int, investor_name: str | None
) -> None:
    """Import an investor's portfolio history (Crunchbase 2013 columns) from FILE."""
    content = file.read_bytes()
    _run(
        actor_email,
        lambda session, actor, bar: import_portfolio(
            session=session,
            actor=actor,
            investor_id=investor_id,
            content=content,
            mode=_mode(good_rows),
            investor_name=investor_name,
            max_rows=None,
            progress=bar,
        ),
    )
