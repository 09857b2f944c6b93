"""Provides the server database: engine, migrations on start, read and write sessions.

SQLite uses the server's own engine set-up (core/sqlite.py: WAL, busy timeout, BEGIN
IMMEDIATE for writers) and moves the WAL into the database file from a background thread,
not inside whichever request's commit crosses SQLite's automatic threshold (that commit
stalled 0.1-0.6 s under load). PostgreSQL relies on row locks (`FOR UPDATE` on the device
and records, and the change counter row held to commit).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

from crm_tui.server.core.sqlite import connect
from crm_tui.server.core.sqlite import create_engine as sqlite_engine
from crm_tui.server.models import ChangeCounter


class ServerDB:
    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            path = Path(parsed.database or "server.db")
            path.parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = sqlite_engine(path)
            self._writer = self.engine.execution_options(write=True)
            event.listen(self.engine, "connect", _large_autocheckpoint)
            self._checkpoints: Checkpointer | None = Checkpointer(path)
            self._checkpoints.start()
        else:
            from sqlalchemy import create_engine

            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10)
            self._writer = self.engine
            self._checkpoints = None

    def init(self) -> tuple[str | None, str | None]:
        """Bring the schema to the newest migration (safe on every start: a database at
        head is left alone, one made by the first release's create_all is stamped and
        upgraded); returns the (before, after) Alembic revisions."""
        from crm_tui.server.migrations import upgrade

        with self._writer.begin() as conn:
            return upgrade(conn)

    @contextmanager
    def write(self) -> Iterator[Session]:
        session = Session(self._writer, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def last_seq(self) -> int:
        with self.read() as s:
            return s.execute(select(ChangeCounter.value).where(ChangeCounter.id == 1)).scalar_one()

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self.engine.dispose()


# SQLite checkpoints by itself only past this many WAL pages (4 KiB each): a backstop for
# when no background checkpointer runs (the admin CLI, a stopped server).
AUTOCHECKPOINT_PAGES = 25_000


def _large_autocheckpoint(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")


class Checkpointer(threading.Thread):
    """Copies committed WAL pages into the database file every `every` seconds (PASSIVE:
    it never waits for or blocks a reader or writer)."""

    def __init__(self, path: Path, every: float = 1.0) -> None:
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.path = path
        self.every = every
        self._done = threading.Event()

    def run(self) -> None:
        conn: sqlite3.Connection | None = None
        while not self._done.wait(self.every):
            try:
                conn = conn or connect(self.path)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # busy or not there yet: the next tick tries again
        if conn is not None:
            conn.close()

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)
