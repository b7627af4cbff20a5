"""outbox events count as done when their tasks finish; email attempts hold a claim token

Revision ID: 0002_relia_work_owed
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webapp.models.types

revision: str = "0002_relia_work_owed"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handouts", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("owed_parts", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("finished_at", webapp.models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_index(
            "ix_outbox_event_pending",
            sqlite_where=sa.text("dispatched_at IS NULL"),
            postgresql_where=sa.text("dispatched_at IS NULL"),
        )
    # Events dispatched before this revision are taken as finished (nothing recorded otherwise).
    op.execute("UPDATE outbox_event SET finished_at = dispatched_at, handouts = attempts")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_event_owed",
            ["available_at"],
            unique=False,
            sqlite_where=sa.text("finished_at IS NULL"),
            postgresql_where=sa.text("finished_at IS NULL"),
        )
    with op.batch_alter_table("email_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("email_delivery", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_event_owed",
            sqlite_where=sa.text("finished_at IS NULL"),
            postgresql_where=sa.text("finished_at IS NULL"),
        )
        batch_op.create_index(
            "ix_outbox_event_pending",
            ["available_at"],
            unique=False,
            sqlite_where=sa.text("dispatched_at IS NULL"),
            postgresql_where=sa.text("dispatched_at IS NULL"),
        )
        batch_op.drop_column("finished_at")
        batch_op.drop_column("owed_parts")
        batch_op.drop_column("handouts")
