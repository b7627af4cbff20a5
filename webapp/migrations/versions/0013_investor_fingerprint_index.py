"""a small index with what every refresh's fingerprint reads of the active mandates

Revision ID: 0013_investor_fingerprint_index
Revises: 0012_drop_venture_rank_index
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_investor_fingerprint_index"
down_revision: str | None = "0012_drop_venture_rank_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every refresh first asks whether its process's scoring state still holds
    # (`scoring_data.fingerprint`): the count, id total and latest change of the active
    # mandates. They came from a scan of every mandate's wide row (thesis and all: 283 pages
    # at 2,000 investors, 1.4 ms on PostgreSQL). This index holds only those columns, the
    # active mandates together: 0.2 ms.
    op.create_index(
        "ix_investor_profile_active_fingerprint",
        "investor_profile",
        ["active", "id", "updated_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_investor_profile_active_fingerprint", table_name="investor_profile")
