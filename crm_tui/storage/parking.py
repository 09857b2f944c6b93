"""Provides the parking of pulled rows this laptop cannot apply yet: rows whose parent has
not arrived (taken out when it does) and rows it cannot apply at all (a value out of
SQLite's range, a bad date…: parked with the reason, retried at the next sync), so one bad
row never stops a sync.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine

# Errors that say "this row's values cannot be stored", not "the disk or the database is in
# trouble" (those, like OSError or a locked database, still stop the sync: nothing is lost,
# the page is pulled again).
_DATA_ERRORS: tuple[type[BaseException], ...] = (
    OverflowError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
    sqlite3.DataError,
)


def is_data_error(exc: BaseException) -> bool:
    """True when `exc` (or what SQLAlchemy wrapped) comes from the row's own values."""
    orig = getattr(exc, "orig", None)  # sqlalchemy.exc.StatementError
    if isinstance(orig, BaseException):
        exc = orig
    return isinstance(exc, _DATA_ERRORS) and not isinstance(exc, sqlite3.OperationalError)


def describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException):
        exc = orig
    return f"{type(exc).__name__}: {exc}"[:500]


class PulledChange(Protocol):
    """A change-log row as the wire carries it (`protocol.Change`, or a light stand-in)."""

    seq: int
    entity: str
    row_id: str
    op: str
    data: dict[str, Any] | None


@dataclass(slots=True)
class Parked:
    seq: int
    entity: str
    row_id: str
    op: str
    data: dict[str, Any] | None


@dataclass(frozen=True)
class ParkedRow:
    """A parked row as the conflicts view and `crm conflicts` list it."""

    entity: str
    row_id: str
    seq: int
    reason: str  # why it could not be applied, or which parent it waits for
    waits_for: str | None


def park(
    conn: sqlite3.Connection,
    change: PulledChange,
    waits_for: str | None = None,
    reason: str | None = None,
) -> None:
    """Park a change (a newer parked change of the same row is kept instead)."""
    body = {"seq": change.seq, "entity": change.entity, "row_id": change.row_id}
    body |= {"op": change.op, "data": change.data}
    conn.execute(
        "INSERT INTO pull_parked(row_id, entity, seq, change, waits_for, reason) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(row_id) DO UPDATE SET entity = excluded.entity, seq = excluded.seq, "
        "change = excluded.change, waits_for = excluded.waits_for, reason = excluded.reason "
        "WHERE excluded.seq >= seq",
        (
            change.row_id,
            change.entity,
            change.seq,
            json.dumps(body, ensure_ascii=False),
            waits_for,
            reason,
        ),
    )


def unpark(conn: sqlite3.Connection, arrived: Sequence[str]) -> list[Parked]:
    """Parked rows that were waiting for one of `arrived` (taken out of the parking)."""
    if not arrived or conn.execute("SELECT 1 FROM pull_parked LIMIT 1").fetchone() is None:
        return []
    rows = conn.execute(
        "DELETE FROM pull_parked WHERE waits_for IN (SELECT value FROM json_each(?)) "
        "RETURNING change",
        (json.dumps(list(arrived)),),
    ).fetchall()
    out = [Parked(**json.loads(r[0])) for r in rows]
    out.sort(key=lambda c: c.seq)
    return out


def unpark_bad(conn: sqlite3.Connection) -> list[Parked]:
    """Every row parked because it could not be applied (taken out, to be tried again)."""
    rows = conn.execute(
        "DELETE FROM pull_parked WHERE reason IS NOT NULL AND waits_for IS NULL RETURNING change"
    ).fetchall()
    out = [Parked(**json.loads(r[0])) for r in rows]
    out.sort(key=lambda c: c.seq)
    return out


def has_bad(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM pull_parked WHERE reason IS NOT NULL AND waits_for IS NULL LIMIT 1"
        ).fetchone()
        is not None
    )


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM pull_parked").scalar() or 0)


def listing(engine: Engine, limit: int = 1000) -> list[ParkedRow]:
    """Parked rows, oldest change first."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT entity, row_id, seq, reason, waits_for FROM pull_parked ORDER BY seq LIMIT ?",
            (limit,),
        ).all()
    return [
        ParkedRow(
            entity=entity,
            row_id=row_id,
            seq=seq,
            reason=reason or f"waits for {waits_for}, not on this laptop yet",
            waits_for=waits_for,
        )
        for entity, row_id, seq, reason, waits_for in rows
    ]
