"""list_floor: each investor list's lowest member and length, in a table of its own

Revision ID: 0015_list_floor
Revises: 0014_match_reasons_as_json
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_list_floor"
down_revision: str | None = "0014_match_reasons_as_json"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The floors of the lists stored now: the member holding investor_rank = n in a list of n.
BACKFILL = (
    "INSERT INTO list_floor (investor_id, venture_id, score, size) "
    "SELECT m.investor_id, m.venture_id, m.score, lists.size FROM "
    "(SELECT investor_id, COUNT(*) AS size FROM match WHERE investor_rank IS NOT NULL "
    "GROUP BY investor_id) AS lists "
    "JOIN match AS m ON m.investor_id = lists.investor_id AND m.investor_rank = lists.size"
)


def upgrade() -> None:
    # A venture refresh compares the venture with the lowest member of every investor list.
    # Read from match through ix_match_investor_threshold, those rows lie on as many table
    # pages as there are investors, pages the refreshes keep rewriting: PostgreSQL then checks
    # each row's page (2-3 ms of a ~25 ms change at 2,000 investors). The floors get a small
    # table of their own, written with the lists, and that index goes (one index fewer to
    # keep on every rank a refresh moves).
    op.create_table(
        "list_floor",
        sa.Column("investor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("venture_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["investor_id"],
            ["investor_profile.id"],
            name=op.f("fk_list_floor_investor_id_investor_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venture_id"],
            ["venture.id"],
            name=op.f("fk_list_floor_venture_id_venture"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("investor_id", name=op.f("pk_list_floor")),
    )
    op.execute(BACKFILL)
    op.drop_index("ix_match_investor_threshold", table_name="match")


def downgrade() -> None:
    op.create_index(
        "ix_match_investor_threshold",
        "match",
        ["investor_rank", "investor_id", "venture_id", "score"],
        unique=False,
        sqlite_where=sa.text("investor_rank IS NOT NULL"),
        postgresql_where=sa.text("investor_rank IS NOT NULL"),
    )
    op.drop_table("list_floor")
