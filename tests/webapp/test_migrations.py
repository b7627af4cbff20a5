"""The models and the migrations describe the same schema, up and down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from webapp.migrate import current_revision, downgrade, head_revision, upgrade
from webapp.models import metadata


def test_database_is_at_head(engine):
    assert current_revision(engine) == head_revision(engine)


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_downgrade_to_base_and_back(tmp_path):
    from webapp.config import load_settings
    from webapp.db import make_engine

    engine = make_engine(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}))
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= set(metadata.tables)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    engine.dispose()


def test_migrations_have_a_single_head(engine):
    from webapp.migrate import head_revisions

    assert len(head_revisions(engine)) == 1
