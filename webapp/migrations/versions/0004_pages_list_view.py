"""user.list_view: the layout of ranked lists a person chose (full cards or compact rows)

Revision ID: 0004_pages_list_view
Revises: 0003_notify_deal_closures
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_pages_list_view"
down_revision: str | None = "0003_notify_deal_closures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every existing account keeps the layout it has today (full cards).
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "list_view",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                server_default="full",
                nullable=False,
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_user_list_view_valid"), "list_view IN ('full', 'compact')"
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_list_view_valid"), type_="check")
        batch_op.drop_column("list_view")
