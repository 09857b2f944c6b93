"""Provides plain-sqlite3 reads for commands that must start in a few milliseconds (`crm
remind` from a shell start-up file): no SQLAlchemy, no migration, nothing written.

`open_current` opens a book only when it is already there and fully migrated; anything
else raises `NotQuick`, and the caller takes the full path (which creates, migrates, or
says what is wrong in its own words). The SQL is the same as services/reminders.py's.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_NAME_RE = re.compile(r"^(\d{4})_\w+\.sql$")

Row = tuple[Any, ...]


class NotQuick(Exception):
    """This book cannot be read on the quick path (missing, unmigrated, locked, ...)."""


def _known_versions() -> set[int]:
    return {int(m.group(1)) for name in os.listdir(_MIGRATIONS) if (m := _NAME_RE.match(name))}


def open_current(path: Path) -> sqlite3.Connection:
    """A connection to the existing, fully migrated book at `path` (reads only)."""
    if not path.is_file():
        raise NotQuick(f"{path} does not exist")
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    except sqlite3.Error as exc:
        raise NotQuick(str(exc)) from exc
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    except sqlite3.Error as exc:
        conn.close()
        raise NotQuick(str(exc)) from exc
    # Versions this code does not know (a newer release's, or a file renamed after it ran)
    # do not stop a read: migrate.py applies only what is missing, and so does the app.
    if not _known_versions() <= applied:
        conn.close()
        raise NotQuick("the book needs migrating")
    return conn


def followups_due(conn: sqlite3.Connection, now_stamp: str) -> list[Row]:
    """(id, subject, kind, remind_at, due_at, all_day, customer name) of open follow-ups
    whose reminder time is at or before `now_stamp`, oldest first."""
    return conn.execute(
        "SELECT a.id, a.subject, a.kind, a.remind_at, a.due_at, a.all_day, c.name "
        "FROM activity a LEFT JOIN customer c ON c.id = a.customer_id "
        "WHERE a.deleted = 0 AND a.done_at IS NULL AND a.remind_at IS NOT NULL "
        "AND a.remind_at <= ? ORDER BY a.remind_at, a.id",
        (now_stamp,),
    ).fetchall()


def birthdays_on(conn: sqlite3.Connection, table: str, month_days: list[str]) -> list[Row]:
    """(id, name, birthday_md) of live customers or contacts born on one of `month_days`."""
    if table not in ("customer", "contact"):
        raise ValueError(table)
    marks = ",".join("?" * len(month_days))
    return conn.execute(
        f"SELECT id, name, birthday_md FROM {table} WHERE birthday IS NOT NULL "
        f"AND deleted = 0 AND birthday_md IN ({marks})",
        month_days,
    ).fetchall()


def deals_closing(conn: sqlite3.Connection, stages: list[str], last_day: str) -> list[Row]:
    """(id, title, expected_close, amount, currency, stage) of live deals in `stages`
    expected to close on or before `last_day`, soonest first."""
    marks = ",".join("?" * len(stages))
    return conn.execute(
        "SELECT id, title, expected_close, amount, currency, stage FROM opportunity "
        f"WHERE deleted = 0 AND stage IN ({marks}) AND expected_close IS NOT NULL "
        "AND expected_close <= ? ORDER BY expected_close, id",
        [*stages, last_day],
    ).fetchall()


def id_neighbours(conn: sqlite3.Connection, tables: list[str], ids: list[str]) -> list[Row]:
    """(id, largest id below it, smallest id above it) per id and table: one statement (the
    primary-key index seeks services/short_ids.py makes; keep `ids` under ~400)."""
    values = ", ".join("(?)" for _ in ids)
    parts = [
        f'SELECT w.id, (SELECT max(id) FROM "{t}" WHERE id < w.id), '
        f'(SELECT min(id) FROM "{t}" WHERE id > w.id) FROM w'
        for t in tables
    ]
    sql = f"WITH w(id) AS (VALUES {values}) " + " UNION ALL ".join(parts)
    return conn.execute(sql, ids).fetchall()


def state(conn: sqlite3.Connection, key: str) -> str | None:
    """A value kept in `sync_state` (the signed-in user's id, the book's currency, ...)."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def followups_before(conn: sqlite3.Connection, end_stamp: str) -> list[Row]:
    """(id, subject, kind, due_at, all_day, customer name) of open follow-ups due before
    `end_stamp`, soonest first (the agenda's; services/reminders.py's SQL)."""
    return conn.execute(
        "SELECT a.id, a.subject, a.kind, a.due_at, a.all_day, c.name FROM activity a "
        "LEFT JOIN customer c ON c.id = a.customer_id WHERE a.deleted = 0 AND "
        "a.done_at IS NULL AND a.due_at IS NOT NULL AND a.due_at < ? "
        "ORDER BY a.due_at, a.id",
        (end_stamp,),
    ).fetchall()


_OPEN_FOLLOWUPS = (
    "FROM activity a WHERE a.deleted = 0 AND a.done_at IS NULL AND a.due_at IS NOT NULL "
    "AND a.due_at >= ? AND a.due_at < ?"
)


def followups_between(
    conn: sqlite3.Connection, start: str, end: str, limit: int
) -> tuple[list[Row], int]:
    """The first `limit` (id, subject, kind, due_at, all_day, customer name) of open
    follow-ups due in [start, end), soonest first, and how many there are in all (index
    seeks: the agenda's day, however full)."""
    rows = conn.execute(
        "SELECT a.id, a.subject, a.kind, a.due_at, a.all_day, "
        "(SELECT c.name FROM customer c WHERE c.id = a.customer_id) "
        f"{_OPEN_FOLLOWUPS} ORDER BY a.due_at, a.id LIMIT ?",
        (start, end, limit),
    ).fetchall()
    if len(rows) < limit:
        return rows, len(rows)
    return rows, conn.execute(f"SELECT count(*) {_OPEN_FOLLOWUPS}", (start, end)).fetchone()[0]


def deals_on(
    conn: sqlite3.Connection, stages: list[str], first: str, last: str, limit: int
) -> tuple[list[Row], int]:
    """The first `limit` rows `deals_closing` gives of deals closing in [first, last]
    (ISO days), and how many there are in all."""
    marks = ",".join("?" * len(stages))
    where = (
        f"FROM opportunity WHERE deleted = 0 AND stage IN ({marks}) "
        "AND expected_close IS NOT NULL AND expected_close >= ? AND expected_close <= ?"
    )
    params = [*stages, first, last]
    rows = conn.execute(
        "SELECT id, title, expected_close, amount, currency, stage "
        f"{where} ORDER BY expected_close, id LIMIT ?",
        [*params, limit],
    ).fetchall()
    if len(rows) < limit:
        return rows, len(rows)
    return rows, conn.execute(f"SELECT count(*) {where}", params).fetchone()[0]


def birthdays_of(
    conn: sqlite3.Connection, table: str, month_day: str, limit: int
) -> tuple[list[Row], int]:
    """The first `limit` (id, name) by name of live customers or contacts born on
    `month_day`, in the order `birthdays_on` gives ties (rowid), and how many in all."""
    if table not in ("customer", "contact"):
        raise ValueError(table)
    where = f"FROM {table} WHERE birthday IS NOT NULL AND deleted = 0 AND birthday_md = ?"
    rows = conn.execute(
        f"SELECT id, name {where} ORDER BY name, rowid LIMIT ?", (month_day, limit)
    ).fetchall()
    if len(rows) < limit:
        return rows, len(rows)
    return rows, conn.execute(f"SELECT count(*) {where}", (month_day,)).fetchone()[0]
