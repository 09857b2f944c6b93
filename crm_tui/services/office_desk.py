"""Provides the desk's office panel (issue 17) on plain sqlite3 (the desk paints before the
ORM loads): the work reports due now and not submitted ("today's daily report not
written", after the team's rule's time) and the customers not contacted for their
grade's days (A 14, B 30, C 90)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from crm_tui.domain import work_report_specs as office
from crm_tui.domain.dates import Clock
from crm_tui.storage.engine import connect
from crm_tui.storage.office_queries import QuietCustomer, quiet_customers, reports_not_written


@dataclass
class OfficeDesk:
    # The periods whose report is due and not submitted, each with its draft's id.
    reports: list[tuple[office.ReportPeriod, str | None]] = field(default_factory=list)
    quiet_total: int = 0
    quiet: list[QuietCustomer] = field(default_factory=list)


def load(path: Path | str, clock: Clock, *, limit: int = 6) -> OfficeDesk:
    """What the panel shows; empty on an older file (not migrated to 0100)."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return OfficeDesk()
    try:
        reports = reports_not_written(conn, clock)
        user = conn.execute("SELECT value FROM sync_state WHERE key = 'user_id'").fetchone()
        total, quiet = quiet_customers(
            conn,
            clock=clock,
            days_by_grade=dict(office.QUIET_DAYS),
            owner_id=user[0] if user else None,
            team=False,
            limit=limit,
        )
        return OfficeDesk(reports, total, quiet)
    except sqlite3.OperationalError:
        return OfficeDesk()
    finally:
        conn.close()
