"""Provides customer insight for screens and the CLI: keeping the stored figures current
(`refresh`, run in a worker), one customer's figures and reasons (`why`, the customer page),
the desk's "valuable customers at risk", and segment sizes.

The rules are pure (domain/insight.py, domain/churn.py); the stored figures and their
triggers are storage/insight_store.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui.domain.churn import trend
from crm_tui.domain.insight import BY_KEY, SEGMENTS, Segment, segment_named
from crm_tui.domain.urgency import Term
from crm_tui.storage import insight_queries, insight_store
from crm_tui.storage.engine import connect
from crm_tui.storage.insight_queries import AtRisk, SegmentRow
from crm_tui.storage.insight_store import Insight, Refreshed

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock
    from crm_tui.reports.model import Report
    from crm_tui.reports.period import Period
    from crm_tui.services.book import Book

__all__ = [
    "SEGMENTS",
    "AtRisk",
    "Insight",
    "Panel",
    "Refreshed",
    "Segment",
    "SegmentRow",
    "REPORTS",
    "at_risk",
    "build_report",
    "panel",
    "refresh",
    "refresh_path",
    "refresh_quietly",
    "render_report",
    "segment_label",
    "segment_named",
    "segments",
    "why",
]


def segment_label(key: str | None) -> str:
    """'重要价值 Important value' for a stored key; '' for none."""
    found = BY_KEY.get(key or "")
    return found.label if found else ""


def refresh_path(
    path: Path | str,
    clock: Clock,
    *,
    full: bool = False,
    cancelled: Callable[[], bool] | None = None,
) -> Refreshed:
    """Bring the stored figures up to date on a connection of its own (safe in a worker;
    the desk calls it with the book's path before its panel's read)."""
    conn = connect(path)
    try:
        return insight_store.refresh(conn, clock, full=full, cancelled=cancelled)
    finally:
        conn.close()


def refresh_quietly(path: Path | str, clock: Clock) -> Refreshed | None:
    """`refresh_path`, or None when the file cannot be written now (read-only, locked, or
    not migrated): the figures then stay as they were."""
    import sqlite3

    try:
        return refresh_path(path, clock)
    except sqlite3.Error:
        return None


def refresh(book: Book, *, full: bool = False) -> Refreshed:
    return refresh_path(book.path, book.clock, full=full)


def why(book: Book, customer_id: str) -> Insight | None:
    """One customer's segment, risk with its reasons and lifetime value, as stored today."""
    conn = connect(book.path)
    try:
        return insight_store.explain(conn, book.clock, customer_id)
    finally:
        conn.close()


@dataclass(frozen=True)
class Panel:
    """What the customer page shows of a customer's insight."""

    segment: str
    risk: float
    reasons: list[Term]
    clv: int
    value_at_risk: int
    latest_score: int | None
    trend: str
    scores: list[int]


def panel(book: Book, customer_id: str) -> Panel | None:
    found = why(book, customer_id)
    if found is None:
        return None
    scores = [s for _, s in found.scores]
    return Panel(
        segment_label(found.segment),
        found.risk,
        found.terms,
        found.clv,
        found.value_at_risk,
        scores[-1] if scores else None,
        trend(scores),
        scores[-6:],
    )


def at_risk(path: Path | str, limit: int = 8) -> tuple[list[AtRisk], int]:
    """Valuable (重要) customers at risk, most yearly value at risk first (plain sqlite3)."""
    conn = connect(path)
    try:
        return insight_queries.at_risk(conn, limit)
    finally:
        conn.close()


def segments(book: Book) -> list[SegmentRow]:
    conn = connect(book.path)
    try:
        return insight_queries.segments(conn)
    finally:
        conn.close()


REPORTS = ("segments", "churn")
NOT_TEAM = "only a manager can see the team's figures"


def build_report(book: Book, name: str, period: Period, *, team: bool = False) -> Report:
    """The segments or churn report (refreshing the stored figures first). PermissionError
    when a rep asks for the team's."""
    from crm_tui.reports import insight as reports

    if name not in REPORTS:
        raise ValueError(f"no report '{name}'; choose one of {', '.join(REPORTS)}")
    if team and not book.actor.manager:
        raise PermissionError(NOT_TEAM)
    refresh(book)
    conn = connect(book.path, readonly=True)
    try:
        common = {
            "team": team,
            "currency": book.input_context.currency,
            "generated_at": book.clock.now(),
        }
        if name == "segments":
            return reports.segments_report(conn, period, today=book.clock.today(), **common)
        return reports.churn_report(conn, period, clock=book.clock, **common)
    finally:
        conn.close()


def render_report(report: Report, fmt: str) -> str:
    from crm_tui.reports.export import render

    return render(report, fmt)
