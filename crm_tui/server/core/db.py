"""Provides the server database: engine, migrations on start, read and write sessions.

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

from crm_tui.server.models import ChangeCounter


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
        self.engine.dispose()
