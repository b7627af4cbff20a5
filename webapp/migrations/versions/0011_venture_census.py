"""the published ventures' count and id total, kept by triggers

Revision ID: 0011_venture_census
Revises: 0010_match_investor_list_index
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_venture_census"
down_revision: str | None = "0010_match_investor_list_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 'published' is Visibility.PUBLISHED as stored. SQLite: one trigger per kind of change, each
# firing only when the set of published ventures changes.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER venture_census_insert AFTER INSERT ON venture
    WHEN NEW.visibility = 'published'
    BEGIN
        UPDATE venture_census SET published = published + 1, id_total = id_total + NEW.id;
    END""",
    """CREATE TRIGGER venture_census_delete AFTER DELETE ON venture
    WHEN OLD.visibility = 'published'
    BEGIN
        UPDATE venture_census SET published = published - 1, id_total = id_total - OLD.id;
    END""",
    """CREATE TRIGGER venture_census_update AFTER UPDATE OF visibility, id ON venture
    WHEN (OLD.visibility = 'published') <> (NEW.visibility = 'published')
        OR (NEW.visibility = 'published' AND OLD.id <> NEW.id)
    BEGIN
        UPDATE venture_census SET
            published = published + (NEW.visibility = 'published')
                - (OLD.visibility = 'published'),
            id_total = id_total + CASE WHEN NEW.visibility = 'published' THEN NEW.id ELSE 0 END
                - CASE WHEN OLD.visibility = 'published' THEN OLD.id ELSE 0 END;
    END""",
)

# PostgreSQL: one function for every row change, and TRUNCATE (which fires no row trigger).
POSTGRESQL_FUNCTION = """CREATE FUNCTION venture_census_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    count_delta bigint := 0;
    id_delta bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE venture_census SET published = 0, id_total = 0;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.visibility = 'published' THEN
        count_delta := count_delta + 1;
        id_delta := id_delta + NEW.id;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.visibility = 'published' THEN
        count_delta := count_delta - 1;
        id_delta := id_delta - OLD.id;
    END IF;
    IF count_delta <> 0 OR id_delta <> 0 THEN
        UPDATE venture_census
        SET published = published + count_delta, id_total = id_total + id_delta;
    END IF;
    RETURN NULL;
END $$"""
POSTGRESQL_TRIGGERS = (
    """CREATE TRIGGER venture_census_insert AFTER INSERT ON venture FOR EACH ROW
    WHEN (NEW.visibility = 'published') EXECUTE FUNCTION venture_census_change()""",
    """CREATE TRIGGER venture_census_delete AFTER DELETE ON venture FOR EACH ROW
    WHEN (OLD.visibility = 'published') EXECUTE FUNCTION venture_census_change()""",
    """CREATE TRIGGER venture_census_update AFTER UPDATE OF visibility, id ON venture
    FOR EACH ROW WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility OR OLD.id <> NEW.id)
    EXECUTE FUNCTION venture_census_change()""",
    """CREATE TRIGGER venture_census_truncate AFTER TRUNCATE ON venture
    FOR EACH STATEMENT EXECUTE FUNCTION venture_census_change()""",
)
TRIGGERS = ("insert", "delete", "update", "truncate")


def upgrade() -> None:
    # A venture refresh asks how many ventures are published and the sum of their ids (to
    # see one leave or arrive unseen); kept here, that is one row read instead of a scan.
    op.create_table(
        "venture_census",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published", sa.BigInteger(), nullable=False),
        sa.Column("id_total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venture_census")),
    )
    op.execute(
        "INSERT INTO venture_census (id, published, id_total) "
        "SELECT 1, count(*), coalesce(sum(id), 0) FROM venture WHERE visibility = 'published'"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for trigger in POSTGRESQL_TRIGGERS:
            op.execute(trigger)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for kind in TRIGGERS:
        on = " ON venture" if postgresql else ""
        op.execute(f"DROP TRIGGER IF EXISTS venture_census_{kind}{on}")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS venture_census_change()")
    op.drop_table("venture_census")
