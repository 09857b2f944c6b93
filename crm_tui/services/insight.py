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
    from crm_tui.services.book import Book

__all__ = [
    "SEGMENTS",
    "AtRisk",
    "Insight",
    "Panel",
    "Refreshed",
    "Segment",
    "SegmentRow",
    "at_risk",
    "panel",
    "refresh",
    "refresh_path",
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
