"""Provides the server database: engine, schema set-up on start, read and write sessions.

SQLite reuses the laptop's engine set-up (WAL, busy timeout, BEGIN IMMEDIATE for writers);
PostgreSQL relies on row locks (`FOR UPDATE` on the device and records, and the change
counter row held to commit).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

from crm_tui.server.models import TABLES, ChangeCounter, ServerMeta, ServerModel

SERVER_SCHEMA_VERSION = 1


class ServerDB:
    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            from crm_tui.storage.engine import create_engine as sqlite_engine

            path = Path(parsed.database or "server.db")
            path.parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = sqlite_engine(path)
            self._writer = self.engine.execution_options(write=True)
        else:
            from sqlalchemy import create_engine

            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10)
            self._writer = self.engine

    def init(self) -> None:
        """Create missing tables and the change counter (safe to run on every start)."""
        ServerModel.metadata.create_all(self.engine, tables=TABLES)
        with self.write() as s:
            if s.get(ChangeCounter, 1) is None:
                s.add(ChangeCounter(id=1, value=0))
            meta = s.get(ServerMeta, "schema_version")
            if meta is None:
                s.add(ServerMeta(key="schema_version", value=str(SERVER_SCHEMA_VERSION)))

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
        self.engine.dispose()
