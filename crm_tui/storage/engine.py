"""Provides the one place SQLite connections are made: WAL, foreign keys, busy timeout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",  # sorts and trigger scratch space off the disk
    # A big transaction (a first sync's pages and index builds: ~650 MB) grows the -wal file,
    # and SQLite keeps it at that size for reuse; this cuts it back at the next reset.
    "PRAGMA journal_size_limit = 67108864",
)


# Set in a pooled connection's `info` by whoever switched its temp_store to FILE.
SCRATCH_ON_DISK = "scratch_on_disk"


def configure(conn: sqlite3.Connection) -> None:
    for pragma in PRAGMAS:
        conn.execute(pragma)


def connect(path: Path | str, readonly: bool = False) -> sqlite3.Connection:
    """A plain sqlite3 connection with our pragmas (the light read path and bulk writes)."""
    if readonly:
        conn = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    configure(conn)
    return conn


def create_engine(path: Path | str):  # -> sqlalchemy.Engine (imported lazily: it is slow)
    from sqlalchemy import create_engine as sa_create_engine
    from sqlalchemy import event

    engine = sa_create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 5}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - SQLAlchemy's hook signature
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (BEGIN IMMEDIATE
        # below), so a writer never upgrades a read lock and hits SQLITE_BUSY mid-change.
        dbapi_conn.isolation_level = None
        configure(dbapi_conn)

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn, record):  # noqa: ANN001
        # A bulk import moved scratch space to disk for its transaction (SQLite refuses the
        # change back inside it): back to memory once the connection is returned.
        if dbapi_conn is not None and record.info.pop(SCRATCH_ON_DISK, False):
            dbapi_conn.execute("PRAGMA temp_store = MEMORY")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # Writers take the write lock up front; readers stay deferred and never block.
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
