"""rule 5's ledger: one automatic reply per sender and owner-local day of receipt

The day comes from the agent's clock when the mail arrived, never from the sender's Date:
header; the sender is normalised (case, plus-tag). Replaces the lookup over drafts.reply_day.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sender", "day", name="uq_reply_ledger"),
    )
    op.create_index("ix_reply_ledger_message_id", "reply_ledger", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_reply_ledger_message_id", table_name="reply_ledger")
    op.drop_table("reply_ledger")
