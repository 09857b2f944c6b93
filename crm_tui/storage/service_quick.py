"""Provides the light reads of service orders for the desk, the reminders and `crm remind`
(plain sqlite3; they run before the ORM loads): an engineer's visits due by a moment, and
the dispatch requests waiting for a manager."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a UTC datetime in SQLite
_COLUMNS = (
    "s.id, s.number, s.subject, s.kind, s.status, s.planned_start, s.customer_id, "
    "COALESCE(c.name, ''), COALESCE(u.name, '')"
)


def who(conn: sqlite3.Connection) -> tuple[str | None, str]:
    """The signed-in user's id and role on this laptop (None and 'rep' before sign-in)."""
    rows = dict(conn.execute("SELECT key, value FROM sync_state WHERE key IN ('user_id', 'role')"))
    return rows.get("user_id") or None, rows.get("role") or "rep"


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_STAMP)


def visits_by(
    conn: sqlite3.Connection, user_id: str | None, until: datetime, limit: int
) -> list[tuple]:
    """Dispatched or started visits planned before `until`, of the engineer `user_id` (every
    engineer's on a laptop never signed in), earliest first."""
    sql = (
        f"SELECT {_COLUMNS} FROM service s LEFT JOIN customer c ON c.id = s.customer_id "
        "LEFT JOIN user u ON u.id = s.engineer_id "
        "WHERE s.deleted = 0 AND s.status IN ('approved', 'in_progress') "
        "AND s.planned_start < ? AND (? IS NULL OR s.engineer_id = ?) "
        "ORDER BY s.planned_start, s.id LIMIT ?"
    )
    return conn.execute(sql, (stamp(until), user_id, user_id, limit)).fetchall()


def waiting(conn: sqlite3.Connection, user_id: str | None, limit: int) -> tuple[list[tuple], int]:
    """Dispatch requests waiting for a manager (not their own), oldest first, and how many."""
    where = (
        "s.deleted = 0 AND s.status = 'requested' "
        "AND (s.owner_id IS NULL OR ? IS NULL OR s.owner_id != ?)"
    )
    total = conn.execute(f"SELECT COUNT(*) FROM service s WHERE {where}", (user_id, user_id))
    sql = (
        f"SELECT {_COLUMNS} FROM service s LEFT JOIN customer c ON c.id = s.customer_id "
        f"LEFT JOIN user u ON u.id = s.engineer_id WHERE {where} "
        "ORDER BY s.requested_at, s.id LIMIT ?"
    )
    count = total.fetchone()[0]
    return conn.execute(sql, (user_id, user_id, limit)).fetchall(), count
