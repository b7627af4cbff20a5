"""drop the index on a venture's ranks: the unique key finds a venture's rows

Revision ID: 0012_drop_venture_rank_index
Revises: 0011_venture_census
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_drop_venture_rank_index"
down_revision: str | None = "0011_venture_census"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every read of a venture's list names the venture, and uq_match_venture_id_investor_id
    # leads with it: the ~70 rows are then sorted by rank. The index only cost writes (every
    # refresh moves ranks; a full refresh rebuilt it: 0.4 s of the SQLite rewrite).
    op.drop_index("ix_match_venture_rank", table_name="match")


def downgrade() -> None:
    op.create_index("ix_match_venture_rank", "match", ["venture_id", "venture_rank"], unique=False)
