"""Provides `Store`: one SQLite file's engine, transactions, clock and sync identity.

`Database` (database.py) adds the repositories on top; repositories take a `Store`, so
they never import the module that builds them.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import InputContext
from crm_tui.domain.hlc import HybridClock
from crm_tui.domain.money import DEFAULT_CURRENCY
from crm_tui.storage import engine as engine_mod
from crm_tui.storage import outbox
from crm_tui.storage.ids import new_id
from crm_tui.storage.migrate import migrate


class Store:
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
        device = self.state(outbox.DEVICE_ID_KEY)
        if device is None:
            device = new_id()
            self.set_state(outbox.DEVICE_ID_KEY, device)
        self._use_node(device)

    def _use_node(self, device: str) -> None:
        self.device_id = device
        self.hlc = HybridClock(
            device,
            self.state(outbox.LAST_HLC_KEY),
            wall=lambda: int(self.clock.now().timestamp() * 1000),
        )

    def new_clock_node(self) -> str:
        """Give this file a fresh clock node id (the server ties a node id to the first
        user who pushed with it: a file signed in as another user needs its own)."""
        device = new_id()
        self.set_state(outbox.DEVICE_ID_KEY, device)
        self._use_node(device)
        return device

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
            self.write_state(s, key, value)
        self._identity_cache.clear()

    def _identity(self, key: str) -> str | None:
        # Read on every write, so kept in memory; set_state clears it.
        if key not in self._identity_cache:
            self._identity_cache[key] = self.state(key)
        return self._identity_cache[key]

    @property
    def user_id(self) -> str | None:
        """The signed-in rep's id; None while the laptop has never logged in."""
        return self._identity(outbox.USER_ID_KEY)

    @property
    def role(self) -> str:
        return self._identity(outbox.ROLE_KEY) or "rep"

    @property
    def input_context(self) -> InputContext:
        return InputContext(self.clock, self._identity(outbox.CURRENCY_KEY) or DEFAULT_CURRENCY)

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
        self.write_state(session, outbox.LAST_HLC_KEY, stamp)
        return stamp

    def write_state(self, session: Session, key: str, value: str | None) -> None:
        """Set a sync_state key inside the caller's transaction."""
        session.connection().execute(
            text(
                "INSERT INTO sync_state(key, value) VALUES (:k, :v) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
            ),
            {"k": key, "v": value},
        )
        self._identity_cache.pop(key, None)

    _write_state = write_state  # the old private name

    # --- outbox and undo log (storage/outbox.py; these delegate, kept for callers) ------------
    def append_outbox(self, session: Session, **change: object) -> None:
        outbox.append(session, **change)  # type: ignore[arg-type]

    def record_undo(
        self, session: Session, *, entity: str, row_id: str, kind: str, before: dict
    ) -> None:
        outbox.record_undo(
            session,
            entity=entity,
            row_id=row_id,
            kind=kind,
            before=before,
            at=self.clock.now().isoformat(),
        )

    def pending_changes(self) -> int:
        return outbox.pending_count(self.engine)

    def outbox_rows(self) -> list[dict]:
        return outbox.rows(self.engine)

    def close(self) -> None:
        self.engine.dispose()
