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


def test_deals_keep_their_history_through_0003_and_outlive_an_erased_venture(tmp_path):
    """SQLite re-makes the deal table to change its keys: the events hanging off it must stay."""
    from sqlalchemy import text

    from webapp.config import load_settings
    from webapp.db import make_engine

    engine = make_engine(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}))
    upgrade(engine, "0001")
    now = "2026-12-01 10:00:00.000000"
    rows = [
        "INSERT INTO organisation (id, name, kind, created_at) "
        f"VALUES (1, 'Pennine Angels', 'investor', '{now}')",
        "INSERT INTO user (id, email, name, password_hash, role, active, email_frequency, "
        f"created_at, updated_at) VALUES (1, 'f@x.example', 'Fay', 'h', 'founder', 1, "
        f"'instant', '{now}', '{now}')",
        "INSERT INTO investor_profile (id, organisation_id, name, investor_type, sectors, "
        "excluded_sectors, stages, ticket_min_gbp, ticket_max_gbp, regions, regions_strict, "
        "instruments, thesis, eis, seis, institutions, active, created_at, updated_at) VALUES "
        "(1, 1, 'Pennine Angels', 'angel_network', '[]', '[]', '[\"seed\"]', 0, 100, "
        f"'[\"uk\"]', 0, '[\"equity\"]', '', 0, 0, '[]', 1, '{now}', '{now}')",
        "INSERT INTO venture (id, owner_id, name, summary, sectors, stage, raise_amount_gbp, "
        "instruments, region, spinout, eis, seis, visibility, created_at, updated_at) VALUES "
        "(1, 1, 'Tyne Dx', 'A diagnostics spinout from Newcastle', '[\"health\"]', 'seed', "
        f"500000, '[\"equity\"]', 'uk', 1, 0, 0, 'published', '{now}', '{now}')",
        "INSERT INTO introduction (id, venture_id, investor_id, requested_by, "
        f"requested_by_role, status, created_at) VALUES (1, 1, 1, 1, 'founder', 'accepted', "
        f"'{now}')",
        "INSERT INTO deal (id, introduction_id, venture_id, investor_id, stage, created_at, "
        f"updated_at) VALUES (1, 1, 1, 1, 'term_sheet', '{now}', '{now}')",
        f"INSERT INTO deal_event (deal_id, stage, at) VALUES (1, 'accepted', '{now}')",
        f"INSERT INTO deal_event (deal_id, stage, at) VALUES (1, 'term_sheet', '{now}')",
    ]
    with engine.begin() as connection:
        for statement in rows:
            connection.execute(text(statement))
    upgrade(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM deal_event")).scalar() == 2
        index = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'uq_deal_one_open'")
        ).scalar()
        assert "WHERE stage NOT IN" in index
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        connection.execute(text("DELETE FROM venture WHERE id = 1"))
        kept = connection.execute(text("SELECT venture_id, introduction_id FROM deal")).all()
        assert kept == [(None, None)]
        assert connection.execute(text("SELECT count(*) FROM deal_event")).scalar() == 2
    engine.dispose()


def test_every_revision_id_fits_the_version_table(engine):
    """alembic_version.version_num is VARCHAR(32): PostgreSQL refuses a longer id at upgrade
    time, SQLite does not check (a 34-character id once passed every SQLite test)."""
    from alembic.script import ScriptDirectory

    from webapp.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(engine))
    too_long = [rev.revision for rev in script.walk_revisions() if len(rev.revision) > 32]
    assert too_long == []


def test_0015_writes_the_floor_of_every_stored_investor_list(tmp_path):
    """Lists stored before 0015 get their floors: the member holding the list's length."""
    from sqlalchemy import text

    from webapp.config import load_settings
    from webapp.db import make_engine

    engine = make_engine(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}"}))
    upgrade(engine, "0014_match_reasons_as_json")
    now = "2026-12-01 10:00:00.000000"
    rows = [
        *(
            "INSERT INTO organisation (id, name, kind, created_at) "
            f"VALUES ({i}, 'Fund {i}', 'investor', '{now}')"
            for i in (1, 2, 3)
        ),
        "INSERT INTO user (id, email, name, password_hash, role, active, email_frequency, "
        f"created_at, updated_at) VALUES (1, 'f@x.example', 'Fay', 'h', 'founder', 1, "
        f"'instant', '{now}', '{now}')",
        *(
            "INSERT INTO investor_profile (id, organisation_id, name, investor_type, sectors, "
            "excluded_sectors, stages, ticket_min_gbp, ticket_max_gbp, regions, "
            "regions_strict, instruments, thesis, eis, seis, institutions, active, created_at, "
            f"updated_at) VALUES ({i}, {i}, 'Fund {i}', 'angel_network', '[]', '[]', "
            "'[\"seed\"]', 0, 100, '[\"uk\"]', 0, '[\"equity\"]', '', 0, 0, '[]', 1, "
            f"'{now}', '{now}')"
            for i in (1, 2, 3)
        ),
        *(
            "INSERT INTO venture (id, owner_id, name, summary, sectors, stage, "
            "raise_amount_gbp, instruments, region, spinout, eis, seis, visibility, "
            f"created_at, updated_at) VALUES ({v}, 1, 'V{v}', 'A summary long enough.', "
            "'[\"health\"]', 'seed', 500000, '[\"equity\"]', 'uk', 1, 0, 0, 'published', "
            f"'{now}', '{now}')"
            for v in (1, 2, 3)
        ),
        # Investor 1: three members, venture 2 holds 3; investor 2: one member; investor 3:
        # only in venture lists (no investor list, no floor).
        *(
            "INSERT INTO match (venture_id, investor_id, score, venture_rank, investor_rank, "
            f"reasons, model_version, computed_at) VALUES ({v}, {i}, {score}, 1, {rank}, '[]', "
            f"'v1', '{now}')"
            for v, i, score, rank in (
                (1, 1, 0.9, 1),
                (2, 1, 0.5, 3),
                (3, 1, 0.7, 2),
                (3, 2, 0.4, 1),
                (2, 3, 0.8, "NULL"),
            )
        ),
    ]
    with engine.begin() as connection:
        for statement in rows:
            connection.execute(text(statement))
    upgrade(engine)
    with engine.connect() as connection:
        floors = set(connection.execute(text("SELECT * FROM list_floor")))
    assert floors == {(1, 2, 0.5, 3), (2, 3, 0.4, 1)}
    engine.dispose()
