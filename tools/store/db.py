"""Engine, sessions, migrations and the unit of work. SQLite by default (WAL, foreign keys
on); any SQLAlchemy URL works, PostgreSQL included (`postgresql://…` uses psycopg 3)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from core.clock import Clock

MIGRATION_LOCK = 7_240_311  # PostgreSQL advisory lock: one worker migrates at a time


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 (the driver the project ships), not psycopg2."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent; safe with several workers; all
    of it or none of it, also when the process is killed in the middle)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("tools.store") / "migrations"))
    if engine.dialect.name == "sqlite":
        _migrate_sqlite(engine, cfg)
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _migrate_sqlite(engine: Engine, cfg: Config) -> None:
    """The Python driver runs CREATE TABLE outside any transaction, so a process killed
    during the first migration left some tables and no version, and every later start failed
    on "table already exists". Here the migration runs on a connection of its own in one
    BEGIN IMMEDIATE … COMMIT (SQLAlchemy's recipe for pysqlite): a kill rolls all of it back,
    and a second process waits for the first instead of migrating beside it."""
    own = create_engine(engine.url, poolclass=NullPool)

    def connect(dbapi_conn: Any, record: Any) -> None:
        _sqlite_pragmas(dbapi_conn, record)
        dbapi_conn.isolation_level = None  # the driver sends no BEGIN of its own

    event.listen(own, "connect", connect)
    event.listen(own, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with own.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        own.dispose()


_ENGINES: list[Engine] = []


def _forget_pools() -> None:
    """In a forked child (the triage worker): the parent's pooled connections are not the
    child's to use or close; it opens its own (SQLAlchemy's advice for os.fork)."""
    for engine in _ENGINES:
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pools)


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    _ENGINES.append(engine)
    return engine


class Database:
    """The migrated database, whose timestamps come from the agent's clock. Every store
    module works through `session()` (reads) and `transaction()` (one unit of work)."""

    def __init__(self, url: str, clock: Clock) -> None:
        self.url = url
        self.clock = clock
        engine = _engine(url).execution_options(clock=clock)  # feeds the column defaults
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return _engine(self.url).dialect.name

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Committed when the block ends, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session
