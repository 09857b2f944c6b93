"""Provides the reports use cases: build a report for a period and scope, and render it.

Reports read on their own sqlite3 connection (no ORM), so `crm report` starts fast and the
Reports screen can build in a worker while the app writes. The report documents, periods
and cell formatting are re-exported here for the screens and the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui.domain import permissions
from crm_tui.domain.dates import Clock
from crm_tui.reports.build import ReportSource, build_report
from crm_tui.reports.export import FORMATS, render
from crm_tui.reports.model import (
    REPORT_NAMES,
    REPORT_TITLES,
    Chart,
    Days,
    Delta,
    Money,
    Pct,
    Report,
    Section,
    cell_text,
    is_number,
    numeric,
)
from crm_tui.reports.period import Period, PeriodError, parse_period
from crm_tui.storage.engine import connect
from crm_tui.storage.reports import open_for_reports

if TYPE_CHECKING:
    import sqlite3

    from crm_tui.services.book import Book

__all__ = [
    "FORMATS",
    "REPORT_NAMES",
    "REPORT_TITLES",
    "NOT_TEAM",
    "Chart",
    "Days",
    "Delta",
    "Money",
    "Pct",
    "Period",
    "PeriodError",
    "Report",
    "ReportRefused",
    "CannotOpen",
    "Section",
    "build",
    "build_at",
    "cell_text",
    "is_number",
    "numeric",
    "parse_period",
    "render",
]

NOT_TEAM = "only a manager can see the team's figures"


class ReportRefused(PermissionError):
    """The user may not see this report (a rep asking for the team's figures)."""


class CannotOpen(OSError):
    """The file could not be opened for reports (locked, corrupt or unreadable)."""


def _build(
    conn: sqlite3.Connection,
    name: str,
    period: Period,
    *,
    clock: Clock,
    currency: str,
    actor: permissions.Actor,
    team: bool,
    cold_days: int,
) -> Report:
    if name not in REPORT_NAMES:
        raise ValueError(f"no report '{name}'; choose one of {', '.join(REPORT_NAMES)}")
    if team and not actor.manager:
        raise ReportRefused(NOT_TEAM)
    source = ReportSource.open(
        conn,
        period=period,
        clock=clock,
        currency=currency,
        owner_id=actor.user_id,
        team=team,
        cold_days=cold_days,
    )
    return build_report(name, source)


def build(
    book: Book, name: str, period: Period, *, team: bool = False, cold_days: int = 30
) -> Report:
    """Report `name` of the open book for `period` (the rep's own figures, or the team's
    for a manager). Safe in a thread worker: it reads on a fresh read-only connection."""
    conn = connect(book.path, readonly=True)
    try:
        return _build(
            conn,
            name,
            period,
            clock=book.clock,
            currency=book.input_context.currency,
            actor=book.actor,
            team=team,
            cold_days=cold_days,
        )
    finally:
        conn.close()


def build_at(
    path: Path | str,
    name: str,
    period: Period,
    *,
    clock: Clock,
    team: bool = False,
    cold_days: int = 30,
) -> Report:
    """`build` for a file not opened as a `Book` (the CLI: migrates it, never loads the ORM).
    `CannotOpen` when the file cannot be opened; `ReportRefused` for a rep's team report."""
    try:
        conn, who = open_for_reports(path)
    except Exception as exc:  # a locked, corrupt or unreadable file
        raise CannotOpen(str(exc)) from exc
    try:
        return _build(
            conn,
            name,
            period,
            clock=clock,
            currency=who.currency,
            actor=permissions.Actor(who.user_id, who.role),
            team=team,
            cold_days=cold_days,
        )
    finally:
        conn.close()
