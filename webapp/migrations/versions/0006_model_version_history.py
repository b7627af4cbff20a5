"""model versions remember promotion and what they were trained on

Revision ID: 0006_model_version_history
Revises: 0005_scope_consent_invitations
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webapp.models.types

revision: str = "0006_model_version_history"
down_revision: str | None = "0005_scope_consent_invitations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: models trained before this revision did not record these facts.
    with op.batch_alter_table("model_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("promoted_at", webapp.models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("outcome_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deal_count", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_version", schema=None) as batch_op:
        batch_op.drop_column("deal_count")
        batch_op.drop_column("outcome_count")
        batch_op.drop_column("promoted_at")
