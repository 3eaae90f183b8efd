"""teams for a job (Assistenzketten and teams): formed in the config or by the owner in the
UI, routed among while active, dissolved at `until` or by the owner

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("match", sa.JSON(), nullable=False),
        sa.Column("until", STAMP, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("dissolved_at", STAMP, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tasks_team", "tasks", ["team_id"])
    op.create_index("ix_tasks_parent", "tasks", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_parent", table_name="tasks")
    op.drop_index("ix_tasks_team", table_name="tasks")
    op.drop_table("teams")
