"""Provides what is due of the work reports on a plain sqlite3 connection: the team's rule
and the periods whose report is not written yet (`crm remind`, the desk). Kept apart from
office_queries so the reminder path loads no report SQL it does not run.
"""

from __future__ import annotations

import sqlite3

from crm_tui.domain import report_rules as office
from crm_tui.domain.dates import Clock


def due_rules(conn: sqlite3.Connection) -> tuple[office.DueRule, ...]:
    """The team's rules as stored (the newest of each kind), else the default rule."""
    newest: dict[str, tuple[str, str]] = {}
    rows = conn.execute(
        "SELECT kind, weekdays, due_by FROM report_rule WHERE deleted = 0 ORDER BY updated_at, id"
    )
    for kind, weekdays, due_by in rows:
        newest[kind] = (weekdays, due_by)
    if not newest:
        return office.DEFAULT_RULES
    out = []
    for kind, (weekdays, due_by) in newest.items():
        try:
            out.append(
                office.DueRule(kind, office.parse_weekdays(weekdays), office.parse_due_by(due_by))
            )
        except office.OfficeError:
            continue  # a rule this version cannot read is no rule
    return tuple(out)


def reports_not_written(
    conn: sqlite3.Connection, clock: Clock
) -> list[tuple[office.ReportPeriod, str | None]]:
    """The periods whose report is due now (the team's rule, past its time today) and not
    submitted by this laptop's user, with the id of the draft if one is written."""
    user = conn.execute("SELECT value FROM sync_state WHERE key = 'user_id'").fetchone()
    owner = user[0] if user else None
    out = []
    for p in office.overdue_kinds(due_rules(conn), clock.to_local(clock.now())):
        row = conn.execute(
            "SELECT id, status FROM work_report WHERE deleted = 0 AND owner_id IS ? "
            "AND kind = ? AND period = ? LIMIT 1",
            (owner, p.kind, p.label),
        ).fetchone()
        if row is None or row[1] != "submitted":
            out.append((p, row[0] if row else None))
    return out
