"""Provides the server's SQLite connections: WAL, busy timeout, BEGIN IMMEDIATE for writers.

The server's own copy of the pragmas (it may not import the laptop's storage layer); the
two files need not agree, but today they do.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
    # A big transaction (a first sync's pages and index builds: ~650 MB) grows the -wal file,
    # and SQLite keeps it at that size for reuse; this cuts it back at the next reset.
    "PRAGMA journal_size_limit = 67108864",
)


def configure(conn: sqlite3.Connection) -> None:
    for pragma in PRAGMAS:
        conn.execute(pragma)


def connect(path: Path | str) -> sqlite3.Connection:
    """A plain sqlite3 connection with the pragmas (the checkpointer's)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    configure(conn)
    return conn


def create_engine(path: Path | str) -> Engine:
    engine = sa_create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 5}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # SQLAlchemy, not pysqlite, decides when transactions begin (BEGIN IMMEDIATE below),
        # so a writer never upgrades a read lock and hits SQLITE_BUSY mid-change.
        dbapi_conn.isolation_level = None
        configure(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
