"""Provides the work reports' reminders (issue 17) on plain sqlite3, for `crm remind`
(both its fast path, services/quick.py, and the full one, services/reminders.py), the
app's notifier and the desk: "today's daily report not written" once the team's rule says
it is due, until it is submitted.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.domain.report_rules import not_written_text
from crm_tui.storage.engine import connect
from crm_tui.storage.report_due import reports_not_written

HOW = "crm report write"


def reports_due_on(conn: sqlite3.Connection, clock: Clock) -> list[tuple[str, str, date, str]]:
    """(row id, line, period start, how) of each report due now: the draft's id, or '-'
    when none is written yet. Raises sqlite3 errors (the quick path falls back on them)."""
    return [
        (draft_id or "-", not_written_text(p), p.start, HOW)
        for p, draft_id in reports_not_written(conn, clock)
    ]


def reports_due(path: Path | str, clock: Clock) -> list[tuple[str, str, date, str]]:
    """`reports_due_on` on its own read-only connection; none on an older file."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return []
    try:
        return reports_due_on(conn, clock)
    except sqlite3.OperationalError:
        return []  # not migrated to 0100 yet
    finally:
        conn.close()
