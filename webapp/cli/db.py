"""`flask --app webapp db upgrade|downgrade|current`: schema migrations.

`upgrade` is the production migrate step (the compose file's `migrate` service), so it also
loads the reference files the app serves from disk: a bad file fails the deploy there, naming
the file, line and fault, before any web process starts.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine

from reference.taxonomy import TaxonomyError
from webapp import migrate
from webapp.services.reports.regional.statistics import check_reference_data

group = click.Group("db", help="Database schema migrations (Alembic).")


def _engine() -> Engine:
    engine: Engine = current_app.extensions["venturematch.engine"]
    return engine


@group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest), then check the reference data."""
    migrate.upgrade(_engine(), revision)
    click.echo(f"database at revision {migrate.current_revision(_engine())}")
    try:
        click.echo(check_reference_data())
    except TaxonomyError as exc:
        raise click.ClickException(f"reference data: {exc}") from None


@group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    """Undo migrations back to REVISION (`base` empties the schema)."""
    migrate.downgrade(_engine(), revision)
    click.echo(f"database at revision {migrate.current_revision(_engine())}")


@group.command("current")
@with_appcontext
def current() -> None:
    """Show the database's revision and whether it is up to date."""
    engine = _engine()
    state = "up to date" if migrate.is_up_to_date(engine) else "migrations pending"
    click.echo(f"{migrate.current_revision(engine)} ({state})")


@group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def revision(message: str) -> None:
    """Autogenerate a migration from the difference between the models and the database.

    Run `db upgrade` first so the database is at head; review the generated file.
    """
    from alembic import command

    heads = migrate.head_revisions(_engine())
    if len(heads) > 1:
        raise click.ClickException(f"several migration heads {heads}; merge them first")
    command.revision(migrate.alembic_config(_engine()), message=message, autogenerate=True)
