"""Alembic environment: the connection comes from tools.store.db (never from a config file)."""

from __future__ import annotations

from alembic import context

from tools.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through tools.store.db.migrate()")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
