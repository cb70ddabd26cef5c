"""export log

Revision ID: 0100_export
Revises: 0120_api
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


revision = "0100_export"
down_revision = "0120_api"  # chained after main's head (was 0090_merge)
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_on", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("list_name", sa.String(length=100), nullable=False),
        sa.Column("filters", sa.Text(), nullable=True),
        sa.Column("preset", sa.String(length=100), nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("export_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_log_created_on"), ["created_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_log_organisation_id"), ["organisation_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_export_log_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("export_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_log_user_id"))
        batch_op.drop_index(batch_op.f("ix_export_log_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_export_log_created_on"))
    op.drop_table("export_log")
