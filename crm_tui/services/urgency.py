"""Provides urgency for screens and the CLI: why a row is urgent, keeping scores fresh.

The score's weights and terms are pure (crm_tui/domain/urgency.py); its SQL and the stored
column live in storage (storage/urgency_sql.py, storage/urgency_store.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crm_tui.domain.urgency import WEIGHTS_KEY, Term
from crm_tui.storage import urgency_sql, urgency_store
from crm_tui.storage.urgency_store import Refreshed

if TYPE_CHECKING:
    from crm_tui.services.book import Book

URGENCY_ENTITIES = urgency_sql.URGENCY_ENTITIES

__all__ = [
    "URGENCY_ENTITIES",
    "WEIGHTS_KEY",
    "Refreshed",
    "has_urgency",
    "is_stale",
    "order_by",
    "refresh",
    "try_refresh",
    "why",
]


def _db(book: Any) -> Any:
    return getattr(book, "db", book)  # a Book, or a storage Database while callers move over


def has_urgency(entity: str) -> bool:
    try:
        urgency_sql.urgency_entity(entity)
    except (ValueError, KeyError):
        return False
    return True


def why(book: Book, entity: str, row_id: str) -> list[Term]:
    """The terms of one follow-up's or customer's score (ValueError for other records)."""
    return urgency_sql.explain(_db(book), entity, row_id)


def is_stale(book: Book) -> bool:
    """True when the stored scores are not today's (a refresh is due)."""
    return not urgency_store.fresh(_db(book))


def try_refresh(book: Book) -> bool:
    """Bring the stored scores to today now; False when the file cannot be written."""
    return urgency_store.try_refresh(_db(book))


def refresh(
    book: Book, *, full: bool = False, cancelled: Callable[[], bool] | None = None
) -> Refreshed:
    """Refresh on a connection of its own (safe in a worker thread); `cancelled` stops
    between chunks."""
    from crm_tui.storage.engine import connect

    db = _db(book)
    conn = connect(db.path)
    try:
        return urgency_store.refresh(conn, db.clock, full=full, cancelled=cancelled)
    finally:
        conn.close()


def order_by(book: Book, entity: str, *, refresh: bool = True) -> list[Any]:
    """ORDER BY for 'most urgent first', ties newest first (so paging is stable).

    Sorts by the stored column, brought up to date first when the day or the weights have
    changed (`refresh`); when it cannot be (a read-only file), by the computed score.
    """
    db = _db(book)
    urgency_sql.urgency_entity(entity)
    if urgency_store.fresh(db) or (refresh and urgency_store.try_refresh(db)):
        return urgency_sql.stored_order(entity)
    return urgency_sql.computed_order(entity, db)
