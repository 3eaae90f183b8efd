"""the owner acts: login, sessions and API tokens (hashes only), the review of drafts
(undo window, the agent's original text, reasons), and notices to the owner

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("send_after", STAMP, nullable=True))
        batch.add_column(sa.Column("approved_at", STAMP, nullable=True))
        batch.add_column(sa.Column("original", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reject_reason", sa.Text(), nullable=True))
        batch.alter_column("message_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("decision_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("message_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "owner_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("assistant_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("revoked_at", STAMP, nullable=True),
        sa.Column("last_used_at", STAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prefix"),
        sa.UniqueConstraint("digest"),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key", name="uq_notices"),
    )


def downgrade() -> None:
    op.drop_table("notices")
    op.drop_table("api_tokens")
    op.drop_table("web_sessions")
    op.drop_table("owner_login")
    with op.batch_alter_table("drafts") as batch:
        for col in ("reject_reason", "original", "approved_at", "send_after"):
            batch.drop_column(col)
