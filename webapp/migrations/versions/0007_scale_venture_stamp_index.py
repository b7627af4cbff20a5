"""an index that covers reading every published venture's id and last change

Revision ID: 0007_scale_venture_stamp_index
Revises: 0006_model_version_history
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_scale_venture_stamp_index"
down_revision: str | None = "0006_model_version_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Scorers read (id, updated_at) of every published venture before streaming an investor's
    # column; from the index that is a short scan instead of a pass over the wide rows.
    op.create_index(
        "ix_venture_published_stamp", "venture", ["visibility", "id", "updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_venture_published_stamp", table_name="venture")
