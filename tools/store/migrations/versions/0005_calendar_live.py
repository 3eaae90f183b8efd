"""calendar in live mode: iTIP objects sent with drafts, and pending calendar changes

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("itip", sa.Text(), nullable=True))
        batch.add_column(sa.Column("itip_method", sa.String(length=20), nullable=True))
    op.create_table(
        "calendar_ops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("uid", sa.String(length=998), nullable=False),
        sa.Column("ics", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_calendar_ops_message_id", "calendar_ops", ["message_id"])
    op.create_index("ix_calendar_ops_status", "calendar_ops", ["status"])


def downgrade() -> None:
    op.drop_index("ix_calendar_ops_status", table_name="calendar_ops")
    op.drop_index("ix_calendar_ops_message_id", table_name="calendar_ops")
    op.drop_table("calendar_ops")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("itip_method")
        batch.drop_column("itip")
