"""Provides the receivables report for screens and the CLI (issue 19): collected vs
planned, aging by customer and rep, DSO, on its own read-only sqlite3 connection (safe in
a thread worker; no ORM)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui.domain.dates import Clock
from crm_tui.reports import receivables
from crm_tui.reports.export import render
from crm_tui.reports.period import Period
from crm_tui.storage.engine import connect

if TYPE_CHECKING:
    from crm_tui.reports.receivables import ReceivablesReport
    from crm_tui.services.book import Book

__all__ = ["NOT_TEAM", "build", "due_at", "render"]

NOT_TEAM = "only a manager can see the team's receivables"


def build(book: Book, period: Period, *, team: bool = False) -> ReceivablesReport:
    """The report for `period`, aged as of today (or the period's last day, if past).
    Raises PermissionError when a rep asks for the team."""
    actor = book.actor
    if team and not actor.manager:
        raise PermissionError(NOT_TEAM)
    today = book.clock.today()
    as_of = min(today, period.end - timedelta(days=1))
    conn = connect(book.path, readonly=True)
    try:
        return receivables.build(
            conn,
            period,
            as_of=as_of,
            currency=book.input_context.currency,
            owner_id=actor.user_id,
            team=team,
            generated_at=book.clock.now(),
        )
    finally:
        conn.close()


def due_at(
    path: Path | str, clock: Clock, *, within_days: int = 7, limit: int = 8
) -> list[receivables.DueRow]:
    """The desk's "Payments due / overdue" rows: plain sqlite3, read-only, no ORM (the desk
    paints before SQLAlchemy loads). An older file without the tables gives no rows."""
    import sqlite3

    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return []
    try:
        return receivables.due_rows(conn, clock.today(), within_days=within_days, limit=limit)
    except sqlite3.OperationalError:
        return []  # not migrated to 0070 yet
    finally:
        conn.close()
