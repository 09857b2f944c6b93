"""Provides the reports' way into a file: a migrated sqlite3 connection with who is asking
(no ORM), and the derived table the reports read; the SQL itself is in report_queries.py.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from crm_tui.storage.engine import connect
from crm_tui.storage.migrate import migrate
from crm_tui.storage.report_queries import CLAIMED_STATUSES, ReportQueries
from crm_tui.storage.report_rows import (
    ColdRow,
    GradeRow,
    Scope,
    StageRow,
    SummaryFigures,
    Window,
)

__all__ = [
    "CLAIMED_STATUSES",
    "ColdRow",
    "GradeRow",
    "Identity",
    "ReportQueries",
    "Scope",
    "StageRow",
    "SummaryFigures",
    "Window",
    "open_for_reports",
    "rebuild_customer_last_done",
]


@dataclass(frozen=True)
class Identity:
    """Who is asking, from sync_state: the signed-in rep (None before login) and the role."""

    user_id: str | None
    role: str
    currency: str


def rebuild_customer_last_done(conn: sqlite3.Connection) -> None:
    """Fill `customer_last_done` from scratch (after a bulk load that bypassed its triggers)."""
    conn.execute("DELETE FROM customer_last_done")
    conn.execute(
        "INSERT INTO customer_last_done(customer_id, last_done_at, owner_id, live) "
        "SELECT a.customer_id, max(a.done_at), c.owner_id, "
        "coalesce(c.deleted = 0 AND c.status != 'lost', 1) "
        "FROM activity a LEFT JOIN customer c ON c.id = a.customer_id "
        "WHERE a.done_at IS NOT NULL AND a.deleted = 0 GROUP BY a.customer_id"
    )


def open_for_reports(path: Path | str) -> tuple[sqlite3.Connection, Identity]:
    """A migrated sqlite3 connection and the identity, without loading the ORM (`crm report`
    starts in a fraction of the time `open_database` takes)."""
    from crm_tui.domain.money import DEFAULT_CURRENCY

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        migrate(conn)
        state = dict(
            conn.execute(
                "SELECT key, value FROM sync_state WHERE key IN ('user_id', 'role', 'currency')"
            ).fetchall()
        )
    except BaseException:
        conn.close()
        raise
    identity = Identity(
        state.get("user_id"), state.get("role") or "rep", state.get("currency") or DEFAULT_CURRENCY
    )
    return conn, identity
