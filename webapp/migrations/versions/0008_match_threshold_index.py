"""an index that reads every investor list's K-th member in one short scan

Revision ID: 0008_match_threshold_index
Revises: 0007_scale_venture_stamp_index
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_match_threshold_index"
down_revision: str | None = "0007_scale_venture_stamp_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A venture refresh compares the venture with the K-th member of every investor list
    # (`match_store.thresholds`): `WHERE investor_rank = K` from this index is one scan of
    # about as many entries as investors, instead of one probe per investor. Partial: only
    # rows in an investor's list (a fifth of the table at 10,000 × 2,000).
    op.create_index(
        "ix_match_investor_threshold",
        "match",
        ["investor_rank", "investor_id", "venture_id", "score"],
        unique=False,
        sqlite_where=sa.text("investor_rank IS NOT NULL"),
        postgresql_where=sa.text("investor_rank IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_match_investor_threshold", table_name="match")
