"""the review UI: when the owner handled a message (it leaves her morning queue), and her
approved replies with the embedding of the mail they answered (drafts learn her wording)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("handled_at", STAMP, nullable=True))
    op.create_table(
        "approved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("mail_text", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("recipient", sa.String(length=998), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.Column("approved_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id", name="uq_approved_replies_draft"),
    )
    op.create_index("ix_approved_replies_kind", "approved_replies", ["category", "language"])


def downgrade() -> None:
    op.drop_index("ix_approved_replies_kind", table_name="approved_replies")
    op.drop_table("approved_replies")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("handled_at")
