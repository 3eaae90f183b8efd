"""calendar: the slots offered in replies, to recognise the other side's pick later

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.String(length=998), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_calendar_offers_message_id", "calendar_offers", ["message_id"])
    op.create_index("ix_calendar_offers_thread_id", "calendar_offers", ["thread_id"])


def downgrade() -> None:
    op.drop_index("ix_calendar_offers_thread_id", table_name="calendar_offers")
    op.drop_index("ix_calendar_offers_message_id", table_name="calendar_offers")
    op.drop_table("calendar_offers")
