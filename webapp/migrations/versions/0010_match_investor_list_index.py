"""an index holding every column of the investor lists' rows

Revision ID: 0010_match_investor_list_index
Revises: 0009_venture_changed_since_index
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_match_investor_list_index"
down_revision: str | None = "0009_venture_changed_since_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A venture refresh reads the ~30 investor lists it touches (~1,500 rows), and a list
    # page reads one; from this index that is a short scan instead of as many table rows
    # scattered over the whole table. Partial: only rows in an investor's list.
    op.create_index(
        "ix_match_investor_list",
        "match",
        ["investor_id", "score", "venture_id", "investor_rank", "venture_rank", "model_version"],
        unique=False,
        sqlite_where=sa.text("investor_rank IS NOT NULL"),
        postgresql_where=sa.text("investor_rank IS NOT NULL"),
        postgresql_include=["id"],
    )


def downgrade() -> None:
    op.drop_index("ix_match_investor_list", table_name="match")
