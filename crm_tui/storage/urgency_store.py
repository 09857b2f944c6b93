"""Provides the stored urgency score: `refresh` fills the `urgency` columns, triggers keep them.

A follow-up's or customer's score (crm_tui/domain/urgency.py) is stored in its `urgency`
column, so lists sort by it with a keyset read on an index, as they do by due date. The
score is counted from the start of the local day with the rep's weights: that pair is the
*basis*, kept in `sync_state` under `urgency.basis`. `refresh` makes the stored scores match
today's basis and (re)installs triggers, made from the one SQL expression of the score
(`score_expression`) with the basis written into them, that keep the scores right on every
write: repositories, undo, sync pulls, CSV imports. Every stored score therefore equals what
`explain` shows on the day of the basis.

A new day changes only the follow-ups whose due term moves (due between a week before and
two weeks after either day: the due term is flat outside) and the customers; new weights,
or a first refresh, recompute every open follow-up. Long refreshes commit in chunks so a
rep's edits never wait long for the write lock; the basis is written last, so a refresh
cut short is simply done again.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crm_tui.domain.urgency import (
    DUE_FLOOR_DAYS,
    DUE_FULL_DAYS,
    WEIGHTS_KEY,
    Weights,
    as_of,
    as_of_text,
    weights_from_setting,
)
from crm_tui.storage import engine as engine_mod
from crm_tui.storage.urgency_triggers import (
    BASIS_KEY,
    NEVER,
    OPEN_ROWS,
    PULL_GUARDS,
    TRIGGER_PREFIX,
    TRIGGER_SHAPES,
    pulling_key,
    triggers,
    update_statements,
)

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock
    from crm_tui.storage.database import Database

CHUNK_ROWS = 10_000  # rows rescored per transaction (a lock of ~0.1-0.5 s)
FULL_AFTER_DAYS = 60  # a longer gap between days recomputes everything
URGENCY_INDEXES = ("ix_activity_urgency_due", "ix_activity_urgency", "ix_customer_urgency")


@dataclass(frozen=True)
class Basis:
    """What the stored scores are counted from: a day start (naive UTC text) and weights."""

    as_of: str
    weights: str  # Weights.to_json()


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: nothing ("fresh"), a new day ("day"), everything ("full"), or
    nothing yet ("cancelled"; "deferred" while a first sync runs)."""

    kind: str
    followups: int
    customers: int
    seconds: float


# --- the basis ------------------------------------------------------------------------------
def wanted_basis(conn: sqlite3.Connection, clock: Clock) -> Basis:
    """Today's basis: the start of the local day and the weights in the settings."""
    return Basis(
        as_of_text(as_of(clock)), weights_from_setting(_state(conn, WEIGHTS_KEY)).to_json()
    )


def stored_basis(conn: sqlite3.Connection) -> Basis | None:
    text = _state(conn, BASIS_KEY)
    if not text:
        return None
    data = json.loads(text)
    return Basis(data["as_of"], data["weights"])


def is_fresh(conn: sqlite3.Connection, clock: Clock) -> bool:
    """True when the stored scores are today's (and the triggers keep them so)."""
    return stored_basis(conn) == wanted_basis(conn, clock) and _installed(conn)


def fresh(db: Database) -> bool:
    conn = engine_mod.connect(db.path)
    try:
        return is_fresh(conn, db.clock)
    finally:
        conn.close()


def try_refresh(db: Database) -> bool:
    """Refresh `db`'s stored scores now; False when the file cannot be written."""
    conn = engine_mod.connect(db.path)
    try:
        refresh(conn, db.clock)
        return True
    except sqlite3.OperationalError:  # read-only file or a lock held too long
        return False
    finally:
        conn.close()


def _state(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _installed(conn: sqlite3.Connection) -> bool:
    names = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
            (TRIGGER_PREFIX + "%",),
        )
    }
    return names == {*TRIGGER_SHAPES, *PULL_GUARDS}


# --- refresh --------------------------------------------------------------------------------
def refresh(
    conn: sqlite3.Connection,
    clock: Clock,
    *,
    full: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    cancelled: Callable[[], bool] | None = None,
) -> Refreshed:
    """Bring the stored scores to today's basis (nothing to do when they are there already).

    Inside an open transaction (the demo generator's load) everything happens in it;
    otherwise each step commits on its own. `cancelled` stops between chunks (the basis is
    then not written, so the next refresh starts again).
    """
    started = time.perf_counter()
    if _state(conn, pulling_key()):
        return Refreshed("deferred", 0, 0, 0.0)  # a first sync runs without the indexes
    want, have = wanted_basis(conn, clock), stored_basis(conn)
    installed = _installed(conn)
    if not full and have == want and installed:
        _analyze(conn)  # a new urgency index (a later migration) may still lack statistics
        return Refreshed("fresh", 0, 0, 0.0)
    gap = _days_between(have.as_of, want.as_of) if have else None
    full = full or gap is None or gap > FULL_AFTER_DAYS or not installed
    full = full or have is None or have.weights != want.weights
    statements = update_statements(want.as_of, want.weights)
    with _writing(conn):
        for name in (*TRIGGER_SHAPES, *PULL_GUARDS):
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        for sql in triggers(statements):
            conn.execute(sql)
    if full:
        rowids = [r[0] for r in conn.execute(f"{OPEN_ROWS} ORDER BY rowid")]
        followups = _rescore_rows(conn, statements, rowids, chunk_rows, cancelled)
        customers = _chunked(conn, "customer", statements["customer_chunk"], chunk_rows, cancelled)
    else:
        assert have is not None
        followups, customers = _rescore_day(conn, statements, have, want, chunk_rows, cancelled)
    _analyze(conn)
    if cancelled is not None and cancelled():
        return Refreshed("cancelled", followups, customers, time.perf_counter() - started)
    with _writing(conn):
        value = json.dumps({"as_of": want.as_of, "weights": want.weights})
        conn.execute(
            "INSERT INTO sync_state(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (BASIS_KEY, value),
        )
    return Refreshed("full" if full else "day", followups, customers, time.perf_counter() - started)


def _rescore_day(
    conn: sqlite3.Connection,
    statements: dict[str, str],
    have: Basis,
    want: Basis,
    chunk_rows: int,
    cancelled: Callable[[], bool] | None,
) -> tuple[int, int]:
    """Rescore what a change of day moves: open follow-ups due from a week before the earlier
    day to two weeks after the later one, and the customers whose days since contact or in
    stage are still under their scale at the earlier day."""
    lo, hi = sorted((have.as_of, want.as_of))
    due = (_shift(lo, DUE_FULL_DAYS - 1), _shift(hi, DUE_FLOOR_DAYS + 1))
    rowids = [
        r[0]
        for r in conn.execute(f"{OPEN_ROWS} AND due_at >= ? AND due_at < ? ORDER BY rowid", due)
    ]
    followups = _rescore_rows(conn, statements, rowids, chunk_rows, cancelled)
    weights = Weights.from_json(want.weights)
    since = tuple(
        _shift(lo, -(days + 1)) if days else NEVER
        for days in (weights.contact_days, weights.contact_days, weights.stage_days)
    )
    window = statements["customer_window"]
    customers = _chunked(conn, "customer", window, chunk_rows, cancelled, since)
    return followups, customers


def _rescore_rows(
    conn: sqlite3.Connection,
    statements: dict[str, str],
    rowids: list[int],
    chunk_rows: int,
    cancelled: Callable[[], bool] | None,
) -> int:
    """Rescore these follow-ups (found by an index) in table order, a chunk per transaction:
    pages are then read and written once each, not once per row as in due-date order."""
    changed = 0
    for first in range(0, len(rowids), chunk_rows):
        if cancelled is not None and cancelled():
            break
        batch = json.dumps(rowids[first : first + chunk_rows])
        with _writing(conn):
            conn.execute(statements["activity_rows"], (batch,))
            changed += conn.execute("SELECT changes()").fetchone()[0]
    return changed


def _analyze(conn: sqlite3.Connection) -> None:
    """Statistics for the urgency indexes in a file that has statistics for the others
    (a demo or an older book): without them SQLite sorts every open follow-up instead."""
    has_stats = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).fetchone()
    if not has_stats:
        return
    known = {r[0] for r in conn.execute("SELECT idx FROM sqlite_stat1")}
    missing = [index for index in URGENCY_INDEXES if index not in known]
    if missing:
        with _writing(conn):
            for index in missing:
                conn.execute(f"ANALYZE {index}")


def _chunked(
    conn: sqlite3.Connection,
    table: str,
    sql: str,
    chunk_rows: int,
    cancelled: Callable[[], bool] | None,
    params: tuple[str, ...] = (),
) -> int:
    low, high = conn.execute(f"SELECT min(rowid), max(rowid) FROM {table}").fetchone()
    if low is None:
        return 0
    changed = 0
    for start in range(low, high + 1, chunk_rows):
        if cancelled is not None and cancelled():
            break
        with _writing(conn):
            conn.execute(sql, (start, start + chunk_rows, *params))
            changed += conn.execute("SELECT changes()").fetchone()[0]
    return changed


@contextmanager
def _writing(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, or a part of the caller's when one is open."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _days_between(a: str, b: str) -> float:
    return abs((datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()) / 86_400


def _shift(moment: str, days: float) -> str:
    return (datetime.fromisoformat(moment) + timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f")
