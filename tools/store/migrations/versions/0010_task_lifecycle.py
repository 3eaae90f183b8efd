"""assistants' tasks: the lifecycle of CONTRACT §8 (offered, accepted, delegated, done,
declined, expired, cancelled) with its times, signed links in task mails, a webhook
outbox, and idempotency keys

Revision ID: 0010
Revises: 0009
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)
TASK_COLUMNS: list[tuple[str, Any, bool, str | None]] = [
    ("why", sa.Text(), False, ""), ("priority", sa.String(length=16), False, "normal"),
    ("text", sa.Text(), True, None), ("shared", sa.JSON(), False, "{}"),
    ("depth", sa.Integer(), False, "0"), ("team_id", sa.String(length=64), True, None),
    ("offered_at", STAMP, True, None), ("announced_at", STAMP, True, None),
    ("expires_at", STAMP, True, None), ("accepted_at", STAMP, True, None),
    ("due_at", STAMP, True, None), ("escalated_at", STAMP, True, None),
    ("finished_at", STAMP, True, None), ("result", sa.Text(), True, None),
    ("decline_reason", sa.Text(), True, None),
]


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        for name, kind, nullable, default in TASK_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=nullable,
                                       server_default=default if default is not None else None))
    op.execute("UPDATE tasks SET status = 'offered', offered_at = created_at "
               "WHERE status = 'open'")
    op.create_table(
        "task_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("assistant_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("used_at", STAMP, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_task_links_task_id", "task_links", ["task_id"])
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", STAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", STAMP, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhooks_status", "webhooks", ["status"])
    op.create_table(
        "idempotency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("principal", "key", name="uq_idempotency"),
    )


def downgrade() -> None:
    op.drop_table("idempotency")
    op.drop_index("ix_webhooks_status", table_name="webhooks")
    op.drop_table("webhooks")
    op.drop_index("ix_task_links_task_id", table_name="task_links")
    op.drop_table("task_links")
    with op.batch_alter_table("tasks") as batch:
        for name, *_ in reversed(TASK_COLUMNS):
            batch.drop_column(name)
