"""Storage: SQLAlchemy 2 models, Alembic migrations, and the operations the runner needs."""
