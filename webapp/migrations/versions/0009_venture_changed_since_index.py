"""an index that reads the published ventures changed since a moment as a short range

Revision ID: 0009_venture_changed_since_index
Revises: 0008_match_threshold_index
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_venture_changed_since_index"
down_revision: str | None = "0008_match_threshold_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every list refill first asks which published ventures changed since its last look;
    # ordered by stamp, that is a range of a few entries instead of a scan of them all.
    op.create_index(
        "ix_venture_published_since", "venture", ["visibility", "updated_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_venture_published_since", table_name="venture")
