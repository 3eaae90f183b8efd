"""hostile mail: automatic retries of a failed message wait (retry_at); the bank accounts
(IBANs) each sender and company used, to notice a changed one

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("company", sa.String(length=255), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sender", "iban", name="uq_bank_accounts"),
    )
    op.create_index("ix_bank_accounts_sender", "bank_accounts", ["sender"])
    op.create_index("ix_bank_accounts_company", "bank_accounts", ["company"])


def downgrade() -> None:
    op.drop_index("ix_bank_accounts_company", table_name="bank_accounts")
    op.drop_index("ix_bank_accounts_sender", table_name="bank_accounts")
    op.drop_table("bank_accounts")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("retry_at")
