"""Provides the read of instalments to remind the rep of (issue 19): open instalments of a
live, non-cancelled contract whose reminder day (due_on - remind_days) has come.

One SQL text for both readers: services/reminders.py (SQLAlchemy `text`, the app and the
full `crm remind`) and services/quick.py (plain sqlite3, `crm remind`'s quick path), so the
two cannot drift; `DUE_SQL` is the agenda's. Named parameters work in both.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from crm_tui.domain.instalment_reminders import MAX_REMIND_DAYS

# Open instalments of live, non-cancelled contracts due before :until, earliest first; the
# range on due_on keeps the read on ix_payment_plan_open_due (migration 0070).
_OPEN = (
    "SELECT p.id, p.instalment, COALESCE(c.number, ''), COALESCE(cu.name, ''), "
    "p.amount - p.paid, p.amount, p.currency, p.due_on "
    "FROM payment_plan p JOIN contract c ON c.id = p.contract_id AND c.deleted = 0 "
    "LEFT JOIN opportunity o ON o.id = c.opportunity_id "
    "LEFT JOIN customer cu ON cu.id = o.customer_id "
    "WHERE p.deleted = 0 AND p.settled_on IS NULL AND p.due_on < :until "
    "AND c.status != 'cancelled' {more}ORDER BY p.due_on, p.id"
)
# The reminder: those whose reminder day has come (overdue ones too: theirs has passed).
SQL = _OPEN.format(
    more="AND date(p.due_on, '-' || MAX(0, MIN(p.remind_days, :most)) || ' days') <= :today "
)
# The agenda: every open one due before :until.
DUE_SQL = _OPEN.format(more="")

Row = tuple[Any, ...]


def params(today: date) -> dict[str, Any]:
    """The SQL's parameters for `today` (the rep's local day)."""
    horizon = today + timedelta(days=MAX_REMIND_DAYS + 1)
    return {"today": today.isoformat(), "until": horizon.isoformat(), "most": MAX_REMIND_DAYS}


def instalments_to_remind(conn: sqlite3.Connection, today: date) -> list[Row]:
    """(id, instalment, contract number, customer, outstanding, amount, currency, due_on)
    on a plain sqlite3 connection; an older file without the tables gives no rows."""
    try:
        return conn.execute(SQL, params(today)).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
