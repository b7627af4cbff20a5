"""deals outlive an erased venture, closed with a recorded reason

A founder erasing a venture (or her account) deleted its deals with it, so an investor's deal at
term sheet vanished without a word. Deals now keep their row: the venture and introduction
references become NULL, `closed_reason` says why the deal closed and `former_venture_name`
keeps the name the investor knew it by.

Revision ID: 0003_notify_deal_closures
Revises: 0002_relia_work_owed
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_notify_deal_closures"
down_revision: str | None = "0002_relia_work_owed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASONS = "'venture_erased', 'founder_erased', 'investor_erased'"
CLOSED = "stage NOT IN ('declined', 'invested', 'passed', 'withdrawn')"


def _drop_open_index() -> None:
    # SQLite's batch mode copies the table; a partial index is re-made by hand so that its
    # WHERE clause cannot be lost in the copy.
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deal_one_open", sqlite_where=sa.text(CLOSED), postgresql_where=sa.text(CLOSED)
        )


def _create_open_index() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.create_index(
            "uq_deal_one_open",
            ["venture_id", "investor_id"],
            unique=True,
            sqlite_where=sa.text(CLOSED),
            postgresql_where=sa.text(CLOSED),
        )


def upgrade() -> None:
    _drop_open_index()
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed_reason", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "former_venture_name", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True
            )
        )
        batch_op.alter_column("introduction_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column("venture_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint(
            batch_op.f("fk_deal_introduction_id_introduction"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_deal_venture_id_venture"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_deal_venture_id_venture"),
            "venture",
            ["venture_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_deal_introduction_id_introduction"),
            "introduction",
            ["introduction_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_deal_closed_reason_valid"), f"closed_reason IN ({REASONS})"
        )
    _create_open_index()


def downgrade() -> None:
    # The old schema cannot hold a deal without its venture: those deals go, as they used to.
    op.execute("DELETE FROM deal WHERE venture_id IS NULL OR introduction_id IS NULL")
    _drop_open_index()
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_deal_closed_reason_valid"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_deal_introduction_id_introduction"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_deal_venture_id_venture"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_deal_venture_id_venture"),
            "venture",
            ["venture_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_deal_introduction_id_introduction"),
            "introduction",
            ["introduction_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.alter_column("venture_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column("introduction_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("former_venture_name")
        batch_op.drop_column("closed_reason")
    _create_open_index()
