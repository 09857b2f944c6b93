"""Provides `Database`: one SQLite file with its engine, clock, sync identity and repositories.

Opening runs any pending migrations. Every write goes through `transaction()`, which the
repositories use to put the change, its outbox row and its undo entry in one commit.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uuid_utils
from sqlalchemy import text
from sqlmodel import Session

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import InputContext, dumps
from crm_tui.domain.money import DEFAULT_CURRENCY
from crm_tui.storage import engine as engine_mod
from crm_tui.storage.migrate import migrate
from crm_tui.domain.hlc import HybridClock

if TYPE_CHECKING:
    from crm_tui.storage.repositories import Repositories


def new_id() -> str:
    """A UUIDv7: made here, offline, and time-ordered so new rows index well."""
    return str(uuid_utils.uuid7())


class Database:
    def __init__(self, path: Path | str, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock or Clock()
        conn = engine_mod.connect(self.path)
        try:
            migrate(conn)
        finally:
            conn.close()
        self.engine = engine_mod.create_engine(self.path)
        self._writer = self.engine.execution_options(write=True)
        self._identity_cache: dict[str, str | None] = {}
        self._session: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
            f"session-{id(self)}", default=None
        )
        device = self.state("device_id")
        if device is None:
            device = new_id()
            self.set_state("device_id", device)
        self.device_id = device
        self.hlc = HybridClock(
            device, self.state("last_hlc"), wall=lambda: int(self.clock.now().timestamp() * 1000)
        )
        self._repos: Repositories | None = None

    # --- identity and settings kept in sync_state ---------------------------------------
    def state(self, key: str) -> str | None:
        with self.reading() as s:
            row = (
                s.connection()
                .execute(text("SELECT value FROM sync_state WHERE key = :k"), {"k": key})
                .first()
            )
        return row[0] if row else None

    def set_state(self, key: str, value: str | None) -> None:
        with self.transaction() as s:
            self._write_state(s, key, value)
        self._identity_cache.clear()

    def _identity(self, key: str) -> str | None:
        # Read on every write, so kept in memory; set_state clears it.
        if key not in self._identity_cache:
            self._identity_cache[key] = self.state(key)
        return self._identity_cache[key]

    @property
    def user_id(self) -> str | None:
        """The signed-in rep's id; None while the laptop has never logged in."""
        return self._identity("user_id")

    @property
    def role(self) -> str:
        return self._identity("role") or "rep"

    @property
    def input_context(self) -> InputContext:
        return InputContext(self.clock, self._identity("currency") or DEFAULT_CURRENCY)

    # --- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction; nested calls join the outer one, so a change is all or nothing."""
        current = self._session.get()
        if current is not None:
            yield current
            return
        session = Session(self._writer, expire_on_commit=False)
        token = self._session.set(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            self._session.reset(token)
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        current = self._session.get()
        if current is not None:
            yield current
            return
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def tick(self, session: Session) -> str:
        """The next hybrid clock value, persisted in the same transaction as the change."""
        stamp = self.hlc.tick().encode()
        self._write_state(session, "last_hlc", stamp)
        return stamp

    def _write_state(self, session: Session, key: str, value: str | None) -> None:
        session.connection().execute(
            text(
                "INSERT INTO sync_state(key, value) VALUES (:k, :v) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
            ),
            {"k": key, "v": value},
        )

    def append_outbox(
        self,
        session: Session,
        *,
        entity: str,
        row_id: str,
        kind: str,
        payload: dict[str, Any],
        base_version: int,
        hlc: str,
    ) -> None:
        session.connection().execute(
            text(
                "INSERT INTO outbox(mutation_id, entity, row_id, kind, payload, base_version, hlc)"
                " VALUES (:m, :e, :r, :k, :p, :b, :h)"
            ),
            {
                "m": new_id(),
                "e": entity,
                "r": row_id,
                "k": kind,
                "p": dumps(payload),
                "b": base_version,
                "h": hlc,
            },
        )

    def record_undo(
        self, session: Session, *, entity: str, row_id: str, kind: str, before: dict[str, Any]
    ) -> None:
        session.connection().execute(
            text(
                "INSERT INTO undo_log(entity, row_id, kind, before, at) VALUES (:e, :r, :k, :b, :a)"
            ),
            {
                "e": entity,
                "r": row_id,
                "k": kind,
                "b": dumps(before),
                "a": self.clock.now().isoformat(),
            },
        )

    def pending_changes(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()

    def outbox_rows(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM outbox ORDER BY client_seq")).mappings()
            return [dict(r) | {"payload": json.loads(r["payload"])} for r in rows]

    @property
    def repos(self) -> Repositories:
        if self._repos is None:
            from crm_tui.storage.repositories import Repositories

            self._repos = Repositories(self)
        return self._repos

    def close(self) -> None:
        self.engine.dispose()


def open_database(path: Path | str, clock: Clock | None = None) -> Database:
    return Database(path, clock)
